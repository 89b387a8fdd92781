// The plain MLP every DoppelGANger network is built from: `layers` × (Linear + ReLU),
// then a Linear to `out` (no activation: callers apply their own).
#pragma once
#include <torch/torch.h>
#include <cstdint>

namespace doppel {

torch::nn::Sequential make_mlp(int64_t in, int64_t units, int64_t layers, int64_t out);

}  // namespace doppel
