// Seeded samples of a BatchSource read in small batches, so that the learned metrics and
// the LSTM baseline never hold a whole file: k distinct items, and a reader that visits
// them a few hundred at a time.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "doppel/data/batch_source.hpp"

namespace doppel {

// Called with one human-readable progress line (no newline); empty = silent.
using ProgressFn = std::function<void(const std::string&)>;

// k distinct indices of [0, n), sorted (sorted reads keep file access sequential).
inline std::vector<int64_t> sample_distinct(int64_t n, int64_t k, std::mt19937_64& rng) {
  std::vector<int64_t> out;
  if (k >= n) {
    out.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i) out[size_t(i)] = i;
    return out;
  }
  // Floyd's algorithm: k draws, no O(n) memory, so huge sources are fine.
  std::unordered_set<int64_t> chosen;
  for (int64_t j = n - k; j < n; ++j) {
    int64_t t = std::uniform_int_distribution<int64_t>(0, j)(rng);
    if (!chosen.insert(t).second) chosen.insert(j);
  }
  out.assign(chosen.begin(), chosen.end());
  std::sort(out.begin(), out.end());
  return out;
}

// Reads items `idx` in small batches (so a file source never loads everything at
// once) and calls visit(batch) for each.
template <class Visit>
void read_in_batches(const BatchSource& src, const std::vector<int64_t>& idx, Visit visit,
                     size_t per_read = 256) {
  for (size_t b = 0; b < idx.size(); b += per_read) {
    std::vector<int64_t> part(idx.begin() + b, idx.begin() + std::min(idx.size(), b + per_read));
    visit(src.read_indices(part));
  }
}

// Concatenation of the items `idx` as one Batch.
inline Batch read_all(const BatchSource& src, const std::vector<int64_t>& idx) {
  Batch all;
  read_in_batches(src, idx, [&](const Batch& b) { append_batch(all, b); });
  return all;
}

}  // namespace doppel
