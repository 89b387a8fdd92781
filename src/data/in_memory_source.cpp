#include <algorithm>

#include "doppel/batch_source.hpp"
#include "doppel/error.hpp"

namespace doppel {

InMemorySource::InMemorySource(Schema schema, Batch data)
    : schema_(std::move(schema)), data_(std::move(data)) {}

Batch InMemorySource::read_indices(const std::vector<int64_t>& idx) const {
  Batch b;
  b.n = int64_t(idx.size());
  b.L = data_.L;
  b.A = data_.A;
  b.F = data_.F;
  const int64_t fs = b.L * b.F;
  b.attributes.resize(b.n * b.A);
  b.features.resize(b.n * fs);
  for (int64_t k = 0; k < b.n; ++k) {
    int64_t i = idx[k];
    if (i < 0 || i >= data_.n)
      throw Error("item " + std::to_string(i) + " out of range [0, " + std::to_string(data_.n) + ")");
    std::copy_n(data_.attributes.begin() + i * b.A, b.A, b.attributes.begin() + k * b.A);
    std::copy_n(data_.features.begin() + i * fs, fs, b.features.begin() + k * fs);
    b.lengths.push_back(data_.lengths[i]);
    b.split.push_back(data_.split.empty() ? 0 : data_.split[i]);
    b.start_time.push_back(data_.start_time.empty() ? 0 : data_.start_time[i]);
    b.index.push_back(i);
  }
  return b;
}

}  // namespace doppel
