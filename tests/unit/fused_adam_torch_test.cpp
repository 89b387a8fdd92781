// FusedAdam against torch::optim::Adam: same parameters after several steps (to float
// rounding), and states that load into each other.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "doppel/optim/fused_adam.hpp"

using namespace doppel;

namespace {
std::vector<torch::Tensor> make_params() {
  torch::manual_seed(8);
  return {torch::randn({37, 11}).requires_grad_(true), torch::randn({101}).requires_grad_(true),
          torch::randn({3, 4, 5}).requires_grad_(true)};
}

void run(torch::optim::Optimizer& opt, std::vector<torch::Tensor>& params, int steps, int seed) {
  auto gen = at::detail::createCPUGenerator(uint64_t(seed));
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    for (auto& p : params) p.mutable_grad() = torch::randn(p.sizes(), gen) * (s + 1);
    opt.step();
  }
}

void expect_close(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_LT((a[i] - b[i]).abs().max().item<float>(), 1e-5f) << i;
}
void save_state(torch::optim::Optimizer& o, std::stringstream& to) {
  torch::serialize::OutputArchive a;
  o.save(a);
  a.save_to(to);
}

void load_state(torch::optim::Optimizer& o, std::stringstream& from) {
  torch::serialize::InputArchive a;
  a.load_from(from);
  o.load(a);
}

}  // namespace

TEST(FusedAdam, MatchesTorchAdam) {
  auto opts = torch::optim::AdamOptions(1e-2).betas(std::make_tuple(0.5, 0.999));
  auto pa = make_params(), pb = make_params();
  torch::optim::Adam reference(pa, opts);
  FusedAdam fused(pb, opts);
  run(reference, pa, 6, 1);
  run(fused, pb, 6, 1);
  expect_close(pa, pb);
  EXPECT_GT((pb[0] - make_params()[0]).abs().max().item<float>(), 1e-3f) << "parameters must move";
}

TEST(FusedAdam, StateInterchangeableWithTorchAdam) {
  auto opts = torch::optim::AdamOptions(1e-2).betas(std::make_tuple(0.5, 0.999));
  auto pa = make_params(), pb = make_params();
  FusedAdam fused(pa, opts);
  torch::optim::Adam reference(pb, opts);
  run(fused, pa, 3, 2);
  run(reference, pb, 3, 2);
  // Continue each from the other's saved state: the same as continuing itself.
  std::stringstream fused_state, reference_state;
  save_state(fused, fused_state);
  save_state(reference, reference_state);
  auto pc = std::vector<torch::Tensor>{}, pd = std::vector<torch::Tensor>{};
  for (auto& p : pb) pc.push_back(p.detach().clone().requires_grad_(true));
  for (auto& p : pa) pd.push_back(p.detach().clone().requires_grad_(true));
  torch::optim::Adam reference2(pc, opts);
  FusedAdam fused2(pd, opts);
  load_state(reference2, fused_state);
  load_state(fused2, reference_state);
  run(fused, pa, 3, 3);
  run(reference2, pc, 3, 3);
  run(fused2, pd, 3, 3);
  expect_close(pa, pc);
  expect_close(pa, pd);
}
