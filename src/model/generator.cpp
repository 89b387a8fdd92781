#include "doppel/model/generator.hpp"

#include <string>
#include <utility>

#include "doppel/error.hpp"
#include "doppel/model/example_random.hpp"
#include "doppel/model/output_activation.hpp"

namespace doppel {

GeneratorImpl::GeneratorImpl(const ModelLayout& layout, const ModelOptions& o) : layout_(layout) {
  attribute_ = register_module("attribute", AttributeGenerator(layout, o));
  if (layout.M > 0) minmax_ = register_module("minmax", MinMaxGenerator(layout, o));
  feature_ = register_module("feature", FeatureGenerator(layout, o));
}

std::pair<torch::Tensor, torch::Tensor> GeneratorImpl::attribute_stage(const GeneratorNoise& noise,
                                                                        const torch::Tensor& given_attributes) {
  torch::Tensor attr, attr_hard;
  if (given_attributes.defined()) {
    if (given_attributes.dim() != 2 || given_attributes.size(1) != layout_.A)
      throw Error("given attributes must be [B, " + std::to_string(layout_.A) + "]");
    attr = given_attributes;
    attr_hard = harden_discrete(given_attributes, layout_.attribute_blocks);
  } else {
    attr = attribute_->forward(noise.attribute, noise.gumbel);
    attr_hard = harden_discrete(attr.detach(), layout_.attribute_blocks);
  }
  if (layout_.M == 0) return {attr, attr_hard};
  auto mm = minmax_->forward(noise.minmax, attr_hard);
  return {torch::cat({attr, mm}, 1), torch::cat({attr_hard, mm.detach()}, 1)};
}

Generated GeneratorImpl::forward(const GeneratorNoise& noise, const torch::Tensor& given_attributes) {
  auto [all, all_hard] = attribute_stage(noise, given_attributes);
  return {all, feature_->forward(all_hard, noise.feature)};
}

torch::Tensor GeneratorImpl::attributes_only(const GeneratorNoise& noise) { return attribute_stage(noise, {}).first; }

GeneratorNoise draw_generator_noise(torch::Generator& gen, const ModelLayout& layout, const ModelOptions& o,
                                    int64_t global, int64_t offset, int64_t local) {
  GeneratorNoise n;
  n.attribute = example_normal(gen, global, offset, local, {o.attribute_noise_dim});
  if (layout.M > 0) n.minmax = example_normal(gen, global, offset, local, {o.minmax_noise_dim});
  n.feature = example_normal(gen, global, offset, local, {layout.cells, o.feature_noise_dim});
  // Drawn last and only when used, so that the other noise (and every run without it) is unchanged.
  if (o.attribute_gumbel && layout.A > 0) n.gumbel = example_uniform(gen, global, offset, local, {layout.A});
  return n;
}

}  // namespace doppel
