// The network shared by the forecaster, the discriminator and the LSTM baseline:
// an LSTM over a window of encoded steps whose last hidden state is joined with the
// sequence's attributes (through one dense layer) before a linear head. Internal to
// the torch eval files, with the sampling helpers they share.
#pragma once
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <unordered_set>
#include <vector>

#include "doppel/batch_source.hpp"

namespace doppel {

struct LstmWithAttributesImpl : torch::nn::Module {
  LstmWithAttributesImpl(int64_t in, int64_t hidden, int64_t layers, int64_t attrs,
                         int64_t attr_hidden, int64_t out)
      : lstm(register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(in, hidden)
                                                         .num_layers(layers)
                                                         .batch_first(true)))),
        head(register_module("head", torch::nn::Linear(hidden + (attrs > 0 ? attr_hidden : 0), out))) {
    if (attrs > 0) attr = register_module("attr", torch::nn::Linear(attrs, attr_hidden));
  }

  // x [B, T, in], a [B, attrs]; last [B] (int64) = which step's hidden state to use
  // (undefined: the final step).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& a,
                        const torch::Tensor& last = {}) {
    auto out = std::get<0>(lstm->forward(x));  // [B, T, H]
    torch::Tensor h;
    if (last.defined()) {
      auto idx = last.view({-1, 1, 1}).expand({out.size(0), 1, out.size(2)});
      h = out.gather(1, idx).squeeze(1);
    } else {
      h = out.select(1, out.size(1) - 1);
    }
    if (attr) h = torch::cat({h, torch::relu(attr->forward(a))}, 1);
    return head->forward(h);
  }

  torch::nn::LSTM lstm;
  torch::nn::Linear head;
  torch::nn::Linear attr{nullptr};
};
TORCH_MODULE(LstmWithAttributes);

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
