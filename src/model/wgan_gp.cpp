#include "doppel/model/wgan_gp.hpp"

namespace doppel {

torch::Tensor critic_gradient_norm(Discriminator& critic, const torch::Tensor& x) {
  if (auto grad = critic->input_gradient(x); grad.defined()) return torch::sqrt(grad.pow(2).sum(1) + 1e-8);
  return critic_gradient_norm_autograd(critic, x);
}

torch::Tensor critic_gradient_norm_autograd(Discriminator& critic, const torch::Tensor& x) {
  auto xi = x.detach().requires_grad_(true);
  auto out = critic->forward(xi);
  // Rows are independent (no batch statistics), so d(sum out)/dx row i = dD(x_i)/dx_i.
  auto grad = torch::autograd::grad({out.sum()}, {xi}, {}, /*retain_graph=*/true,
                                    /*create_graph=*/true)[0];
  return torch::sqrt(grad.pow(2).sum(1) + 1e-8);
}

CriticLoss critic_loss(Discriminator& critic, const torch::Tensor& real, const torch::Tensor& fake,
                       const torch::Tensor& eps, double lambda) {
  CriticLoss l;
  auto fake_d = fake.detach();
  l.real_score = critic->forward(real);
  l.fake_score = critic->forward(fake_d);
  auto e = eps.reshape({-1, 1}).to(real.dtype());
  auto x_hat = e * real.detach() + (1 - e) * fake_d;
  l.penalty = (critic_gradient_norm(critic, x_hat) - 1).pow(2);
  l.per_example = l.fake_score - l.real_score + lambda * l.penalty;
  return l;
}

torch::Tensor generator_loss(Discriminator& critic, Discriminator& attr_critic,
                             const torch::Tensor& fake_critic_input, const torch::Tensor& fake_attr_input,
                             double g_attr_d_coe) {
  return -critic->forward(fake_critic_input) - g_attr_d_coe * attr_critic->forward(fake_attr_input);
}

}  // namespace doppel
