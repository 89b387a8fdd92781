#include "doppel/model/model_layout.hpp"

#include <cstdint>
#include <string>

#include "doppel/error.hpp"

namespace doppel {

ModelLayout ModelLayout::from(const Schema& schema, const ModelOptions& options) {
  ModelLayout l;
  l.attribute_blocks = schema.attribute_outputs();
  l.step_blocks = schema.feature_outputs();
  l.use_minmax = options.use_minmax;
  l.fixed_length = schema.kind == "windows";
  int64_t off = 0;
  for (const auto& b : l.step_blocks) {
    if (!b.discrete) {
      if (b.width != 1)
        throw Error("feature '" + b.name + "': continuous outputs must have width 1, got " +
                    std::to_string(b.width));
      l.continuous_offsets.push_back(off);
      l.continuous_minus_one.push_back(b.minus_one);
      if (options.use_minmax) {
        // (max+min)/2 lives in the feature's own range, (max-min)/2 in [0, 1].
        l.minmax_blocks.push_back({b.name + "/mid", 1, false, b.minus_one});
        l.minmax_blocks.push_back({b.name + "/half", 1, false, false});
      }
    }
    off += int64_t(b.width);
  }
  l.F = off;
  for (const auto& b : l.attribute_blocks) l.A += int64_t(b.width);
  l.M = int64_t(l.minmax_blocks.size());
  l.step_blocks.push_back({"gen_flag", 2, true, false});
  l.L = schema.max_len;
  l.sample_len = options.sample_len;
  if (l.L < 1 || l.L % l.sample_len != 0)
    throw Error("model.sample_len = " + std::to_string(l.sample_len) +
                " must divide the data set's sequence length " + std::to_string(l.L));
  l.cells = l.L / l.sample_len;
  return l;
}

}  // namespace doppel
