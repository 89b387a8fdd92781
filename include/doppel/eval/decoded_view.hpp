// A Batch decoded into original units, column by column, which is what every
// evaluation statistic reads: attributes give one value per sequence, features give
// the values at the valid steps of each sequence. Discrete columns hold the category
// (or bin) index; binned columns can be turned into numbers with their bin midpoints.
#pragma once
#include <cstdint>
#include <vector>

#include "doppel/data/dataset.hpp"
#include "doppel/data/schema.hpp"

namespace doppel::eval {

struct DecodedBlock {
  int64_t n = 0;                 // sequences
  int64_t L = 0;                 // steps per row of `features`
  std::vector<int32_t> lengths;  // [n], clamped to [0, L]
  // attributes[a][i]: continuous -> original units; discrete -> category / bin index.
  std::vector<std::vector<double>> attributes;
  // features[f][i * L + t] for t < lengths[i] (same convention); values after the length are 0.
  std::vector<std::vector<double>> features;

  double feature(size_t f, int64_t i, int64_t t) const { return features[f][i * L + t]; }
};

// Decodes `batch` with `schema`; throws Error when the batch's widths do not match it.
DecodedBlock decode_batch(const Batch& batch, const Schema& schema);

// Numeric value of a decoded cell: continuous -> itself; binned -> midpoint of its bin;
// categorical -> its index (callers must not treat it as a magnitude).
double numeric_value(const ColumnSchema& column, double decoded);

}  // namespace doppel::eval
