#include "doppel/baselines/block_bootstrap.hpp"

#include <algorithm>
#include <random>

#include "doppel/error.hpp"

namespace doppel::eval {

void block_bootstrap(const BatchSource& source, const BootstrapOptions& o, const SequenceSink& sink) {
  if (source.size() == 0) throw Error("block bootstrap: the source has no training sequences");
  if (o.block < 1) throw Error("block bootstrap: --block must be >= 1, got " + std::to_string(o.block));
  if (o.n < 0) throw Error("block bootstrap: --n must be >= 0");
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<int64_t> pick(0, source.size() - 1);
  for (int64_t done = 0; done < o.n; done += o.read_block) {
    const int64_t m = std::min(o.read_block, o.n - done);
    // One read per round: the distinct source sequences drawn for these m outputs.
    std::vector<int64_t> drawn(static_cast<size_t>(m)), unique;
    for (auto& d : drawn) d = pick(rng);
    unique = drawn;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    Batch b = source.read_indices(unique);
    const int64_t A = b.A, F = b.F, L = b.L;
    std::vector<float> feats;
    for (int64_t d : drawn) {
      const int64_t row = std::lower_bound(unique.begin(), unique.end(), d) - unique.begin();
      const int32_t len = std::clamp<int32_t>(b.lengths[row], 0, int32_t(L));
      const float* src = &b.features[row * L * F];
      feats.assign(size_t(len) * F, 0.0f);
      for (int64_t p = 0; p < len; p += o.block) {
        const int64_t w = std::min<int64_t>(o.block, len - p);
        std::uniform_int_distribution<int64_t> offset(0, len - w);
        const int64_t off = offset(rng);
        std::copy_n(src + off * F, w * F, feats.begin() + p * F);
      }
      sink(&b.attributes[row * A], feats.data(), len);
    }
  }
}

}  // namespace doppel::eval
