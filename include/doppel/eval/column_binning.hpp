// How one column's decoded values are put into histogram bins for evaluation. The
// bins come from the schema alone (continuous: `bins` uniform bins over the fitted
// [min, max]; binned: the schema's own bins; categorical: one bin per category), so
// real and synthetic data share them and no first pass over the data is needed.
#pragma once
#include <cstddef>
#include <vector>

#include "doppel/data/schema.hpp"

namespace doppel::eval {

struct ColumnBinning {
  bool categorical = false;
  std::vector<double> edges;      // numeric: bins+1 increasing edges; empty for categorical
  std::vector<double> midpoints;  // numeric: bin midpoints (original units); categorical: indices
  size_t bins() const { return midpoints.size(); }
  // Bin of a decoded value (continuous: clamped into the range; discrete: the index itself).
  size_t bin(double decoded) const;

  static ColumnBinning for_column(const ColumnSchema& column, size_t continuous_bins);
  static ColumnBinning uniform(double lo, double hi, size_t n);       // numeric bins over [lo, hi]
  static ColumnBinning integers(long long lo, long long hi);          // one bin per integer
 private:
  bool index_valued_ = false;  // discrete: decoded value is the bin index
};

}  // namespace doppel::eval
