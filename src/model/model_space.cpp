#include "doppel/model/model_space.hpp"

#include <algorithm>

#include "doppel/error.hpp"

namespace doppel {

namespace {
// Added to every range so a constant sequence normalizes to 0 instead of 0/0 (DoppelGANger).
constexpr float kRangeEps = 1e-7f;

void one_hot_blocks(float* row, const std::vector<OutputSpec>& blocks) {
  size_t off = 0;
  for (const auto& b : blocks) {
    if (b.discrete) {
      float* p = row + off;
      size_t k = size_t(std::max_element(p, p + b.width) - p);
      std::fill(p, p + b.width, 0.0f);
      p[k] = 1.0f;
    }
    off += b.width;
  }
}
}  // namespace

ModelBatch to_model_space(const Batch& batch, const ModelLayout& layout) {
  if (batch.A != layout.A || batch.F != layout.F || batch.L != layout.L)
    throw Error("batch layout [A=" + std::to_string(batch.A) + ", L=" + std::to_string(batch.L) +
                ", F=" + std::to_string(batch.F) + "] does not match the model's [A=" +
                std::to_string(layout.A) + ", L=" + std::to_string(layout.L) + ", F=" +
                std::to_string(layout.F) + "]");
  const int64_t n = batch.n, L = layout.L, F = layout.F, W = layout.step_width();
  const int64_t AW = layout.all_attribute_width();
  auto attrs = torch::zeros({n, AW});
  auto feats = torch::zeros({n, L, W});
  float* pa = attrs.data_ptr<float>();
  float* pf = feats.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t len = batch.lengths[i];
    if (len < 1 || len > L)
      throw Error("item " + std::to_string(batch.index.empty() ? i : batch.index[i]) + ": length " +
                  std::to_string(len) + " outside [1, " + std::to_string(L) + "]");
    std::copy_n(batch.attributes.data() + i * layout.A, layout.A, pa + i * AW);
    const float* src = batch.features.data() + i * L * F;
    float* dst = pf + i * L * W;
    for (int64_t t = 0; t < len; ++t) {
      std::copy_n(src + t * F, F, dst + t * W);
      dst[t * W + F] = t + 1 < len ? 1.0f : 0.0f;
      dst[t * W + F + 1] = t + 1 < len ? 0.0f : 1.0f;
    }
    if (!layout.use_minmax) continue;
    for (size_t k = 0; k < layout.continuous_offsets.size(); ++k) {
      const int64_t o = layout.continuous_offsets[k];
      float mx = dst[o], mn = dst[o];
      for (int64_t t = 1; t < len; ++t) {
        mx = std::max(mx, dst[t * W + o]);
        mn = std::min(mn, dst[t * W + o]);
      }
      pa[i * AW + layout.A + 2 * k] = (mx + mn) / 2.0f;
      pa[i * AW + layout.A + 2 * k + 1] = (mx - mn) / 2.0f;
      const float range = mx - mn + kRangeEps;
      for (int64_t t = 0; t < len; ++t) {
        float u = (dst[t * W + o] - mn) / range;
        dst[t * W + o] = layout.continuous_minus_one[k] ? u * 2.0f - 1.0f : u;
      }
    }
  }
  return {attrs, feats};
}

Batch from_model_space(const torch::Tensor& attributes, const torch::Tensor& features,
                       const ModelLayout& layout) {
  const int64_t n = features.size(0), L = layout.L, F = layout.F, W = layout.step_width();
  const int64_t AW = layout.all_attribute_width();
  if (features.dim() != 3 || features.size(1) != L || features.size(2) != W || attributes.dim() != 2 ||
      attributes.size(0) != n || attributes.size(1) != AW)
    throw Error("model-space tensors do not match the layout [A+M=" + std::to_string(AW) + ", L=" +
                std::to_string(L) + ", F+2=" + std::to_string(W) + "]");
  auto fa = attributes.detach().to(torch::kCPU, torch::kFloat).contiguous();
  auto ff = features.detach().to(torch::kCPU, torch::kFloat).contiguous();
  const float* pa = fa.data_ptr<float>();
  const float* pf = ff.data_ptr<float>();
  std::vector<OutputSpec> feature_blocks(layout.step_blocks.begin(), layout.step_blocks.end() - 1);

  Batch b;
  b.n = n;
  b.L = L;
  b.A = layout.A;
  b.F = F;
  b.attributes.resize(n * layout.A);
  b.features.assign(n * L * F, 0.0f);
  b.lengths.resize(n);
  b.split.assign(n, 0);
  b.start_time.assign(n, 0);
  b.index.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    b.index[i] = i;
    float* ar = b.attributes.data() + i * layout.A;
    std::copy_n(pa + i * AW, layout.A, ar);
    one_hot_blocks(ar, layout.attribute_blocks);
    {
      size_t off = 0;
      for (const auto& blk : layout.attribute_blocks) {
        if (!blk.discrete) ar[off] = std::clamp(ar[off], blk.minus_one ? -1.0f : 0.0f, 1.0f);
        off += blk.width;
      }
    }
    const float* src = pf + i * L * W;
    int64_t len = L;
    for (int64_t t = 0; t < L && !layout.fixed_length; ++t)
      if (src[t * W + F + 1] > src[t * W + F]) {  // first "end" flag: the last step
        len = t + 1;
        break;
      }
    b.lengths[i] = int32_t(len);
    float* dst = b.features.data() + i * L * F;
    for (int64_t t = 0; t < len; ++t) {
      std::copy_n(src + t * W, F, dst + t * F);
      one_hot_blocks(dst + t * F, feature_blocks);
    }
    for (size_t k = 0; k < layout.continuous_offsets.size(); ++k) {
      const int64_t o = layout.continuous_offsets[k];
      const bool m1 = layout.continuous_minus_one[k];
      float mn = 0, range = 1;
      if (layout.use_minmax) {
        const float mid = pa[i * AW + layout.A + 2 * k], half = pa[i * AW + layout.A + 2 * k + 1];
        mn = mid - half;
        range = (mid + half) - mn + kRangeEps;
      }
      for (int64_t t = 0; t < len; ++t) {
        float v = dst[t * F + o];
        if (layout.use_minmax) {
          const float u = m1 ? (v + 1.0f) / 2.0f : v;
          v = u * range + mn;
        }
        dst[t * F + o] = std::clamp(v, m1 ? -1.0f : 0.0f, 1.0f);
      }
    }
  }
  return b;
}

}  // namespace doppel
