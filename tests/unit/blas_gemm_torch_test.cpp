// doppel forces OpenBLAS's AVX-512 or AVX2 kernels on CPUs that OpenBLAS 0.3.21 does not know
// (src/runtime/blas_kernels.cpp). Forcing kernels the CPU was not matched to is only safe if they compute
// the same products, so a GEMM through them is compared with a double-precision loop written here,
// independent of any BLAS.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "doppel/runtime/blas_kernels.hpp"

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// C = alpha · op(A) · op(B) + beta · C0 through torch (OpenBLAS's gemm), against a double loop.
// The tolerance is the classic bound for a length-k dot product in the tensor's precision:
// |error| <= 2 k eps Σ |a||b|, plus the rounding of the beta term.
void check_gemm(torch::ScalarType dtype, int64_t m, int64_t k, int64_t n, bool trans_a, bool trans_b, double alpha,
                double beta, uint64_t seed) {
  const double eps = dtype == torch::kFloat ? 1.0 / (1 << 23) : 1.0 / (1ull << 52);
  auto gen = at::detail::createCPUGenerator(seed);
  // Stored transposed when op() transposes, so the BLAS call sees a transposed operand.
  auto a_stored = torch::randn(trans_a ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k}, gen, dtype);
  auto b_stored = torch::randn(trans_b ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n}, gen, dtype);
  auto c0 = torch::randn({m, n}, gen, dtype);
  auto a = trans_a ? a_stored.t() : a_stored;
  auto b = trans_b ? b_stored.t() : b_stored;
  auto c = torch::addmm(c0, a, b, beta, alpha).contiguous();

  auto ad = a.to(torch::kDouble).contiguous(), bd = b.to(torch::kDouble).contiguous(),
       c0d = c0.to(torch::kDouble).contiguous(), cd = c.to(torch::kDouble).contiguous();
  const double *pa = ad.data_ptr<double>(), *pb = bd.data_ptr<double>(), *pc0 = c0d.data_ptr<double>(),
               *pc = cd.data_ptr<double>();
  int64_t wrong = 0;
  double worst = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0, magnitude = 0;
      for (int64_t p = 0; p < k; ++p) {
        dot += pa[i * k + p] * pb[p * n + j];
        magnitude += std::fabs(pa[i * k + p] * pb[p * n + j]);
      }
      const double ref = alpha * dot + beta * pc0[i * n + j];
      const double tol = 2.0 * double(k + 2) * eps * (std::fabs(alpha) * magnitude + std::fabs(beta * pc0[i * n + j]));
      const double err = std::fabs(pc[i * n + j] - ref);
      if (!(err <= tol)) ++wrong;  // also counts NaN
      if (!(err <= worst)) worst = err;
    }
  EXPECT_EQ(wrong, 0) << (dtype == torch::kFloat ? "sgemm " : "dgemm ") << m << "x" << k << "x" << n
                      << (trans_a ? " A^T" : "") << (trans_b ? " B^T" : "") << ": " << wrong
                      << " entries off the double reference, worst error " << worst << ", OpenBLAS kernels "
                      << doppel::openblas_core();
}

}  // namespace

// Shapes cover single elements, sizes below and above the kernels' register blocks (SKYLAKEX
// sgemm works in 16×4 … 32×4 tiles, HASWELL in 8×4 … 16×4), odd edges and the ranks of doppel's
// layers (batch × 100/200 units); every transpose combination; alpha/beta as training uses them.
TEST(BlasGemm, MatchesADoublePrecisionReference) {
  std::printf("OpenBLAS kernels in this process: %s\n", doppel::openblas_core().c_str());
  const std::vector<std::array<int64_t, 3>> shapes = {
      {1, 1, 1}, {3, 5, 7}, {17, 33, 15}, {32, 64, 48}, {50, 200, 100}, {67, 129, 53}, {130, 257, 201}};
  uint64_t seed = 1;
  for (const auto& s : shapes)
    for (int t = 0; t < 4; ++t) {
      check_gemm(torch::kFloat, s[0], s[1], s[2], t & 1, t & 2, 1.0, 0.0, seed++);
      check_gemm(torch::kFloat, s[0], s[1], s[2], t & 1, t & 2, -0.75, 1.0, seed++);
      check_gemm(torch::kDouble, s[0], s[1], s[2], t & 1, t & 2, 1.0, 0.5, seed++);
    }
}

// The kernels doppel would force on this CPU, run in a child process: OpenBLAS reads
// OPENBLAS_CORETYPE only when it loads. Runs whatever this process was started with.
TEST(BlasGemm, KernelsDoppelForcesOnThisCpuMatchADoublePrecisionReference) {
  const std::string core = doppel::fastest_openblas_core_for_this_cpu();
  if (core.empty()) GTEST_SKIP() << "this CPU has neither AVX-512 nor AVX2: doppel forces no kernels here";
  if (doppel::openblas_core().empty()) GTEST_SKIP() << "torch does not run on OpenBLAS here";
  char self[4096];
  const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  ASSERT_GT(len, 0);
  self[len] = '\0';
  const std::string command = "OPENBLAS_CORETYPE=" + core + " '" + self +
                              "' --gtest_filter=BlasGemm.MatchesADoublePrecisionReference 2>&1";
  FILE* child = popen(command.c_str(), "r");
  ASSERT_NE(child, nullptr);
  std::string output;
  char buf[4096];
  while (size_t got = fread(buf, 1, sizeof buf, child)) output.append(buf, got);
  const int status = pclose(child);
  EXPECT_NE(upper(output).find("OPENBLAS KERNELS IN THIS PROCESS: " + core), std::string::npos)
      << "the child did not run the " << core << " kernels:\n" << output;
  EXPECT_EQ(status, 0) << "GEMM through OpenBLAS's " << core << " kernels differs from the reference:\n" << output;
}
