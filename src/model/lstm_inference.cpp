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
#pragma GCC diagnostic ignored "-Wpsabi"  // the vector helpers are internal and always inlined
// into each target clone (an out-of-line call would mix the clones' vector ABIs)

template <class F, class I>
__attribute__((always_inline)) inline F poly_exp(F x, F lo, F hi) {
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
__attribute__((always_inline)) inline void gate_math(F gi, F gf, F gg, F go, F& c, F& h, F lo, F hi) {
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

// --- training: the same cell with autograd, as one custom function ---------------------

__attribute__((always_inline)) inline f16 load16(const float* p, int64_t n) {
  f16 v = {};
  if (n == 16) std::memcpy(&v, p, 64);
  else
    for (int64_t k = 0; k < n; ++k) v[k] = p[k];
  return v;
}

__attribute__((always_inline)) inline void store16(float* p, f16 v, int64_t n) {
  if (n == 16) std::memcpy(p, &v, 64);
  else
    for (int64_t k = 0; k < n; ++k) p[k] = v[k];
}

template <class F, class I>
__attribute__((always_inline)) inline F sigmoid(F x, F lo, F hi) {
  const F one = lo * 0.0f + 1.0f;
  return one / (one + poly_exp<F, I>(-x, lo, hi));
}

template <class F, class I>
__attribute__((always_inline)) inline F tanh_(F x, F lo, F hi) {
  const F one = lo * 0.0f + 1.0f, two = one + one;
  return two / (one + poly_exp<F, I>(-two * x, lo, hi)) - one;
}

// Forward of one step keeping what the backward needs: gates [B, 4H] (the matrix product)
// + addend [B, 4H] -> act [B, 4H] = (sigmoid i, sigmoid f, tanh g, sigmoid o); c [B, H] in/out
// (c_prev in, c_t out; c_prev may be null for zero), tc = tanh(c_t) [B, H]; h to h1 (stride s1)
// and h2 (stride s2, may be null).
__attribute__((target_clones("avx512f", "avx2,fma", "default"))) void lstm_train_gates(
    const float* gates, const float* addend, float* act, const float* c_prev, float* c, float* tc, float* h1,
    int64_t s1, float* h2, int64_t s2, int64_t B, int64_t H) {
  f16 lo, hi;
  for (int k = 0; k < 16; ++k) lo[k] = -87.0f, hi[k] = 88.0f;
  for (int64_t b = 0; b < B; ++b) {
    const float* g = gates + b * 4 * H;
    const float* add = addend + b * 4 * H;
    float* a = act + b * 4 * H;
    for (int64_t j = 0; j < H; j += 16) {
      const int64_t n = std::min<int64_t>(16, H - j);
      const f16 i = sigmoid<f16, i16>(load16(g + j, n) + load16(add + j, n), lo, hi);
      const f16 f = sigmoid<f16, i16>(load16(g + H + j, n) + load16(add + H + j, n), lo, hi);
      const f16 gg = tanh_<f16, i16>(load16(g + 2 * H + j, n) + load16(add + 2 * H + j, n), lo, hi);
      const f16 o = sigmoid<f16, i16>(load16(g + 3 * H + j, n) + load16(add + 3 * H + j, n), lo, hi);
      const f16 cp = c_prev ? load16(c_prev + b * H + j, n) : f16{};
      const f16 cn = f * cp + i * gg;
      const f16 t = tanh_<f16, i16>(cn, lo, hi);
      const f16 h = o * t;
      store16(a + j, i, n);
      store16(a + H + j, f, n);
      store16(a + 2 * H + j, gg, n);
      store16(a + 3 * H + j, o, n);
      store16(c + b * H + j, cn, n);
      store16(tc + b * H + j, t, n);
      store16(h1 + b * s1 + j, h, n);
      if (h2) store16(h2 + b * s2 + j, h, n);
    }
  }
}

// Backward of one step: dh = dout (row stride s_out) + dh_next (may be null); dc [B, H] in/out
// (the gradient flowing from step t+1 in, to step t-1 out); act, c_prev (null = zero) and tc
// from the forward. Writes dz [B, 4H], the gradient of the gate pre-activations.
__attribute__((target_clones("avx512f", "avx2,fma", "default"))) void lstm_train_gates_backward(
    const float* dout, int64_t s_out, const float* dh_next, float* dc, const float* act, const float* c_prev,
    const float* tc, float* dz, int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; ++b) {
    const float* a = act + b * 4 * H;
    float* d = dz + b * 4 * H;
    for (int64_t j = 0; j < H; j += 16) {
      const int64_t n = std::min<int64_t>(16, H - j);
      const f16 one = f16{} + 1.0f;
      f16 dh = load16(dout + b * s_out + j, n);
      if (dh_next) dh += load16(dh_next + b * H + j, n);
      const f16 i = load16(a + j, n), f = load16(a + H + j, n), g = load16(a + 2 * H + j, n);
      const f16 o = load16(a + 3 * H + j, n), t = load16(tc + b * H + j, n);
      const f16 cp = c_prev ? load16(c_prev + b * H + j, n) : f16{};
      const f16 dcv = load16(dc + b * H + j, n) + dh * o * (one - t * t);
      store16(d + j, dcv * g * i * (one - i), n);
      store16(d + H + j, dcv * cp * f * (one - f), n);
      store16(d + 2 * H + j, dcv * i * (one - g * g), n);
      store16(d + 3 * H + j, dh * t * o * (one - o), n);
      store16(dc + b * H + j, dcv * f, n);
    }
  }
}

// One layer: input [constant [B, C] repeated over the steps, per_step [B, T, D]], weights as
// in torch (w_ih [4H, C + D], w_hh [4H, H], biases [4H]), zero initial state. Returns the
// hidden states [B, T, H]. C may be 0.
struct LstmLayer : public torch::autograd::Function<LstmLayer> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& constant_in,
                               const torch::Tensor& per_step_in, const torch::Tensor& w_ih, const torch::Tensor& w_hh,
                               const torch::Tensor& b_ih, const torch::Tensor& b_hh) {
    auto constant = constant_in.contiguous(), per_step = per_step_in.contiguous();
    const int64_t B = per_step.size(0), T = per_step.size(1), D = per_step.size(2), C = constant.size(1);
    const int64_t H = w_hh.size(1), X = H + D;
    auto opts = per_step.options();
    auto w_c = w_ih.narrow(1, 0, C), w_n = w_ih.narrow(1, C, D);
    auto addend = (C > 0 ? torch::addmm(b_ih + b_hh, constant, w_c.t()) : (b_ih + b_hh).unsqueeze(0).expand({B, 4 * H}))
                      .contiguous();
    auto w_step_t = torch::cat({w_hh, w_n}, 1).t();  // [H + D, 4H]
    // Step-major buffers: x[t] = [h_{t-1}, per_step_t], act[t] the activated gates, c[t], tanh(c[t]).
    auto x = torch::empty({T, B, X}, opts), act = torch::empty({T, B, 4 * H}, opts);
    auto c = torch::empty({T, B, H}, opts), tc = torch::empty({T, B, H}, opts);
    auto out = torch::empty({B, T, H}, opts), gates = torch::empty({B, 4 * H}, opts);
    float* px = x.data_ptr<float>();
    const float* pin = per_step.data_ptr<float>();
    for (int64_t b = 0; b < B; ++b) std::fill(px + b * X, px + b * X + H, 0.0f);
    for (int64_t t = 0; t < T; ++t)
      for (int64_t b = 0; b < B; ++b) std::memcpy(px + (t * B + b) * X + H, pin + (b * T + t) * D, D * sizeof(float));
    for (int64_t t = 0; t < T; ++t) {
      at::mm_out(gates, x[t], w_step_t);
      lstm_train_gates(gates.data_ptr<float>(), addend.data_ptr<float>(), act[t].data_ptr<float>(),
                       t > 0 ? c[t - 1].data_ptr<float>() : nullptr, c[t].data_ptr<float>(), tc[t].data_ptr<float>(),
                       out.data_ptr<float>() + t * H, T * H, t + 1 < T ? x[t + 1].data_ptr<float>() : nullptr, X, B, H);
    }
    ctx->save_for_backward({constant, x, act, c, tc, w_ih, w_hh});
    ctx->saved_data["C"] = C;
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    if (torch::GradMode::is_enabled()) throw Error("the generator's LSTM does not support double backward");
    auto saved = ctx->get_saved_variables();
    auto constant = saved[0], x = saved[1], act = saved[2], c = saved[3], tc = saved[4], w_ih = saved[5], w_hh = saved[6];
    const int64_t C = ctx->saved_data["C"].toInt();
    const int64_t T = x.size(0), B = x.size(1), X = x.size(2), H = w_hh.size(1), D = X - H;
    auto dout = grads[0].contiguous();  // [B, T, H]
    auto dz = torch::empty({T, B, 4 * H}, dout.options());
    auto dc = torch::zeros({B, H}, dout.options()), dh_next = torch::empty({B, H}, dout.options());
    for (int64_t t = T - 1; t >= 0; --t) {
      lstm_train_gates_backward(dout.data_ptr<float>() + t * H, T * H, t + 1 < T ? dh_next.data_ptr<float>() : nullptr,
                                dc.data_ptr<float>(), act[t].data_ptr<float>(),
                                t > 0 ? c[t - 1].data_ptr<float>() : nullptr, tc[t].data_ptr<float>(),
                                dz[t].data_ptr<float>(), B, H);
      if (t > 0) at::mm_out(dh_next, dz[t], w_hh);
    }
    auto dz2 = dz.view({T * B, 4 * H});
    auto dw_step = dz2.t().mm(x.view({T * B, X}));  // [4H, H + D]
    auto dw_hh = dw_step.narrow(1, 0, H);
    auto dw_n = dw_step.narrow(1, H, D);
    auto dz_sum = dz.sum(0);  // [B, 4H]: the constant input is in every step
    auto db = dz_sum.sum(0);
    torch::Tensor dw_ih = C > 0 ? torch::cat({dz_sum.t().mm(constant), dw_n}, 1) : dw_n.contiguous();
    torch::Tensor dconstant, dper_step;
    if (ctx->needs_input_grad(0) && C > 0) dconstant = dz_sum.mm(w_ih.narrow(1, 0, C));
    if (ctx->needs_input_grad(1)) dper_step = dz2.mm(w_ih.narrow(1, C, D)).view({T, B, D}).transpose(0, 1).contiguous();
    return {dconstant, dper_step, dw_ih, dw_hh.contiguous(), db, db.clone()};
  }
};

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

