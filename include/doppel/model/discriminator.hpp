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
  // d(sum_i D(x_i))/dx [G, in] as a differentiable function of the weights (for the gradient
  // penalty): the same values as autograd's create_graph gradient, without recording the
  // forward pass (whose double-backward contribution is zero: ReLU masks are piecewise
  // constant). Undefined if the MLP is not Linear (ReLU Linear)* with one output.
  torch::Tensor input_gradient(const torch::Tensor& x);

 private:
  torch::nn::Sequential mlp_{nullptr};
};
TORCH_MODULE(Discriminator);

}  // namespace doppel
