// How a schema maps onto the networks' tensors ("model space"):
//   attributes [B, A + M]: the encoded real attributes, then (auto-normalization) for every
//     continuous feature its per-sequence (max+min)/2 and (max-min)/2 ("min/max attributes");
//   features [B, L, F + 2]: encoded features (continuous ones normalized to the sequence's own
//     min/max when use_minmax) then the 2-way generation flag: [1,0] while the sequence goes
//     on, [0,1] at its last step, zeros after it.
#pragma once
#include <cstdint>
#include <vector>

#include "doppel/model/model_options.hpp"
#include "doppel/data/schema.hpp"

namespace doppel {

struct ModelLayout {
  std::vector<OutputSpec> attribute_blocks;  // the real attributes (width A)
  std::vector<OutputSpec> minmax_blocks;     // 2 per continuous feature (width M; empty if off)
  std::vector<OutputSpec> step_blocks;       // features then the flag block "gen_flag" (F + 2)
  std::vector<int64_t> continuous_offsets;   // offsets of continuous features inside F
  std::vector<bool> continuous_minus_one;    // their range is [-1, 1]
  int64_t A = 0, M = 0, F = 0, L = 0, sample_len = 1, cells = 0;
  bool use_minmax = true;
  // Every sequence has length L (windows data): the generator's steps are not masked after a
  // generation flag that says "end" early, and model space -> batch gives every sequence length
  // L. The flag is still generated and judged by the critic, as the real data's flag.
  bool fixed_length = false;

  int64_t all_attribute_width() const { return A + M; }
  int64_t step_width() const { return F + 2; }

  // Throws Error when sample_len does not divide the schema's max_len.
  static ModelLayout from(const Schema& schema, const ModelOptions& options);
};

}  // namespace doppel
