// Block bootstrap: attributes and length come from one real sequence, and every block
// of features is a contiguous run of that same sequence.
#include <gtest/gtest.h>

#include "doppel/data/batch_source.hpp"
#include "doppel/error.hpp"
#include "doppel/baselines/block_bootstrap.hpp"

using namespace doppel;

namespace {
// Feature value at (sequence i, step t) is (i * 1000 + t) / 1e6, unique per cell;
// the attribute is i / 1e3.
InMemorySource numbered_source(int n, int L) {
  Schema s;
  s.max_len = L;
  ColumnSchema a, f;
  a.name = "id";
  a.role = Role::Attribute;
  f.name = "x";
  s.attributes = {a};
  s.features = {f};
  Batch b;
  b.n = n;
  b.L = L;
  b.A = 1;
  b.F = 1;
  b.features.assign(size_t(n) * L, 0.0f);
  for (int i = 0; i < n; ++i) {
    b.attributes.push_back(float(i) / 1e3f);
    int len = 1 + (i * 7) % L;
    for (int t = 0; t < len; ++t) b.features[size_t(i) * L + t] = float(i * 1000 + t) / 1e6f;
    b.lengths.push_back(len);
  }
  return InMemorySource(s, b);
}
}  // namespace

TEST(EvalBootstrap, BlocksComeFromTheSourceSequence) {
  auto src = numbered_source(50, 40);
  eval::BootstrapOptions o;
  o.n = 300;
  o.block = 6;
  o.seed = 11;
  o.read_block = 64;  // several reads
  int count = 0, shifted_blocks = 0;
  eval::block_bootstrap(src, o, [&](const float* attr, const float* feats, int32_t len) {
    ++count;
    int i = int(std::lround(attr[0] * 1e3f));
    ASSERT_EQ(len, src.data().lengths[i]);
    for (int p = 0; p < len; p += int(o.block)) {
      int w = std::min<int>(int(o.block), len - p);
      int first = int(std::lround(feats[p] * 1e6f)) - i * 1000;
      ASSERT_GE(first, 0);
      ASSERT_LE(first + w, len);
      if (first != p) ++shifted_blocks;
      for (int k = 0; k < w; ++k)
        ASSERT_EQ(int(std::lround(feats[p + k] * 1e6f)), i * 1000 + first + k) << "block at " << p;
    }
  });
  EXPECT_EQ(count, 300);
  EXPECT_GT(shifted_blocks, 0);  // blocks really are resampled, not copied in place
}

TEST(EvalBootstrap, SameSeedSameOutputAndBadInputs) {
  auto src = numbered_source(20, 30);
  eval::BootstrapOptions o;
  o.n = 50;
  std::vector<float> a, b;
  eval::block_bootstrap(src, o, [&](const float*, const float* f, int32_t n) { a.insert(a.end(), f, f + n); });
  eval::block_bootstrap(src, o, [&](const float*, const float* f, int32_t n) { b.insert(b.end(), f, f + n); });
  EXPECT_EQ(a, b);
  o.block = 0;
  EXPECT_THROW(eval::block_bootstrap(src, o, [](const float*, const float*, int32_t) {}), Error);
  o.block = 4;
  InMemorySource empty(src.schema(), Batch{0, 30, 1, 1, {}, {}, {}, {}, {}, {}});
  EXPECT_THROW(eval::block_bootstrap(empty, o, [](const float*, const float*, int32_t) {}), Error);
}
