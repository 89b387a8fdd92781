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
