// Per-block output activations of the generators: softmax over each discrete block,
// sigmoid for continuous [0,1], tanh for continuous [-1,1].
#pragma once
#include <torch/torch.h>
#include <vector>

#include "doppel/schema.hpp"

namespace doppel {

// logits [..., W] with W the blocks' total width.
torch::Tensor apply_output_activations(const torch::Tensor& logits, const std::vector<OutputSpec>& blocks);
// Discrete blocks replaced by the one-hot of their argmax; continuous blocks unchanged.
torch::Tensor harden_discrete(const torch::Tensor& x, const std::vector<OutputSpec>& blocks);

}  // namespace doppel
