// Fused output activations (+ generation-flag mask) of the generators: one pass over the
// rows instead of a narrow / softmax / cat per block (softmax over a 2-wide strided block
// costs ~100 ns a row in LibTorch's CPU kernel, most of the generator's non-GEMM time).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "doppel/error.hpp"
#include "doppel/model/feature_generator.hpp"
#include "doppel/model/output_activation.hpp"

namespace doppel {

namespace {

enum Kind : int64_t { kSigmoid = 0, kTanh = 1, kSoftmax = 2 };

// [kind, width] pairs, the form kept in the autograd context.
std::vector<int64_t> encode(const std::vector<OutputSpec>& blocks) {
  std::vector<int64_t> spec;
  for (const auto& b : blocks) {
    spec.push_back(b.discrete ? kSoftmax : b.minus_one ? kTanh : kSigmoid);
    spec.push_back(int64_t(b.width));
  }
  return spec;
}

// y = activations of x, rows of width W.
void activate_rows(const float* x, float* y, int64_t rows, int64_t W, const std::vector<int64_t>& spec) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * W;
    float* yr = y + r * W;
    int64_t off = 0;
    for (size_t k = 0; k < spec.size(); k += 2) {
      const int64_t w = spec[k + 1];
      switch (spec[k]) {
        case kSigmoid:
          for (int64_t j = off; j < off + w; ++j) yr[j] = 1.0f / (1.0f + std::exp(-xr[j]));
          break;
        case kTanh:
          for (int64_t j = off; j < off + w; ++j) yr[j] = std::tanh(xr[j]);
          break;
        default: {
          float m = xr[off];
          for (int64_t j = off + 1; j < off + w; ++j) m = std::max(m, xr[j]);
          float s = 0;
          for (int64_t j = off; j < off + w; ++j) s += (yr[j] = std::exp(xr[j] - m));
          const float inv = 1.0f / s;
          for (int64_t j = off; j < off + w; ++j) yr[j] *= inv;
        }
      }
      off += w;
    }
  }
}

// keep[b, t] = 1 while every step before t said "continue" (flag columns W-2 >= W-1);
// y rows at keep 0 become zero.
void mask_rows(float* y, float* keep, int64_t B, int64_t L, int64_t W) {
  for (int64_t b = 0; b < B; ++b) {
    float k = 1.0f;
    for (int64_t t = 0; t < L; ++t) {
      float* row = y + (b * L + t) * W;
      keep[b * L + t] = k;
      const bool cont = row[W - 2] >= row[W - 1];
      if (k == 0.0f) std::fill(row, row + W, 0.0f);
      if (!cont) k = 0.0f;
    }
  }
}

// dx from dy (already masked) and y, rows of width W.
void activation_backward_rows(const float* dy, const float* y, float* dx, int64_t rows, int64_t W,
                              const std::vector<int64_t>& spec) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* g = dy + r * W;
    const float* yr = y + r * W;
    float* d = dx + r * W;
    int64_t off = 0;
    for (size_t k = 0; k < spec.size(); k += 2) {
      const int64_t w = spec[k + 1];
      switch (spec[k]) {
        case kSigmoid:
          for (int64_t j = off; j < off + w; ++j) d[j] = g[j] * (1.0f - yr[j]) * yr[j];
          break;
        case kTanh:
          for (int64_t j = off; j < off + w; ++j) d[j] = g[j] * (1.0f - yr[j] * yr[j]);
          break;
        default: {
          float dot = 0;
          for (int64_t j = off; j < off + w; ++j) dot += g[j] * yr[j];
          for (int64_t j = off; j < off + w; ++j) d[j] = yr[j] * (g[j] - dot);
        }
      }
      off += w;
    }
  }
}

