// Test hook for the fault-handling path: DOPPEL_FAULT_INJECT="RANK:STEP" makes rank RANK
// throw a doppel::Error just before global step STEP (0-based) runs. Unset: does nothing.
#pragma once
#include <cstdint>

namespace doppel {

void inject_fault_if_requested(int rank, int64_t step);

}  // namespace doppel
