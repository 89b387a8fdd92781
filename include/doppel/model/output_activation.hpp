// Per-block output activations of the generators: softmax over each discrete block,
// sigmoid for continuous [0,1], tanh for continuous [-1,1].
#pragma once
#include <torch/torch.h>
#include <vector>

#include "doppel/data/schema.hpp"

namespace doppel {

// logits [..., W] with W the blocks' total width. Float32 CPU tensors go through one fused
// kernel (a custom autograd function; no double backward), others through torch ops
// (apply_output_activations_reference), same values to float rounding.
torch::Tensor apply_output_activations(const torch::Tensor& logits, const std::vector<OutputSpec>& blocks);
torch::Tensor apply_output_activations_reference(const torch::Tensor& logits, const std::vector<OutputSpec>& blocks);
// mask_after_generation_flag(apply_output_activations(logits, blocks)) for logits [B, L, W]
// whose last block is the generation flag, fused the same way.
torch::Tensor activate_and_mask_steps(const torch::Tensor& logits, const std::vector<OutputSpec>& blocks);
// Discrete blocks replaced by the one-hot of their argmax; continuous blocks unchanged.
torch::Tensor harden_discrete(const torch::Tensor& x, const std::vector<OutputSpec>& blocks);

}  // namespace doppel
