// Fused forwards of the feature generator's LSTM (the module's parameters, torch's gate
// order). LSTM::forward on CPU spends most of its time outside the matrix products (a dozen
// element-wise kernels, allocations and autograd nodes per step). Here each step is one
// matrix product [h_prev, per-step input] x [W_hh, W_ih(step part)]^T and one fused gate
// loop; the layer-0 input is [constant attributes, per-step noise], so the attribute part
// of the input projection is computed once per sequence instead of per step. Results match
// LSTM::forward to float rounding (polynomial exp, relative error ~2e-7), not bit for bit.
#pragma once
#include <torch/torch.h>

namespace doppel {

// Generation (no autograd). True when lstm_inference_forward can stand in for lstm->forward:
// grad mode off, float32 CPU parameters and inputs, unidirectional, batch_first, no projection.
bool lstm_inference_applies(torch::nn::LSTM& lstm, const torch::Tensor& constant, const torch::Tensor& per_step);

// Hidden states of the last layer [B, T, H] for the input [constant [B, C] repeated over the
// T steps, per_step [B, T, D]] concatenated on the last axis, zero initial state.
torch::Tensor lstm_inference_forward(torch::nn::LSTM& lstm, const torch::Tensor& constant,
                                     const torch::Tensor& per_step);

// Training (autograd): the same LSTM as one custom autograd function per layer. The forward
// keeps the activated gates and cell states, the backward runs one fused gate kernel and one
// [B, 4H] x [4H, H] product per step and the weight gradients as single products over all
// steps. Same math as nn::LSTM (to float rounding); no double backward. Applies to float32
// CPU, unidirectional, batch_first, no projection, with biases, no inter-layer dropout.
bool lstm_training_applies(torch::nn::LSTM& lstm, const torch::Tensor& constant, const torch::Tensor& per_step);
torch::Tensor lstm_training_forward(torch::nn::LSTM& lstm, const torch::Tensor& constant,
                                    const torch::Tensor& per_step);

}  // namespace doppel
