#include "doppel/model/minmax_generator.hpp"

#include <algorithm>

#include "doppel/model/mlp.hpp"
#include "doppel/model/output_activation.hpp"

namespace doppel {

MinMaxGeneratorImpl::MinMaxGeneratorImpl(const ModelLayout& layout, const ModelOptions& o)
    : blocks_(layout.minmax_blocks) {
  mlp_ = register_module("mlp", make_mlp(o.minmax_noise_dim + layout.A, o.minmax_units, o.minmax_layers,
                                         std::max<int64_t>(layout.M, 1)));
}

torch::Tensor MinMaxGeneratorImpl::forward(const torch::Tensor& noise, const torch::Tensor& attributes) {
  return apply_output_activations(mlp_->forward(torch::cat({noise, attributes}, 1)), blocks_);
}

}  // namespace doppel
