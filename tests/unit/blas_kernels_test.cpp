#include "doppel/runtime/blas_kernels.hpp"

#include <gtest/gtest.h>

using doppel::better_openblas_core;

TEST(BlasKernels, AvxCpusGetTheirKernelsWhenOpenBlasFallsBack) {
  // OpenBLAS 0.3.21 on an Emerald Rapids VM picks "Prescott" (SSE3); on AMD Zen 4 "Zen".
  EXPECT_EQ(better_openblas_core("Prescott", true, true), "SKYLAKEX");
  EXPECT_EQ(better_openblas_core("Zen", true, true), "SKYLAKEX");
  EXPECT_EQ(better_openblas_core("Haswell", true, true), "SKYLAKEX");
  EXPECT_EQ(better_openblas_core("Prescott", false, true), "HASWELL");
  EXPECT_EQ(better_openblas_core("Sandybridge", false, true), "HASWELL");
}

TEST(BlasKernels, OpenBlasOwnChoiceIsKeptWhenItIsAlreadyTheBest) {
  for (const char* core : {"SkylakeX", "COOPERLAKE", "sapphirerapids"})
    EXPECT_EQ(better_openblas_core(core, true, true), "") << core;
  EXPECT_EQ(better_openblas_core("Haswell", false, true), "");
  EXPECT_EQ(better_openblas_core("Zen", false, true), "");
  EXPECT_EQ(better_openblas_core("Prescott", false, false), "");  // an old CPU: nothing better
}
