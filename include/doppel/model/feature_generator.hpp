// The time-series generator: an LSTM fed [all attributes, fresh noise] at every cell;
// each cell yields sample_len steps of features plus the generation flag. Because no
// output is fed back, one LSTM call runs over all cells. With model.feature_output "cell"
// (DoppelGANger) one linear layer maps a cell's state to its sample_len steps; with
// "interpolated" each cell's state is mapped to a step state, the step states are linearly
// interpolated to every step, and an output layer shared by all steps maps each (after a ReLU).
#pragma once
#include <torch/torch.h>
#include "doppel/model/model_layout.hpp"

namespace doppel {

class FeatureGeneratorImpl : public torch::nn::Module {
 public:
  FeatureGeneratorImpl(const ModelLayout& layout, const ModelOptions& options);
  // attributes [B, A + M] (hardened, detached), noise [B, cells, Zf] -> [B, L, F + 2], masked
  // after the end of each sequence (see mask_after_generation_flag) unless the layout is
  // fixed_length.
  torch::Tensor forward(const torch::Tensor& attributes, const torch::Tensor& noise);

 private:
  torch::Tensor activate_steps(const torch::Tensor& steps) const;

  std::vector<OutputSpec> blocks_;
  bool fixed_length_;
  int64_t L_, sample_len_, step_width_;
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::Linear step_state_{nullptr};  // "interpolated" only
  torch::nn::Linear out_{nullptr};
  torch::Tensor interpolation_;  // "interpolated": [L, cells], see linear_interpolation_matrix
};
TORCH_MODULE(FeatureGenerator);

// [steps, cells] weights of linear interpolation from cells to steps: the first cell at step 0,
// the last at step steps-1, each row two neighbouring cells' weights summing to 1.
torch::Tensor linear_interpolation_matrix(int64_t steps, int64_t cells);

// steps [B, L, F + 2] with the flag in the last 2 columns. Step t is kept when every earlier
// step's flag says "continue" (argmax 0); the first step whose flag says "end" is the last one
// kept, its flag included (as in DoppelGANger); later steps become zero.
torch::Tensor mask_after_generation_flag(const torch::Tensor& steps);
// Valid steps per sequence from the flag: index of the first "end" step + 1, else L. [B] int64.
torch::Tensor lengths_from_generation_flag(const torch::Tensor& steps);

}  // namespace doppel
