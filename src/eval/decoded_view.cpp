#include "doppel/eval/decoded_view.hpp"

#include <algorithm>
#include <cmath>

#include "doppel/error.hpp"

namespace doppel::eval {

namespace {
// Discrete columns are decoded to their index, not their midpoint, so that
// histograms of binned columns count the schema's own bins exactly.
double decode_cell(const ColumnSchema& c, const float* in) {
  return c.discrete() ? double(c.decode_index(in)) : c.decode_number(in);
}
}  // namespace

DecodedBlock decode_batch(const Batch& b, const Schema& schema) {
  if (size_t(b.A) != schema.attribute_width() || size_t(b.F) != schema.feature_width())
    throw Error("batch widths (attributes " + std::to_string(b.A) + ", features " +
                std::to_string(b.F) + ") do not match the schema (" +
                std::to_string(schema.attribute_width()) + ", " +
                std::to_string(schema.feature_width()) + ")");
  DecodedBlock d;
  d.n = b.n;
  d.L = b.L;
  d.lengths.resize(b.n);
  for (int64_t i = 0; i < b.n; ++i) d.lengths[i] = std::clamp<int32_t>(b.lengths[i], 0, int32_t(b.L));
  d.attributes.assign(schema.attributes.size(), std::vector<double>(b.n));
  for (size_t a = 0; a < schema.attributes.size(); ++a) {
    const auto& c = schema.attributes[a];
    size_t off = schema.attribute_offset(a);
    for (int64_t i = 0; i < b.n; ++i) d.attributes[a][i] = decode_cell(c, &b.attributes[i * b.A + off]);
  }
  d.features.assign(schema.features.size(), std::vector<double>(b.n * b.L, 0.0));
  for (size_t f = 0; f < schema.features.size(); ++f) {
    const auto& c = schema.features[f];
    size_t off = schema.feature_offset(f);
    for (int64_t i = 0; i < b.n; ++i)
      for (int64_t t = 0; t < d.lengths[i]; ++t)
        d.features[f][i * b.L + t] = decode_cell(c, &b.features[(i * b.L + t) * b.F + off]);
  }
  return d;
}

double numeric_value(const ColumnSchema& c, double decoded) {
  if (c.encoding != Encoding::Binned) return decoded;
  size_t i = size_t(decoded);
  double v = 0.5 * (c.edges[i] + c.edges[i + 1]);
  return c.integer ? std::round(v) : v;
}

}  // namespace doppel::eval
