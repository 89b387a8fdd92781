#include "doppel/model/discriminator.hpp"

#include <vector>

#include "doppel/model/mlp.hpp"

namespace doppel {

DiscriminatorImpl::DiscriminatorImpl(int64_t in, int64_t units, int64_t layers) {
  mlp_ = register_module("mlp", make_mlp(in, units, layers, 1));
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& x) { return mlp_->forward(x).squeeze(1); }

torch::Tensor DiscriminatorImpl::input_gradient(const torch::Tensor& x) {
  // The MLP is Linear (ReLU Linear)*: d(sum D)/dx = w_out ⊙ m_k W_k ... ⊙ m_1 W_1 row by row,
  // m_l = (z_l > 0) as ReLU's backward uses. The masks are piecewise constant in x (zero
  // derivative), so they come from a no-grad forward; only the chain of weights is recorded.
  std::vector<torch::nn::LinearImpl*> linears;
  bool expect_linear = true;
  for (const auto& m : mlp_->children()) {
    auto* linear = m->as<torch::nn::Linear>();
    if (expect_linear ? linear == nullptr : m->as<torch::nn::ReLU>() == nullptr) return {};
    if (linear) linears.push_back(linear);
    expect_linear = !expect_linear;
  }
  if (expect_linear || linears.back()->weight.size(0) != 1) return {};
  std::vector<torch::Tensor> masks;
  {
    torch::NoGradGuard no_grad;
    auto h = x.detach();
    for (size_t i = 0; i + 1 < linears.size(); ++i) {
      auto z = torch::addmm(linears[i]->bias, h, linears[i]->weight.t());  // = Linear's forward
      masks.push_back((z > 0).to(z.scalar_type()));
      h = z.clamp_min_(0);
    }
  }
  auto g = linears.back()->weight.expand({x.size(0), linears.back()->weight.size(1)});
  for (size_t i = masks.size(); i-- > 0;) g = (g * masks[i]).mm(linears[i]->weight);
  return g;
}

}  // namespace doppel
