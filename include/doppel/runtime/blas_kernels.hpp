// Choosing OpenBLAS's CPU kernels for this machine.
#pragma once

#include <string>

namespace doppel {

// The OpenBLAS core type this process should run, given the core OpenBLAS picked by itself
// (`openblas_get_corename()`, e.g. "Prescott", "Haswell", "SkylakeX") and what the CPU
// supports; "" when OpenBLAS's own choice is already the fastest we know of.
// OpenBLAS 0.3.21 (Debian 12) does not recognise newer CPUs (Intel Emerald Rapids, AMD Zen 4/5)
// and falls back to generic SSE3 ("Prescott") or AVX2 ("Haswell") kernels, although the CPU
// runs its AVX-512 ("SKYLAKEX") kernels: the same traffic training step is 3.5x faster with them
// on an Emerald Rapids VM (docs/results.md).
std::string better_openblas_core(const std::string& picked, bool avx512, bool avx2_fma);

// The core select_openblas_kernels() forces on this CPU when OpenBLAS picks a slower one:
// "SKYLAKEX" (AVX-512), "HASWELL" (AVX2 + FMA) or "" (nothing to force). Tests run a GEMM
// through these kernels against a double-precision reference (tests/unit/blas_gemm_torch_test.cpp).
std::string fastest_openblas_core_for_this_cpu();

// Called first thing in main(): when OpenBLAS is loaded, OPENBLAS_CORETYPE is unset and
// better_openblas_core() names a faster core, sets OPENBLAS_CORETYPE and re-executes this
// program (same pid, same arguments: OpenBLAS reads the variable only when it loads, and the
// re-executed process sees it set, so this happens once). A core type the caller set is
// always kept.
void select_openblas_kernels(char** argv);

// The core OpenBLAS runs in this process ("" when OpenBLAS is not loaded), for log lines.
std::string openblas_core();

}  // namespace doppel
