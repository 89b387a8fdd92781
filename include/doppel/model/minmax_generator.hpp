// DoppelGANger's auto-normalization: noise + generated attributes -> per sequence
// (max+min)/2 and (max-min)/2 of every continuous feature.
#pragma once
#include <torch/torch.h>
#include "doppel/model/model_layout.hpp"

namespace doppel {

class MinMaxGeneratorImpl : public torch::nn::Module {
 public:
  MinMaxGeneratorImpl(const ModelLayout& layout, const ModelOptions& options);
  // noise [B, Zm], attributes [B, A] (hardened, detached) -> [B, M]
  torch::Tensor forward(const torch::Tensor& noise, const torch::Tensor& attributes);

 private:
  std::vector<OutputSpec> blocks_;
  torch::nn::Sequential mlp_{nullptr};
};
TORCH_MODULE(MinMaxGenerator);

}  // namespace doppel
