#include "doppel/model/lstm_inference.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "doppel/error.hpp"

namespace doppel {

namespace {

// Cephes' expf: range reduction by ln 2 in two parts and a degree-5 polynomial (relative
// error ~2e-7 on [-87, 88], clamped outside). Written once for scalars and for GCC vectors
// of 8 floats (branch-free, so the vector version compiles to SIMD on any target).
#pragma GCC diagnostic ignored "-Wpsabi"  // the vector helpers are internal: no ABI to keep
typedef float f8 __attribute__((vector_size(32)));
typedef int32_t i8 __attribute__((vector_size(32)));

template <class F, class I>
inline F poly_exp(F x, F lo, F hi) {
  x = x < lo ? lo : x;
  x = x > hi ? hi : x;
  // round(x / ln 2): +128.5 keeps the value positive so truncation rounds half up.
  F shifted = x * 1.44269504088896341f + 128.5f;
  I k;
  F n;
  if constexpr (std::is_same_v<F, float>) {
    k = int32_t(shifted) - 128;
    n = float(k);
  } else {
    k = __builtin_convertvector(shifted, I) - 128;
    n = __builtin_convertvector(k, F);
  }
  const F r = x - n * 0.693359375f + n * 2.12194440e-4f;
  F p = r * 1.9875691500e-4f + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  const I bits = (k + 127) << 23;  // 2^n
  F scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

template <class F, class I>
inline void gate_math(F gi, F gf, F gg, F go, F& c, F& h, F lo, F hi) {
  const F one = lo * 0.0f + 1.0f, two = one + one;
  const F i = one / (one + poly_exp<F, I>(-gi, lo, hi)), f = one / (one + poly_exp<F, I>(-gf, lo, hi));
  const F o = one / (one + poly_exp<F, I>(-go, lo, hi));
  const F cand = two / (one + poly_exp<F, I>(-two * gg, lo, hi)) - one;  // tanh
  c = f * c + i * cand;
  h = o * (two / (one + poly_exp<F, I>(-two * c, lo, hi)) - one);
}

// One LSTM step after the matrix products: gates [B, 4H] in torch's order (i, f, g, o);
// updates the cell state c [B, H] and writes h (row stride h_stride). Compiled for AVX-512,
// AVX2 and plain x86-64, picked at load time (the build targets plain x86-64).
__attribute__((target_clones("avx512f", "avx2,fma", "default"))) void lstm_gates(const float* gates, float* c,
                                                                                   float* h, int64_t B, int64_t H,
                                                                                   int64_t h_stride) {
  const f8 lo8 = {-87, -87, -87, -87, -87, -87, -87, -87}, hi8 = {88, 88, 88, 88, 88, 88, 88, 88};
  for (int64_t b = 0; b < B; ++b) {
    const float* g = gates + b * 4 * H;
    float* cb = c + b * H;
    float* hb = h + b * h_stride;
    int64_t j = 0;
    for (; j + 8 <= H; j += 8) {
      f8 gi, gf, gg, go, cv, hv;
      std::memcpy(&gi, g + j, 32);
      std::memcpy(&gf, g + H + j, 32);
      std::memcpy(&gg, g + 2 * H + j, 32);
      std::memcpy(&go, g + 3 * H + j, 32);
      std::memcpy(&cv, cb + j, 32);
      gate_math<f8, i8>(gi, gf, gg, go, cv, hv, lo8, hi8);
      std::memcpy(cb + j, &cv, 32);
      std::memcpy(hb + j, &hv, 32);
    }
    for (; j < H; ++j) {
      float cv = cb[j], hv;
      gate_math<float, int32_t>(g[j], g[H + j], g[2 * H + j], g[3 * H + j], cv, hv, -87.0f, 88.0f);
      cb[j] = cv;
      hb[j] = hv;
    }
  }
}

torch::Tensor param(torch::nn::LSTM& lstm, const std::string& name) {
  auto* p = lstm->named_parameters().find(name);
  if (!p) throw Error("LSTM has no parameter '" + name + "'");
  return *p;
}

}  // namespace

bool lstm_inference_applies(torch::nn::LSTM& lstm, const torch::Tensor& constant, const torch::Tensor& per_step) {
  const auto& o = lstm->options;
  if (torch::GradMode::is_enabled() || o.bidirectional() || !o.batch_first() || o.proj_size() != 0 || !o.bias())
    return false;
  for (const auto& t : {constant, per_step, param(lstm, "weight_hh_l0")})
    if (!t.device().is_cpu() || t.scalar_type() != torch::kFloat) return false;
  return constant.dim() == 2 && per_step.dim() == 3 && constant.size(0) == per_step.size(0) &&
         constant.size(1) + per_step.size(2) == o.input_size();
}

torch::Tensor lstm_inference_forward(torch::nn::LSTM& lstm, const torch::Tensor& constant,
                                     const torch::Tensor& per_step) {
  torch::NoGradGuard no_grad;
  const int64_t B = per_step.size(0), T = per_step.size(1), C = constant.size(1), D = per_step.size(2);
  const int64_t H = lstm->options.hidden_size();
  torch::Tensor layer_in;
  torch::Tensor out;
  for (int64_t l = 0; l < lstm->options.num_layers(); ++l) {
    const std::string k = std::to_string(l);
    auto w_ih = param(lstm, "weight_ih_l" + k), w_hh = param(lstm, "weight_hh_l" + k);
    auto bias = param(lstm, "bias_ih_l" + k) + param(lstm, "bias_hh_l" + k);
    torch::Tensor pre;  // input projection of every step + both biases, [B, T, 4H]
    if (l == 0) {
      auto once = torch::addmm(bias, constant, w_ih.narrow(1, 0, C).t());                     // [B, 4H]
      pre = torch::matmul(per_step, w_ih.narrow(1, C, D).t()).add_(once.unsqueeze(1));         // [B, T, 4H]
    } else {
      pre = torch::addmm(bias, layer_in.reshape({B * T, H}), w_ih.t()).view({B, T, 4 * H});
    }
    out = torch::empty({B, T, H}, per_step.options());
    auto c = torch::zeros({B, H}, per_step.options());
    auto gates = torch::empty({B, 4 * H}, per_step.options());
    auto w_hh_t = w_hh.t();
    for (int64_t t = 0; t < T; ++t) {
      if (t == 0) gates.copy_(pre.select(1, 0));  // zero initial state: no recurrent term
      else at::addmm_out(gates, pre.select(1, t), out.select(1, t - 1), w_hh_t);
      lstm_gates(gates.data_ptr<float>(), c.data_ptr<float>(), out.data_ptr<float>() + t * H, B, H, T * H);
    }
    layer_in = out;
  }
  return out;
}

}  // namespace doppel
