// Per-example gradients of an MLP critic (Linear, ReLU, ..., Linear -> scalar) from ONE
// forward and ONE (manual) backward pass over the whole batch.
//
// For a linear layer z = a Wᵀ + b, example i's gradient is grad_W[i] = g_i a_iᵀ and
// grad_b[i] = g_i, with a_i the layer's input and g_i = dℓ_i/dz_i its output gradient
// (rows are independent: no batch statistics). So the trace (a_l, g_l per layer) is all
// DP-SGD needs: per-example norms ||grad_W[i]||_F² = ||g_i||²·||a_i||² without ever
// materialising grad_W[i], and the clipped sum Σ_i c_i g_i a_iᵀ = (c ⊙ G)ᵀ A as one matmul.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace doppel {

// The Linear layers of a module in registration order; throws Error unless the module is
// an MLP of Linear layers separated by single ReLUs ending in a Linear with one output
// (the only shape whose per-example gradients trace_mlp computes correctly).
std::vector<torch::nn::Linear> mlp_linear_layers(torch::nn::Module& module);

struct MlpTrace {
  std::vector<torch::Tensor> inputs;        // a_l [B, in_l]
  std::vector<torch::Tensor> output_grads;  // g_l [B, out_l] = dℓ_i/dz_l for example i
  torch::Tensor output;                     // D(x) [B]
};

// Forward of x [B, in] through the layers, then dℓ_i/dz for ℓ_i = loss_sign · D(x_i),
// computed by hand (no autograd graph; parameters are read, not differentiated).
MlpTrace trace_mlp(const std::vector<torch::nn::Linear>& layers, const torch::Tensor& x, double loss_sign);

// Squared L2 norm of each example's gradient w.r.t. layer l's weight and bias: [B].
torch::Tensor layer_sq_norms(const MlpTrace& trace, size_t layer);

// Σ_i scale[i] · (per-example gradient of layer l), as {grad_W, grad_b} of the layer's shapes.
std::vector<torch::Tensor> layer_weighted_sum(const MlpTrace& trace, size_t layer, const torch::Tensor& scale);

// Materialised per-example gradients {[B, out, in], [B, out]} of layer l (tests, debugging).
std::vector<torch::Tensor> layer_per_example(const MlpTrace& trace, size_t layer);

}  // namespace doppel
