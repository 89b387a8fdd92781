// Every random tensor that touches an example (generator noise, interpolation weights) is
// drawn for the GLOBAL batch from a generator every rank holds in the same state, then
// sliced to this rank's examples [offset, offset + local). One process: offset 0,
// local = global. So N ranks see exactly the numbers one rank with the whole batch sees.
#pragma once
#include <torch/torch.h>
#include <cstdint>
#include <vector>

namespace doppel {

// Standard normal [local, tail...].
torch::Tensor example_normal(torch::Generator& gen, int64_t global, int64_t offset, int64_t local,
                             const std::vector<int64_t>& tail);
// Uniform [0, 1) [local, tail...].
torch::Tensor example_uniform(torch::Generator& gen, int64_t global, int64_t offset, int64_t local,
                              const std::vector<int64_t>& tail);

torch::Generator make_cpu_generator(uint64_t seed);

}  // namespace doppel