bool lstm_training_applies(torch::nn::LSTM& lstm, const torch::Tensor& constant, const torch::Tensor& per_step) {
  const auto& o = lstm->options;
  if (o.bidirectional() || !o.batch_first() || o.proj_size() != 0 || !o.bias() ||
      (o.dropout() > 0 && o.num_layers() > 1 && lstm->is_training()))
    return false;
  for (const auto& t : {constant, per_step, param(lstm, "weight_hh_l0")})
    if (!t.device().is_cpu() || t.scalar_type() != torch::kFloat) return false;
  return constant.dim() == 2 && per_step.dim() == 3 && constant.size(0) == per_step.size(0) &&
         constant.size(1) + per_step.size(2) == o.input_size() && per_step.size(1) > 0;
}

torch::Tensor lstm_training_forward(torch::nn::LSTM& lstm, const torch::Tensor& constant,
                                    const torch::Tensor& per_step) {
  torch::Tensor c = constant, s = per_step;
  for (int64_t l = 0; l < lstm->options.num_layers(); ++l) {
    const std::string k = std::to_string(l);
    s = LstmLayer::apply(c, s, param(lstm, "weight_ih_l" + k), param(lstm, "weight_hh_l" + k),
                         param(lstm, "bias_ih_l" + k), param(lstm, "bias_hh_l" + k));
    c = torch::zeros({per_step.size(0), 0}, per_step.options());
  }
  return s;
}

}  // namespace doppel
