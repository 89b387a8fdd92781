// The generation-time LSTM forward against torch::nn::LSTM (the reference used in training).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "doppel/model/lstm_inference.hpp"

using namespace doppel;

namespace {
void expect_matches_torch(int64_t layers, int64_t B, int64_t T, int64_t C, int64_t D, int64_t H) {
  torch::manual_seed(21 + layers);
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(C + D, H).num_layers(layers).batch_first(true));
  auto constant = torch::randn({B, C}), per_step = torch::randn({B, T, D}) * 2;
  torch::NoGradGuard no_grad;
  ASSERT_TRUE(lstm_inference_applies(lstm, constant, per_step));
  auto input = torch::cat({constant.unsqueeze(1).expand({B, T, C}), per_step}, 2);
  auto expected = std::get<0>(lstm->forward(input));
  auto got = lstm_inference_forward(lstm, constant, per_step);
  ASSERT_EQ(got.sizes(), expected.sizes());
  EXPECT_LT((got - expected).abs().max().item<float>(), 2e-6f) << layers << " layers";
}
}  // namespace

TEST(LstmInference, MatchesTorchLstmOneLayer) { expect_matches_torch(1, 37, 21, 13, 5, 100); }
TEST(LstmInference, MatchesTorchLstmStacked) { expect_matches_torch(3, 8, 6, 4, 3, 17); }

TEST(LstmInference, OnlyWithoutGradAndForFloat) {
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(5, 4).batch_first(true));
  auto c = torch::randn({2, 3}), s = torch::randn({2, 4, 2});
  EXPECT_FALSE(lstm_inference_applies(lstm, c, s));  // grad mode on: training uses nn::LSTM
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(lstm_inference_applies(lstm, c, s));
  EXPECT_FALSE(lstm_inference_applies(lstm, c.to(torch::kDouble), s.to(torch::kDouble)));
  EXPECT_FALSE(lstm_inference_applies(lstm, c, torch::randn({2, 4, 3})));  // widths do not add up
}

namespace {
// The training LSTM (custom autograd function): outputs and every gradient against nn::LSTM.
void expect_training_matches_torch(int64_t layers, int64_t B, int64_t T, int64_t C, int64_t D, int64_t H) {
  torch::manual_seed(31 + layers);
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(C + D, H).num_layers(layers).batch_first(true));
  auto constant = torch::randn({B, C}).requires_grad_(true);
  auto per_step = (torch::randn({B, T, D}) * 2).requires_grad_(true);
  auto w = torch::randn({B, T, H});
  ASSERT_TRUE(lstm_training_applies(lstm, constant, per_step));
  auto input = torch::cat({constant.unsqueeze(1).expand({B, T, C}), per_step}, 2);
  auto expected = std::get<0>(lstm->forward(input));
  (expected * w).sum().backward();
  std::vector<torch::Tensor> want{constant.grad().clone(), per_step.grad().clone()};
  for (auto& p : lstm->parameters()) {
    want.push_back(p.grad().clone());
    p.mutable_grad() = torch::Tensor();
  }
  constant.mutable_grad() = torch::Tensor();
  per_step.mutable_grad() = torch::Tensor();
  auto got = lstm_training_forward(lstm, constant, per_step);
  ASSERT_EQ(got.sizes(), expected.sizes());
  EXPECT_LT((got - expected).abs().max().item<float>(), 2e-6f) << layers << " layers";
  (got * w).sum().backward();
  std::vector<torch::Tensor> have{constant.grad(), per_step.grad()};
  for (auto& p : lstm->parameters()) have.push_back(p.grad());
  ASSERT_EQ(have.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_TRUE(have[i].defined()) << i;
    const float scale = std::max(1.0f, want[i].abs().max().item<float>());
    EXPECT_LT((have[i] - want[i]).abs().max().item<float>() / scale, 2e-5f) << "gradient " << i << ", " << layers << " layers";
  }
}
}  // namespace

TEST(LstmTraining, MatchesTorchLstmOneLayer) { expect_training_matches_torch(1, 37, 21, 13, 5, 100); }
TEST(LstmTraining, MatchesTorchLstmStacked) { expect_training_matches_torch(3, 8, 6, 4, 3, 17); }
