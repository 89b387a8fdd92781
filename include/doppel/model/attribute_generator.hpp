// Noise -> the real attributes (activated per block).
#pragma once
#include <torch/torch.h>
#include "doppel/model/model_layout.hpp"

namespace doppel {

class AttributeGeneratorImpl : public torch::nn::Module {
 public:
  AttributeGeneratorImpl(const ModelLayout& layout, const ModelOptions& options);
  // [B, Za] -> [B, A]; gumbel_uniform: uniform [0, 1) noise [B, A], required with
  // model.attribute_output = "gumbel" or "gumbel_hard" (unused otherwise).
  torch::Tensor forward(const torch::Tensor& noise, const torch::Tensor& gumbel_uniform = {});

 private:
  std::vector<OutputSpec> blocks_;
  bool straight_through_ = false;
  bool gumbel_ = false;
  torch::Tensor discrete_columns_, logit_scale_;  // [A], with gumbel_ only
  torch::nn::Sequential mlp_{nullptr};
  // model.attribute_autoregressive: hidden layers, then one output layer per block that also
  // sees the blocks before it (mlp_ is unused then).
  torch::nn::Sequential trunk_{nullptr};
  torch::nn::ModuleList heads_{nullptr};

  torch::Tensor activate(torch::Tensor logits, const torch::Tensor& gumbel_uniform,
                         const std::vector<OutputSpec>& blocks, int64_t column) const;
  torch::Tensor forward_autoregressive(const torch::Tensor& noise, const torch::Tensor& gumbel_uniform);
};
TORCH_MODULE(AttributeGenerator);

}  // namespace doppel
