// Noise -> the real attributes (activated per block).
#pragma once
#include <torch/torch.h>
#include "doppel/model/model_layout.hpp"

namespace doppel {

class AttributeGeneratorImpl : public torch::nn::Module {
 public:
  AttributeGeneratorImpl(const ModelLayout& layout, const ModelOptions& options);
  torch::Tensor forward(const torch::Tensor& noise);  // [B, Za] -> [B, A]

 private:
  std::vector<OutputSpec> blocks_;
  bool straight_through_ = false;
  torch::nn::Sequential mlp_{nullptr};
};
TORCH_MODULE(AttributeGenerator);

}  // namespace doppel
