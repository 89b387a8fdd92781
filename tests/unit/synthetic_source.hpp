// A small mixed-type data set in memory for model, trainer and privacy tests: sequences
// of length 2..10 with a categorical (3) and a continuous attribute, and features u
// (zero_one), optionally v (minusone_one), and a categorical (2).
#pragma once
#include <cstdint>
#include <random>
#include <string>

#include "doppel/data/batch_source.hpp"

namespace doppel_test {

inline doppel::ColumnSchema test_column(const std::string& name, doppel::Role role, doppel::Encoding enc,
                                        int categories = 0) {
  doppel::ColumnSchema c;
  c.name = name;
  c.source = name;
  c.role = role;
  c.encoding = enc;
  for (int i = 0; i < categories; ++i) c.categories.push_back("c" + std::to_string(i));
  return c;
}

inline doppel::InMemorySource mixed_source(int64_t n, uint32_t seed, bool with_minus_one_feature = true) {
  using doppel::Encoding;
  using doppel::Role;
  doppel::Schema s;
  s.kind = "sequences";
  s.max_len = 10;
  s.attributes = {test_column("kind", Role::Attribute, Encoding::Categorical, 3),
                  test_column("size", Role::Attribute, Encoding::ZeroOne)};
  s.features = {test_column("u", Role::Feature, Encoding::ZeroOne)};
  if (with_minus_one_feature) s.features.push_back(test_column("v", Role::Feature, Encoding::MinusOneOne));
  s.features.push_back(test_column("cat", Role::Feature, Encoding::Categorical, 2));
  const int64_t F = with_minus_one_feature ? 4 : 3, L = 10;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u01(0, 1);
  doppel::Batch b;
  b.n = n;
  b.L = L;
  b.A = 4;
  b.F = F;
  b.attributes.assign(n * 4, 0.0f);
  b.features.assign(n * L * F, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    b.attributes[i * 4 + rng() % 3] = 1;
    b.attributes[i * 4 + 3] = u01(rng);
    int32_t len = int32_t(2 + rng() % 9);
    b.lengths.push_back(len);
    for (int t = 0; t < len; ++t) {
      float* f = b.features.data() + (i * L + t) * F;
      f[0] = u01(rng);
      if (with_minus_one_feature) f[1] = 2 * u01(rng) - 1;
      f[F - 2 + rng() % 2] = 1;
    }
  }
  return doppel::InMemorySource(s, b);
}

}  // namespace doppel_test
