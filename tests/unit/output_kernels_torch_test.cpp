// The fused output activations (float32 CPU) against the torch-op reference, values and
// gradients, with and without the generation-flag mask.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "doppel/model/feature_generator.hpp"
#include "doppel/model/output_activation.hpp"

using namespace doppel;

namespace {
// sigmoid(1), tanh(1), softmax(3), sigmoid(1), gen flag softmax(2)
std::vector<OutputSpec> blocks() {
  return {{"u", 1, false, false}, {"v", 1, false, true}, {"c", 3, true, false},
          {"w", 1, false, false}, {"gen_flag", 2, true, false}};
}

void expect_close(const torch::Tensor& a, const torch::Tensor& b, double tol, const char* what) {
  ASSERT_EQ(a.sizes(), b.sizes()) << what;
  EXPECT_LT((a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>(), tol) << what;
}
}  // namespace

TEST(OutputKernels, ActivationsMatchTorchOpsWithGradients) {
  torch::manual_seed(4);
  auto x = (torch::randn({7, 11, 8}) * 3).requires_grad_(true);
  auto xd = x.detach().to(torch::kDouble).requires_grad_(true);
  auto w = torch::randn({7, 11, 8});
  auto y = apply_output_activations(x, blocks());
  auto yd = apply_output_activations(xd, blocks());  // double: the torch-op reference
  expect_close(y, yd, 1e-6, "values");
  (y * w).sum().backward();
  (yd * w.to(torch::kDouble)).sum().backward();
  expect_close(x.grad(), xd.grad(), 1e-5, "gradients");
}

TEST(OutputKernels, MaskedStepsMatchTorchOpsWithGradients) {
  torch::manual_seed(5);
  auto x = (torch::randn({9, 13, 8}) * 2).requires_grad_(true);
  x.data().select(2, 6).add_(1.5);  // mostly "continue", some sequences end early
  auto xd = x.detach().to(torch::kDouble).requires_grad_(true);
  auto w = torch::randn({9, 13, 8});
  auto y = activate_and_mask_steps(x, blocks());
  auto yd = mask_after_generation_flag(apply_output_activations_reference(xd, blocks()));
  expect_close(y, yd, 1e-6, "values");
  EXPECT_GT((yd.abs().sum(2) == 0).sum().item<int64_t>(), 0) << "some steps must be masked";
  (y * w).sum().backward();
  (yd * w.to(torch::kDouble)).sum().backward();
  expect_close(x.grad(), xd.grad(), 1e-5, "gradients");
  // without grad too
  torch::NoGradGuard no_grad;
  expect_close(activate_and_mask_steps(x.detach(), blocks()), yd.detach(), 1e-6, "no-grad values");
}
