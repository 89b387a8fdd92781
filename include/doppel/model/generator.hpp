// The whole DoppelGANger generator: attributes, then min/max attributes, then features.
// Discrete attributes reach the later stages as detached one-hot vectors (DoppelGANger
// feeds argmax one-hots with stopped gradients); the soft outputs go to the critics.
#pragma once
#include <torch/torch.h>
#include "doppel/model/attribute_generator.hpp"
#include "doppel/model/feature_generator.hpp"
#include "doppel/model/minmax_generator.hpp"

namespace doppel {

struct GeneratorNoise {
  torch::Tensor attribute;  // [B, Za]
  torch::Tensor minmax;     // [B, Zm]
  torch::Tensor feature;    // [B, cells, Zf]
  torch::Tensor gumbel;     // [B, A] uniform, only with attribute_output "gumbel[_hard]"
};

struct Generated {
  torch::Tensor attributes;  // [B, A + M]
  torch::Tensor features;    // [B, L, F + 2], masked after the generation flag
};

class GeneratorImpl : public torch::nn::Module {
 public:
  GeneratorImpl(const ModelLayout& layout, const ModelOptions& options);
  // given_attributes: undefined for unconditional generation, else encoded real attributes
  // [B, A] used instead of the attribute generator's output.
  Generated forward(const GeneratorNoise& noise, const torch::Tensor& given_attributes = {});
  // The attribute and min/max stages alone: forward(noise).attributes without the features
  // (what the attribute critic judges; its extra rounds need no LSTM).
  torch::Tensor attributes_only(const GeneratorNoise& noise);
  const ModelLayout& layout() const { return layout_; }

 private:
  // {[attributes, min/max] for the critics, the same with discrete attributes one-hot and
  // everything detached for the feature generator}.
  std::pair<torch::Tensor, torch::Tensor> attribute_stage(const GeneratorNoise& noise, const torch::Tensor& given);

  ModelLayout layout_;
  AttributeGenerator attribute_{nullptr};
  MinMaxGenerator minmax_{nullptr};
  FeatureGenerator feature_{nullptr};
};
TORCH_MODULE(Generator);

// Noise for examples [offset, offset + local) of a global batch (see example_random.hpp).
GeneratorNoise draw_generator_noise(torch::Generator& gen, const ModelLayout& layout,
                                    const ModelOptions& options, int64_t global, int64_t offset,
                                    int64_t local);

}  // namespace doppel
