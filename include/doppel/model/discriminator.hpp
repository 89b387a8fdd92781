// WGAN critic: an MLP with a scalar output. Used twice: on [flattened features incl. flag,
// all attributes] and (auxiliary) on all attributes alone.
#pragma once
#include <torch/torch.h>
#include <cstdint>

namespace doppel {

class DiscriminatorImpl : public torch::nn::Module {
 public:
  DiscriminatorImpl(int64_t in, int64_t units, int64_t layers);
  torch::Tensor forward(const torch::Tensor& x);  // [G, in] -> [G]

 private:
  torch::nn::Sequential mlp_{nullptr};
};
TORCH_MODULE(Discriminator);

}  // namespace doppel
