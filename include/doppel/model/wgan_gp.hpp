// WGAN-GP losses, per example (per pack) so the privacy stage can clip each example's
// gradient; the step averages them over the GLOBAL batch.
//   critic:    D(fake) - D(real) + lambda * (||grad D(x_hat)||_2 - 1)^2,
//              x_hat = eps * real + (1 - eps) * fake, one eps per example
//   generator: -D(fake) - g_attr_d_coe * D_attr(fake)
#pragma once
#include <torch/torch.h>
#include "doppel/model/discriminator.hpp"

namespace doppel {

struct CriticLoss {
  torch::Tensor per_example;  // [G]: fake - real + lambda * gp
  torch::Tensor real_score;   // [G] D(real)
  torch::Tensor fake_score;   // [G] D(fake)
  torch::Tensor penalty;      // [G] (||grad||_2 - 1)^2, before lambda
  torch::Tensor mean() const { return per_example.mean(); }
};

// real, fake: critic inputs [G, D] (fake detached by the caller or here); eps [G] in [0,1).
CriticLoss critic_loss(Discriminator& critic, const torch::Tensor& real, const torch::Tensor& fake,
                       const torch::Tensor& eps, double lambda);

// ||grad_x sum D(x)||_2 per row of x [G, D] (rows are independent), with the graph kept so
// the penalty can be differentiated. sqrt(sum g^2 + 1e-8) as in DoppelGANger.
// Computed with Discriminator::input_gradient (no recorded forward pass); the autograd
// version (double backward through the forward) is the reference.
torch::Tensor critic_gradient_norm(Discriminator& critic, const torch::Tensor& x);
torch::Tensor critic_gradient_norm_autograd(Discriminator& critic, const torch::Tensor& x);

// [G]: -D(fake features) - coe * D_attr(fake attributes).
torch::Tensor generator_loss(Discriminator& critic, Discriminator& attr_critic,
                             const torch::Tensor& fake_critic_input,
                             const torch::Tensor& fake_attr_input, double g_attr_d_coe);

}  // namespace doppel
