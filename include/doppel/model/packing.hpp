// PacGAN packing: the critic judges `packing` samples at once, concatenated. Consecutive
// rows form a pack, so packs are the per-example unit of the discriminator losses.
#pragma once
#include <torch/torch.h>
#include <cstdint>

namespace doppel {

// x [B, D] -> [B / packing, packing * D]; throws Error when packing does not divide B.
torch::Tensor pack_examples(const torch::Tensor& x, int64_t packing);
// Discriminator input for one batch: [flattened features, all attributes], packed.
torch::Tensor feature_critic_input(const torch::Tensor& features, const torch::Tensor& attributes,
                                   int64_t packing);

}  // namespace doppel
