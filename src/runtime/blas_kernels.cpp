#include "doppel/runtime/blas_kernels.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace doppel {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool cpu_has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
  // SKYLAKEX kernels use the F, CD, BW, DQ and VL subsets.
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

bool cpu_has_avx2_fma() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

}  // namespace

std::string better_openblas_core(const std::string& picked, bool avx512, bool avx2_fma) {
  const std::string p = lower(picked);
  const bool picked_avx512 = p == "skylakex" || p == "cooperlake" || p == "sapphirerapids";
  // Zen uses the Haswell kernels in OpenBLAS; both are AVX2 + FMA.
  const bool picked_avx2 = picked_avx512 || p == "haswell" || p == "zen";
  if (avx512 && !picked_avx512) return "SKYLAKEX";
  if (avx2_fma && !picked_avx2) return "HASWELL";
  return "";
}

std::string fastest_openblas_core_for_this_cpu() {
  return better_openblas_core("", cpu_has_avx512(), cpu_has_avx2_fma());
}

std::string openblas_core() {
  using CoreName = char* (*)();
  auto get = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (!get) return "";
  const char* name = get();
  return name ? name : "";
}

void select_openblas_kernels(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE")) return;  // the caller's choice
  const std::string picked = openblas_core();
  if (picked.empty()) return;  // another BLAS
  const std::string better = better_openblas_core(picked, cpu_has_avx512(), cpu_has_avx2_fma());
  if (better.empty()) return;
  setenv("OPENBLAS_CORETYPE", better.c_str(), 1);
  execv("/proc/self/exe", argv);
  unsetenv("OPENBLAS_CORETYPE");  // this process keeps the kernels it loaded
  // Only reached when execv failed: keep running with the slower kernels, and say so.
  std::perror(("doppel: re-running with OPENBLAS_CORETYPE=" + better + " failed; continuing with "
               "OpenBLAS's " + picked + " kernels").c_str());
}

}  // namespace doppel
