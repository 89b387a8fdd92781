#include "doppel/optim/fused_adam.hpp"

#include <cmath>

namespace doppel {

namespace {

// m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g²;  p -= step (m / (sqrt(v) / sqrt_bc2 + eps)),
// the order of torch::optim::Adam (1.13).
__attribute__((target_clones("avx512f", "avx2", "default"))) void adam_update(
    float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v, int64_t n, float b1,
    float a1, float b2, float a2, float sqrt_bc2, float eps, float neg_step) {
  for (int64_t i = 0; i < n; ++i) {
    const float mi = m[i] * b1 + a1 * g[i];
    const float vi = v[i] * b2 + a2 * g[i] * g[i];
    m[i] = mi;
    v[i] = vi;
    p[i] += neg_step * (mi / (__builtin_sqrtf(vi) / sqrt_bc2 + eps));
  }
}

bool fusable(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous() &&
         t.layout() == torch::kStrided;
}

}  // namespace

torch::Tensor FusedAdam::step(LossClosure closure) {
  if (closure) return torch::optim::Adam::step(closure);
  struct Work {
    torch::Tensor p, g;
    torch::optim::AdamParamState* state;
    const torch::optim::AdamOptions* options;
  };
  std::vector<Work> work;
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto it = state_.find(c10::guts::to_string(p.unsafeGetTensorImpl()));
      if (options.amsgrad() || options.weight_decay() != 0 || it == state_.end() || !fusable(p) ||
          !fusable(p.grad()))
        return torch::optim::Adam::step();
      auto* state = static_cast<torch::optim::AdamParamState*>(it->second.get());
      if (!fusable(state->exp_avg()) || !fusable(state->exp_avg_sq()) || state->exp_avg().numel() != p.numel() ||
          state->exp_avg_sq().numel() != p.numel())
        return torch::optim::Adam::step();
      work.push_back({p, p.grad(), state, &options});
    }
  }
  torch::NoGradGuard no_grad;
  for (auto& w : work) {
    auto& s = *w.state;
    s.step(s.step() + 1);
    const double beta1 = std::get<0>(w.options->betas()), beta2 = std::get<1>(w.options->betas());
    const double bc1 = 1 - std::pow(beta1, double(s.step())), bc2 = 1 - std::pow(beta2, double(s.step()));
    adam_update(w.p.data_ptr<float>(), w.g.data_ptr<float>(), s.exp_avg().data_ptr<float>(),
                s.exp_avg_sq().data_ptr<float>(), w.p.numel(), float(beta1), float(1 - beta1), float(beta2),
                float(1 - beta2), float(std::sqrt(bc2)), float(w.options->eps()), float(-(w.options->lr() / bc1)));
  }
  return {};
}

}  // namespace doppel