// logits [rows, W] contiguous float (or [B, L, W] when masking).
struct FusedActivation : public torch::autograd::Function<FusedActivation> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits,
                               std::vector<int64_t> spec, bool mask) {
    auto x = logits.contiguous();
    auto y = torch::empty_like(x);
    const int64_t W = x.size(-1), rows = x.numel() / std::max<int64_t>(W, 1);
    activate_rows(x.data_ptr<float>(), y.data_ptr<float>(), rows, W, spec);
    torch::Tensor keep;
    if (mask) {
      keep = torch::empty({x.size(0), x.size(1)}, x.options());
      mask_rows(y.data_ptr<float>(), keep.data_ptr<float>(), x.size(0), x.size(1), W);
    }
    if (logits.requires_grad()) {
      ctx->save_for_backward({y, keep});
      ctx->saved_data["spec"] = spec;
    }
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    if (torch::GradMode::is_enabled())
      throw Error("the generator's output activations do not support double backward");
    auto saved = ctx->get_saved_variables();
    auto y = saved[0], keep = saved[1];
    const auto spec = ctx->saved_data["spec"].toIntVector();
    auto g = grads[0].contiguous();
    if (keep.defined()) g = g * keep.unsqueeze(-1);  // rows after the end get no gradient
    auto dx = torch::empty_like(y);
    const int64_t W = y.size(-1), rows = y.numel() / std::max<int64_t>(W, 1);
    activation_backward_rows(g.data_ptr<float>(), y.data_ptr<float>(), dx.data_ptr<float>(), rows, W, spec);
    return {dx, torch::Tensor(), torch::Tensor()};
  }
};

bool fused_applies(const torch::Tensor& logits) {
  return logits.device().is_cpu() && logits.scalar_type() == torch::kFloat && logits.numel() > 0;
}

void check_width(const torch::Tensor& logits, const std::vector<OutputSpec>& blocks) {
  int64_t off = 0;
  for (const auto& b : blocks) off += int64_t(b.width);
  if (off != logits.size(-1))
    throw Error("output activations: blocks cover " + std::to_string(off) + " columns, tensor has " +
                std::to_string(logits.size(-1)));
}

}  // namespace

torch::Tensor apply_output_activations_reference(const torch::Tensor& logits, const std::vector<OutputSpec>& blocks) {
  std::vector<torch::Tensor> parts;
  parts.reserve(blocks.size());
  int64_t off = 0;
  for (const auto& b : blocks) {
    auto x = logits.narrow(-1, off, int64_t(b.width));
    if (b.discrete) parts.push_back(torch::softmax(x, -1));
    else if (b.minus_one) parts.push_back(torch::tanh(x));
    else parts.push_back(torch::sigmoid(x));
    off += int64_t(b.width);
  }
  check_width(logits, blocks);
  return torch::cat(parts, -1);
}

torch::Tensor apply_output_activations(const torch::Tensor& logits, const std::vector<OutputSpec>& blocks) {
  if (!fused_applies(logits)) return apply_output_activations_reference(logits, blocks);
  check_width(logits, blocks);
  return FusedActivation::apply(logits, encode(blocks), false);
}

torch::Tensor activate_and_mask_steps(const torch::Tensor& logits, const std::vector<OutputSpec>& blocks) {
  if (logits.dim() != 3 || !fused_applies(logits))
    return mask_after_generation_flag(apply_output_activations_reference(logits, blocks));
  check_width(logits, blocks);
  return FusedActivation::apply(logits, encode(blocks), true);
}

torch::Tensor harden_discrete(const torch::Tensor& x, const std::vector<OutputSpec>& blocks) {
  std::vector<torch::Tensor> parts;
  int64_t off = 0;
  for (const auto& b : blocks) {
    auto v = x.narrow(-1, off, int64_t(b.width));
    if (b.discrete)
      parts.push_back(torch::one_hot(v.argmax(-1), int64_t(b.width)).to(x.dtype()));
    else
      parts.push_back(v);
    off += int64_t(b.width);
  }
  return torch::cat(parts, -1);
}

}  // namespace doppel
