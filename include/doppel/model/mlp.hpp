// The plain MLP every DoppelGANger network is built from: `layers` × (Linear + ReLU),
// then a Linear to `out` (no activation: callers apply their own).
#pragma once
#include <torch/torch.h>
#include <cstdint>

namespace doppel {

torch::nn::Sequential make_mlp(int64_t in, int64_t units, int64_t layers, int64_t out);
// make_mlp without its output Linear: `layers` × (Linear + ReLU); empty for 0 layers. Its
// output width is `units`, or `in` without layers.
torch::nn::Sequential make_hidden_layers(int64_t in, int64_t units, int64_t layers);

}  // namespace doppel
