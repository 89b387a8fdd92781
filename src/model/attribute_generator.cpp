#include "doppel/model/attribute_generator.hpp"

#include <algorithm>
#include <string>

#include "doppel/error.hpp"
#include "doppel/model/mlp.hpp"
#include "doppel/model/output_activation.hpp"

namespace doppel {

AttributeGeneratorImpl::AttributeGeneratorImpl(const ModelLayout& layout, const ModelOptions& o)
    : blocks_(layout.attribute_blocks), straight_through_(o.attribute_straight_through),
      gumbel_(o.attribute_gumbel) {
  if (o.attribute_autoregressive) {
    // make_mlp's hidden layers, then one output layer per block.
    trunk_ = register_module("trunk", make_hidden_layers(o.attribute_noise_dim, o.attribute_units, o.attribute_layers));
    int64_t in = o.attribute_layers > 0 ? o.attribute_units : o.attribute_noise_dim;
    heads_ = torch::nn::ModuleList();
    for (const auto& b : blocks_) {
      heads_->push_back(torch::nn::Linear(in, int64_t(b.width)));
      in += int64_t(b.width);
    }
    heads_ = register_module("heads", heads_);
  } else {
    mlp_ = register_module("mlp", make_mlp(o.attribute_noise_dim, o.attribute_units, o.attribute_layers,
                                           std::max<int64_t>(layout.A, 1)));
  }
  if (gumbel_) {
    // Per column: 1 in discrete blocks (they get Gumbel noise and 1/tau), 0 in continuous ones.
    std::vector<float> discrete;
    for (const auto& b : blocks_) discrete.insert(discrete.end(), b.width, b.discrete ? 1.f : 0.f);
    discrete_columns_ = torch::tensor(discrete);
    logit_scale_ = 1 + discrete_columns_ * float(1 / o.gumbel_tau - 1);
  }
}

torch::Tensor AttributeGeneratorImpl::forward(const torch::Tensor& noise, const torch::Tensor& gumbel_uniform) {
  if (blocks_.empty()) return torch::zeros({noise.size(0), 0}, noise.options());
  if (gumbel_ && (!gumbel_uniform.defined() || gumbel_uniform.dim() != 2 ||
                  gumbel_uniform.size(0) != noise.size(0) || gumbel_uniform.size(1) != discrete_columns_.size(0)))
    throw Error("attribute generator: model.attribute_output = \"gumbel\" or \"gumbel_hard\" needs uniform noise of shape [B, " +
                std::to_string(discrete_columns_.size(0)) + "]");
  if (heads_) return forward_autoregressive(noise, gumbel_uniform);
  return activate(mlp_->forward(noise), gumbel_uniform, blocks_, 0);
}

// The attributes the generator outputs for the logits of `blocks` (which start at attribute
// column `column`; gumbel_uniform covers all A columns).
torch::Tensor AttributeGeneratorImpl::activate(torch::Tensor logits, const torch::Tensor& gumbel_uniform,
                                               const std::vector<OutputSpec>& blocks, int64_t column) const {
  if (gumbel_) {
    // Gumbel-softmax (as CTGAN does for discrete columns): softmax((logits + g) / tau) with
    // g = -log(-log(u)). Its argmax is a draw from softmax(logits), so the network only has to
    // learn each category's probability, and rare categories appear at their rate instead of
    // losing every argmax; at a small tau the critics see nearly one-hot vectors. Nearly is not
    // enough in the full model: the feature critic separates real from fake by that residual
    // softness, which the generator cannot remove without distorting the probabilities, and the
    // features collapsed (docs/results.md); "gumbel_hard" shows the critics the
    // exact one-hot of the draw (the straight-through branch below).
    const int64_t width = logits.size(-1);
    auto u = gumbel_uniform.narrow(1, column, width);
    auto discrete = discrete_columns_.narrow(0, column, width).to(logits.options());
    auto g = -torch::log(-torch::log(u.clamp(1e-10, 1 - 1e-7)));
    logits = (logits + g * discrete) * logit_scale_.narrow(0, column, width).to(logits.options());
  }
  auto soft = apply_output_activations(logits, blocks);
  if (!straight_through_) return soft;
  // Forward: the one-hot of the argmax (what the feature generator and the decoder use, so
  // the critics judge the attributes the sequence was generated for); backward: the (Gumbel-)
  // softmax's gradient.
  return harden_discrete(soft.detach(), blocks) + (soft - soft.detach());
}

// One block at a time: block k's output layer sees the hidden layer and blocks 0..k-1 as
// generated (one-hot draws with gumbel_hard). With one output layer the blocks are drawn
// independently given the hidden layer, so every dependence between two columns (temperature
// and clouds, weather and its description) must be carried by the hidden layer alone; here a
// column is drawn given the columns before it, the chain rule of the joint distribution.
torch::Tensor AttributeGeneratorImpl::forward_autoregressive(const torch::Tensor& noise,
                                                             const torch::Tensor& gumbel_uniform) {
  std::vector<torch::Tensor> inputs{trunk_->size() > 0 ? trunk_->forward(noise) : noise};
  int64_t column = 0;
  for (size_t k = 0; k < blocks_.size(); ++k) {
    auto logits = heads_[k]->as<torch::nn::Linear>()->forward(torch::cat(inputs, 1));
    inputs.push_back(activate(logits, gumbel_uniform, {blocks_[k]}, column));
    column += int64_t(blocks_[k].width);
  }
  inputs.erase(inputs.begin());
  return torch::cat(inputs, 1);
}

}  // namespace doppel
