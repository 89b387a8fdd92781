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
// of 16 floats (branch-free, so the vector version compiles to SIMD on any target).
#pragma GCC diagnostic ignored "-Wpsabi"  // the vector helpers are internal: no ABI to keep

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

// One LSTM cell update from the gate pre-activations (torch's order i, f, g, o) with two
// divisions instead of five: sigmoid(x) = 1 / (1 + e^-x), tanh(x) = (1 - e^-2x) / (1 + e^-2x), so
//   c' = f c + i tanh(g) = (c (1+ei)(1+eg) + (1-eg)(1+ef)) / ((1+ef)(1+ei)(1+eg))
//   h  = o tanh(c')      = (1-ec) / ((1+eo)(1+ec))
// The exponents are clamped to [-29, 29] so the products stay finite (e^29 ~ 4e12; past
// that sigmoid and tanh are 0, 1 or +-1 to float precision anyway).
template <class F, class I>
inline void gate_math(F gi, F gf, F gg, F go, F& c, F& h, F lo, F hi) {
  const F one = lo * 0.0f + 1.0f, two = one + one;
  const F ei = poly_exp<F, I>(-gi, lo, hi), ef = poly_exp<F, I>(-gf, lo, hi);
  const F eg = poly_exp<F, I>(-two * gg, lo, hi), eo = poly_exp<F, I>(-go, lo, hi);
  const F a = one + ef, b = (one + ei) * (one + eg);
  c = (c * b + (one - eg) * a) / (a * b);
  const F ec = poly_exp<F, I>(-two * c, lo, hi);
  h = (one - ec) / ((one + eo) * (one + ec));
}

typedef float f16 __attribute__((vector_size(64)));
typedef int32_t i16 __attribute__((vector_size(64)));

// One LSTM step after the matrix product: gates [B, 4H] (+ addend [B, 4H] when not null) in
// torch's order (i, f, g, o); updates the cell state c [B, H] and writes h to h1 (row stride
// s1) and h2 (row stride s2). Compiled for AVX-512, AVX2 and plain x86-64, picked at load
// time (the build targets plain x86-64); 16 lanes (two AVX2 registers, one AVX-512).
__attribute__((target_clones("avx512f", "avx2,fma", "default"))) void lstm_gates(
    const float* gates, const float* addend, float* c, float* h1, int64_t s1, float* h2, int64_t s2, int64_t B,
    int64_t H) {
  f16 lo, hi;
  for (int k = 0; k < 16; ++k) lo[k] = -29.0f, hi[k] = 29.0f;
  for (int64_t b = 0; b < B; ++b) {
    const float* g = gates + b * 4 * H;
    const float* add = addend ? addend + b * 4 * H : nullptr;
    float* cb = c + b * H;
    for (int64_t j = 0; j < H; j += 16) {
      const int64_t n = std::min<int64_t>(16, H - j);
      f16 v[4], cv = {}, hv;
      if (n == 16) {
        for (int q = 0; q < 4; ++q) std::memcpy(&v[q], g + q * H + j, 64);
        if (add)
          for (int q = 0; q < 4; ++q) {
            f16 a;
            std::memcpy(&a, add + q * H + j, 64);
            v[q] += a;
          }
        std::memcpy(&cv, cb + j, 64);
      } else {  // the tail: through zero-padded lanes
        for (int q = 0; q < 4; ++q) {
          v[q] = f16{};
          for (int64_t k = 0; k < n; ++k) v[q][k] = g[q * H + j + k] + (add ? add[q * H + j + k] : 0.0f);
        }
        for (int64_t k = 0; k < n; ++k) cv[k] = cb[j + k];
      }
      gate_math<f16, i16>(v[0], v[1], v[2], v[3], cv, hv, lo, hi);
      if (n == 16) {
        std::memcpy(cb + j, &cv, 64);
        std::memcpy(h1 + b * s1 + j, &hv, 64);
        if (h2) std::memcpy(h2 + b * s2 + j, &hv, 64);
      } else {
        for (int64_t k = 0; k < n; ++k) {
          cb[j + k] = cv[k];
          h1[b * s1 + j + k] = hv[k];
          if (h2) h2[b * s2 + j + k] = hv[k];
        }
      }
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
  const int64_t B = per_step.size(0), T = per_step.size(1), C = constant.size(1);
  const int64_t H = lstm->options.hidden_size();
  torch::Tensor input = per_step.contiguous();  // the per-step part of this layer's input [B, T, D]
  torch::Tensor out;
  for (int64_t l = 0; l < lstm->options.num_layers(); ++l) {
    const std::string k = std::to_string(l);
    auto w_ih = param(lstm, "weight_ih_l" + k), w_hh = param(lstm, "weight_hh_l" + k);
    auto bias = param(lstm, "bias_ih_l" + k) + param(lstm, "bias_hh_l" + k);
    const int64_t D = input.size(2), X = H + D;
    // Per step: gates = [h_prev, input_t] [W_hh, W_ih(step part)]^T + addend, where addend
    // [B, 4H] holds both biases and (layer 0) the constant attributes' projection.
    torch::Tensor addend, w_step;
    if (l == 0) {
      addend = torch::addmm(bias, constant, w_ih.narrow(1, 0, C).t());
      w_step = torch::cat({w_hh, w_ih.narrow(1, C, D)}, 1);
    } else {
      addend = bias.unsqueeze(0).expand({B, 4 * H}).contiguous();
      w_step = torch::cat({w_hh, w_ih}, 1);
    }
    auto w_step_t = w_step.t();
    auto x = torch::zeros({B, X}, per_step.options());  // [h_prev, input_t]; h_0 = 0
    out = torch::empty({B, T, H}, per_step.options());
    auto c = torch::zeros({B, H}, per_step.options());
    auto gates = torch::empty({B, 4 * H}, per_step.options());
    float* px = x.data_ptr<float>();
    const float* pin = input.data_ptr<float>();
    for (int64_t t = 0; t < T; ++t) {
      for (int64_t b = 0; b < B; ++b) std::memcpy(px + b * X + H, pin + (b * T + t) * D, D * sizeof(float));
      at::mm_out(gates, x, w_step_t);
      lstm_gates(gates.data_ptr<float>(), addend.data_ptr<float>(), c.data_ptr<float>(), out.data_ptr<float>() + t * H,
                 T * H, px, X, B, H);
    }
    input = out;
  }
  return out;
}

}  // namespace doppel
