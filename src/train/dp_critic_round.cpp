// One DP-SGD update of both critics (docs/privacy.md, "The critic step under DP").
//
// The WGAN-GP critic loss splits by what each term touches:
//   - −D(real_i): the ONLY term that depends on a private record. Its per-example gradient
//     is clipped (PrivacyEngine), summed, noised once globally, divided by the expected
//     global batch.
//   - D(fake) and the gradient penalty: the penalty is taken on interpolates between TWO
//     generated batches (not real and fake), so neither term reads private data; their
//     gradient is a function of the critic's (already private) parameters and of fresh
//     generator noise — post-processing, no budget, no noise. They are averaged over the
//     expected global batch of generated examples as in the non-private step.
//   - +D(fake_j) is nevertheless clipped per example to the same bound(s) as −D(real_i):
//     left unclipped, its pull (|∇| up to ||∇D||) outweighs the clipped real pull (at most
//     C per example), the critic lowers D everywhere instead of separating real from fake,
//     its scores run away (D(fake) ~ −1e4 after 1000 steps on the traffic data) and the
//     generator learns little (docs/results_privacy.md). Clipping it is free: no noise.
#include "doppel/model/example_random.hpp"
#include "doppel/model/model_space.hpp"
#include "doppel/model/packing.hpp"
#include "doppel/model/wgan_gp.hpp"
#include "doppel/privacy/privacy_engine.hpp"
#include "doppel/train/trainer.hpp"

namespace doppel {

std::vector<torch::Tensor> Trainer::dp_critic_round() {
  const Config& c = config_;
  const double gp_coe = c.number("train.gp_coe"), attr_gp_coe = c.number("train.attr_gp_coe");
  const double expected = double(batch_);  // q · N, the expected global batch

  // Private part: a fresh Poisson sample of this rank's shard.
  auto idx = privacy_->poisson_sample(source_.size(), shard_begin_, shard_end_);
  const int64_t critic_width = calendar_.placed_length(layout_.L) * layout_.step_width() + layout_.all_attribute_width();
  torch::Tensor real_in = torch::zeros({0, critic_width}), real_attr_in = torch::zeros({0, layout_.all_attribute_width()});
  if (!idx.empty()) {
    auto real = to_model_space(source_.read_indices(idx), layout_);
    real_in = critic_input(real.features, real.attributes, 1);
    real_attr_in = real.attributes;
  }

  // Public part: generated data only (two independent batches for the penalty's interpolates).
  Generated fake, fake2;
  {
    torch::NoGradGuard no_grad;
    fake = generator_->forward(draw_generator_noise(rng_, layout_, options_, batch_, local_offset_, local_batch_));
    fake2 = generator_->forward(draw_generator_noise(rng_, layout_, options_, batch_, local_offset_, local_batch_));
  }
  auto eps = example_uniform(rng_, batch_, local_offset_, local_batch_, {}).reshape({-1, 1});
  auto eps_attr = example_uniform(rng_, batch_, local_offset_, local_batch_, {}).reshape({-1, 1});
  auto fake_in = critic_input(fake.features, fake.attributes, 1);
  auto fake2_in = critic_input(fake2.features, fake2.attributes, 1);
  torch::Tensor fake_score, fake_attr_score;  // for the logged loss only: the gradient is clipped below
  {
    torch::NoGradGuard no_grad;
    fake_score = critic_->forward(fake_in);
    fake_attr_score = attr_critic_->forward(fake.attributes);
  }
  auto gp = (critic_gradient_norm(critic_, eps * fake_in + (1 - eps) * fake2_in) - 1).pow(2);
  auto gp_attr =
      (critic_gradient_norm(attr_critic_, eps_attr * fake.attributes + (1 - eps_attr) * fake2.attributes) - 1).pow(2);

  opt_d_->zero_grad();
  opt_attr_d_->zero_grad();
  ((gp_coe * gp.sum() + attr_gp_coe * gp_attr.sum()) / expected).backward();
  // ℓ_j = D(fake_j) + D_attr(fake_j): public, clipped per example like the real term, no noise.
  privacy_->add_private_gradients({fake_in.detach(), fake.attributes.detach()}, +1.0, /*add_noise=*/false, expected);
  // ℓ_i = −D(real_i) − D_attr(real_i): clipped per example, noise on rank 0 only.
  privacy_->add_private_gradients({real_in, real_attr_in}, -1.0, comm_.rank() == 0, expected);
  all_reduce_gradients(*critic_, comm_);
  all_reduce_gradients(*attr_critic_, comm_);
  opt_d_->step();
  opt_attr_d_->step();
  privacy_->account_steps(1);

  // Logged losses leave out every real-data term: a logged D(real) would be a release of
  // private data outside the accountant. Wasserstein estimate: not available under DP (0).
  auto d = fake_score.sum().detach() + gp_coe * gp.sum().detach();
  auto da = fake_attr_score.sum().detach() + attr_gp_coe * gp_attr.sum().detach();
  return {d, da, gp.sum().detach(), gp_attr.sum().detach(), torch::zeros({})};
}

}  // namespace doppel
