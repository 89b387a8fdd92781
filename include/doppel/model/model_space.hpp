// Encoded Batch <-> model-space tensors (layout in model_layout.hpp).
#pragma once
#include <torch/torch.h>
#include "doppel/data/dataset.hpp"
#include "doppel/model/model_layout.hpp"

namespace doppel {

struct ModelBatch {
  torch::Tensor attributes;  // [n, A + M]
  torch::Tensor features;    // [n, L, F + 2]
};

// Real data -> model space. Continuous features are normalized to their own min/max over the
// sequence's valid steps (x - min) / (max - min + 1e-7) (then * 2 - 1 for [-1,1] columns).
// Throws Error for a length outside [1, L] or a batch that does not match the layout.
ModelBatch to_model_space(const Batch& batch, const ModelLayout& layout);

// Generated (or real) model-space tensors -> encoded Batch: lengths from the flag,
// continuous features de-normalized with the min/max attributes and clamped to their range,
// discrete blocks as one-hot of their argmax, zeros after each length.
Batch from_model_space(const torch::Tensor& attributes, const torch::Tensor& features,
                       const ModelLayout& layout);

}  // namespace doppel
