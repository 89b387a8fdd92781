#include "doppel/eval/column_binning.hpp"

#include <algorithm>
#include <cmath>

#include "doppel/error.hpp"

namespace doppel::eval {

size_t ColumnBinning::bin(double v) const {
  const size_t n = bins();
  if (index_valued_) {
    long long i = std::llround(v);
    return size_t(std::clamp<long long>(i, 0, (long long)n - 1));
  }
  if (!(v > edges.front())) return 0;  // also catches NaN
  if (v >= edges.back()) return n - 1;
  auto it = std::upper_bound(edges.begin() + 1, edges.end() - 1, v);
  return std::min(n - 1, size_t(it - (edges.begin() + 1)));
}

ColumnBinning ColumnBinning::uniform(double lo, double hi, size_t n) {
  if (n == 0) throw Error("evaluation binning needs at least one bin");
  ColumnBinning b;
  if (!(hi > lo)) hi = lo + 1.0;  // constant column: one real bin holds everything
  for (size_t k = 0; k <= n; ++k) b.edges.push_back(lo + (hi - lo) * double(k) / double(n));
  for (size_t k = 0; k < n; ++k) b.midpoints.push_back(0.5 * (b.edges[k] + b.edges[k + 1]));
  return b;
}

ColumnBinning ColumnBinning::integers(long long lo, long long hi) {
  ColumnBinning b = uniform(double(lo) - 0.5, double(hi) + 0.5, size_t(std::max(1LL, hi - lo + 1)));
  return b;
}

ColumnBinning ColumnBinning::for_column(const ColumnSchema& c, size_t continuous_bins) {
  ColumnBinning b;
  switch (c.encoding) {
    case Encoding::Categorical:
      b.categorical = true;
      b.index_valued_ = true;
      for (size_t k = 0; k < c.categories.size(); ++k) b.midpoints.push_back(double(k));
      return b;
    case Encoding::Binned:
      b.index_valued_ = true;
      b.edges = c.edges;
      for (size_t k = 0; k + 1 < c.edges.size(); ++k)
        b.midpoints.push_back(0.5 * (c.edges[k] + c.edges[k + 1]));
      return b;
    default: return uniform(c.min, c.max, continuous_bins);
  }
}

}  // namespace doppel::eval
