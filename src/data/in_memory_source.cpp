#include <algorithm>

#include "doppel/data/batch_source.hpp"
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
    b.index.push_back(data_.index.empty() ? i : data_.index[i]);
  }
  return b;
}

int64_t InMemorySource::bytes_of(const BatchSource& source) {
  const Schema& s = source.schema();
  const int64_t A = int64_t(s.attribute_width()), F = int64_t(s.feature_width());
  const int64_t per_item = int64_t(sizeof(float)) * (A + s.max_len * F) + int64_t(sizeof(int32_t)) +
                           int64_t(sizeof(uint8_t)) + 2 * int64_t(sizeof(int64_t));
  return per_item * source.size();
}

std::unique_ptr<InMemorySource> InMemorySource::copy_if_at_most(const BatchSource& source, int64_t max_bytes) {
  if (bytes_of(source) > max_bytes) return nullptr;
  return std::make_unique<InMemorySource>(copy_of(source));
}

InMemorySource InMemorySource::copy_of(const BatchSource& source) {
  Batch all;
  const int64_t n = source.size(), block = 1024;
  std::vector<int64_t> idx;
  for (int64_t begin = 0; begin < n; begin += block) {
    idx.clear();
    for (int64_t i = begin; i < std::min(n, begin + block); ++i) idx.push_back(i);
    append_batch(all, source.read_indices(idx));
  }
  return InMemorySource(source.schema(), std::move(all));
}

}  // namespace doppel
