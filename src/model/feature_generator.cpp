#include "doppel/model/feature_generator.hpp"

#include <algorithm>
#include <string>
#include <tuple>

#include "doppel/error.hpp"
#include "doppel/model/lstm_inference.hpp"
#include "doppel/model/output_activation.hpp"

namespace doppel {

torch::Tensor linear_interpolation_matrix(int64_t steps, int64_t cells) {
  auto m = torch::zeros({steps, cells});
  auto a = m.accessor<float, 2>();
  for (int64_t t = 0; t < steps; ++t) {
    if (cells == 1 || steps == 1) {
      a[t][0] = 1;
      continue;
    }
    const double at = double(t) * double(cells - 1) / double(steps - 1);  // cell 0 at step 0, the last at steps-1
    const int64_t i = std::min<int64_t>(int64_t(at), cells - 2);
    a[t][i] = float(1 - (at - double(i)));
    a[t][i + 1] = float(at - double(i));
  }
  return m;
}

FeatureGeneratorImpl::FeatureGeneratorImpl(const ModelLayout& layout, const ModelOptions& o)
    : blocks_(layout.step_blocks), fixed_length_(layout.fixed_length), L_(layout.L), sample_len_(layout.sample_len),
      step_width_(layout.step_width()) {
  lstm_ = register_module(
      "lstm", torch::nn::LSTM(torch::nn::LSTMOptions(layout.all_attribute_width() + o.feature_noise_dim,
                                                     o.lstm_units)
                                  .num_layers(o.lstm_layers)
                                  .batch_first(true)));
  if (o.interpolated_feature_output) {
    // Resize-then-transform (Odena et al. 2016, "Deconvolution and checkerboard artifacts"): each
    // cell's state is mapped to a step state, these are interpolated to every step, and one output
    // layer shared by all steps maps them to outputs, so no weight belongs to a position in a cell.
    // The map comes before the interpolation: both are linear (the interpolation weights sum to 1,
    // so the bias passes through), so this is the same function as interpolating first at a
    // sample_len-th of the cost.
    step_state_ = register_module("step_state", torch::nn::Linear(o.lstm_units, o.feature_head_units));
    out_ = register_module("out", torch::nn::Linear(o.feature_head_units, step_width_));
    interpolation_ = linear_interpolation_matrix(L_, layout.cells);
  } else {
    out_ = register_module("out", torch::nn::Linear(o.lstm_units, sample_len_ * step_width_));
  }
}

torch::Tensor FeatureGeneratorImpl::forward(const torch::Tensor& attributes, const torch::Tensor& noise) {
  const int64_t B = noise.size(0), cells = noise.size(1);
  if (cells * sample_len_ != L_)
    throw Error("feature generator: " + std::to_string(cells) + " noise cells × sample_len " +
                std::to_string(sample_len_) + " != sequence length " + std::to_string(L_));
  torch::Tensor hidden;  // [B, cells, H]
  if (lstm_inference_applies(lstm_, attributes, noise)) {
    hidden = lstm_inference_forward(lstm_, attributes, noise);  // generation: same numbers to float rounding
  } else if (lstm_training_applies(lstm_, attributes, noise)) {
    hidden = lstm_training_forward(lstm_, attributes, noise);  // training: fused cells, own backward
  } else {
    auto input = torch::cat({attributes.unsqueeze(1).expand({B, cells, attributes.size(1)}), noise}, 2);
    hidden = std::get<0>(lstm_->forward(input));
  }
  if (!step_state_) {
    auto steps = out_->forward(hidden).reshape({B, L_, step_width_});  // cell c -> steps c*S..c*S+S-1
    return activate_steps(steps);
  }
  if (interpolation_.device() != hidden.device() || interpolation_.dtype() != hidden.dtype())
    interpolation_ = interpolation_.to(hidden.options());
  // Time-major so that the interpolation and the output layer are one matrix product each:
  // [L, cells] x [cells, B*P] -> [L, B, P] -> [L, B, F+2], then back to batch-major.
  auto cell_states = step_state_->forward(hidden).transpose(0, 1).contiguous();  // [cells, B, P]
  auto step_states = interpolation_.mm(cell_states.view({cells, -1})).view({L_, B, -1});
  auto steps = out_->forward(torch::relu(step_states)).transpose(0, 1);
  return activate_steps(steps);
}

torch::Tensor FeatureGeneratorImpl::activate_steps(const torch::Tensor& steps) const {
  // Windows never end early: no mask, so no generated week is cut short (see model_layout.hpp).
  return fixed_length_ ? apply_output_activations(steps, blocks_) : activate_and_mask_steps(steps, blocks_);
}

namespace {
// keep[b, t] = 1 while every step before t said "continue" (flag argmax 0).
torch::Tensor keep_mask(const torch::Tensor& steps) {
  const int64_t W = steps.size(-1), L = steps.size(1);
  auto flag = steps.narrow(-1, W - 2, 2);
  auto cont = (flag.select(-1, 0) >= flag.select(-1, 1)).to(steps.dtype());  // [B, L]
  auto ones = torch::ones({steps.size(0), 1}, steps.options());
  if (L == 1) return ones;
  return torch::cat({ones, torch::cumprod(cont, 1).narrow(1, 0, L - 1)}, 1);
}
}  // namespace

torch::Tensor mask_after_generation_flag(const torch::Tensor& steps) {
  return steps * keep_mask(steps).unsqueeze(-1);
}

torch::Tensor lengths_from_generation_flag(const torch::Tensor& steps) {
  return keep_mask(steps).sum(1).to(torch::kLong);
}

}  // namespace doppel
