// Learned metrics and the LSTM baseline on small synthetic processes whose answer
// is known: a sine is forecastable, noise is not; constant vs sine is separable,
// two draws of one process are not; a periodic pattern must come back periodic.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <set>

#include "doppel/error.hpp"
#include "doppel/eval/learned_metrics.hpp"
#include "doppel/baselines/lstm_baseline.hpp"
#include "test_util.hpp"

using namespace doppel;

namespace {

ColumnSchema continuous(const std::string& name, Role role) {
  ColumnSchema c;
  c.name = c.source = name;
  c.role = role;
  c.encoding = Encoding::ZeroOne;
  return c;
}

ColumnSchema categorical(const std::string& name, Role role, size_t k) {
  ColumnSchema c;
  c.name = c.source = name;
  c.role = role;
  c.encoding = Encoding::Categorical;
  for (size_t i = 0; i < k; ++i) c.categories.push_back("c" + std::to_string(i));
  return c;
}

// Schema: attribute "group" (2 categories); features "value" (zero_one) and, when
// `with_phase`, "phase" (categorical, `period` categories).
Schema make_schema(int64_t L, bool with_phase = false, size_t period = 6) {
  Schema s;
  s.max_len = L;
  s.attributes.push_back(categorical("group", Role::Attribute, 2));
  s.features.push_back(continuous("value", Role::Feature));
  if (with_phase) s.features.push_back(categorical("phase", Role::Feature, period));
  return s;
}

// n sequences of length L (or random lengths in [min_len, L]) with value(t, phase, rng).
template <class Value>
InMemorySource make_source(const Schema& s, int64_t n, uint64_t seed, Value value, int64_t min_len = -1) {
  std::mt19937_64 rng(seed);
  Batch b;
  b.n = n;
  b.L = s.max_len;
  b.A = int64_t(s.attribute_width());
  b.F = int64_t(s.feature_width());
  b.features.assign(size_t(n * b.L * b.F), 0.0f);
  b.attributes.assign(size_t(n * b.A), 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    int64_t len = min_len < 0 ? b.L : std::uniform_int_distribution<int64_t>(min_len, b.L)(rng);
    double phase = std::uniform_real_distribution<double>(0, 1)(rng);
    if (b.A > 0) b.attributes[size_t(i * b.A + (i % 2))] = 1.0f;
    for (int64_t t = 0; t < len; ++t) value(t, phase, rng, &b.features[size_t((i * b.L + t) * b.F)]);
    b.lengths.push_back(int32_t(len));
    b.split.push_back(0);
    b.start_time.push_back(1000 * i);
    b.index.push_back(i);
  }
  return InMemorySource(s, b);
}

auto sine = [](int64_t t, double phase, std::mt19937_64&, float* row) {
  row[0] = float(0.5 + 0.4 * std::sin(2 * M_PI * (double(t) / 16.0 + phase)));
};
// The sine seen through Gaussian noise (std 0.05): the forecast error then has a
// floor both forecasters reach, so their ratio measures the data, not luck.
auto noisy_sine = [](int64_t t, double phase, std::mt19937_64& rng, float* row) {
  double v = 0.5 + 0.4 * std::sin(2 * M_PI * (double(t) / 16.0 + phase));
  row[0] = float(std::clamp(v + 0.05 * std::normal_distribution<double>()(rng), 0.0, 1.0));
};
auto noise = [](int64_t, double, std::mt19937_64& rng, float* row) {
  row[0] = float(std::uniform_real_distribution<double>(0, 1)(rng));
};
auto constant = [](int64_t, double, std::mt19937_64&, float* row) { row[0] = 0.5f; };

class LearnedMetrics : public ::testing::Test {
 protected:
  void SetUp() override { at::set_num_threads(1); }
};

UtilityOptions small_utility() {
  UtilityOptions o;
  o.max_windows = 2000;
  o.window = 16;
  o.horizons = {1, 4};
  o.period = 16;  // the sine's period
  o.seed = 7;
  o.boosting.threads = 1;
  return o;
}

}  // namespace

TEST_F(LearnedMetrics, UtilityNoiseTrainedForecasterIsWorseThanRealTrained) {
  Schema s = make_schema(64);
  auto train = make_source(s, 100, 1, sine), test = make_source(s, 40, 2, sine);
  auto syn = make_source(s, 100, 3, noise);
  auto j = utility_score(train, test, syn, small_utility());
  RecordProperty("utility", j.dump());
  double er = j["error_real"], es = j["error_synthetic"];
  EXPECT_EQ(j["target"], "value");
  // Amplitude 0.4: predicting the centre costs ~0.25 per step; trees on the sine do far better.
  EXPECT_LT(er, 0.05) << j.dump();
  EXPECT_GT(es, 0.15) << j.dump();
  EXPECT_GT(double(j["ratio"]), 3.0) << j.dump();
  EXPECT_NEAR(double(j["ratio"]), es / er, 1e-9);
  // Every window of every test sequence: anchors t = 16 .. 64 - 4.
  EXPECT_EQ(j["n_windows_test"], 40 * (64 - 16 - 4 + 1));
  // Independent references: a noiseless period-16 sine repeats exactly after one period, so the
  // seasonal-naive forecast is exact; persistence at horizon h errs by E|x(t+h) - x(t)|.
  for (const auto& h : j["by_horizon"]) {
    EXPECT_NEAR(double(h["error_seasonal_naive"]), 0.0, 1e-6) << h.dump();
    const double step = 2 * M_PI * double(h["horizon"]) / 16.0;
    // mean over the phase of |0.4 (sin(u + step) - sin(u))| = 0.4 * 2|sin(step/2)| * 2/pi
    EXPECT_NEAR(double(h["error_persistence"]), 0.4 * 2 * std::fabs(std::sin(step / 2)) * 2 / M_PI, 0.01) << h.dump();
  }
}

TEST_F(LearnedMetrics, UtilitySameProcessGivesRatioNearOne) {
  Schema s = make_schema(64);
  auto train = make_source(s, 100, 11, noisy_sine), test = make_source(s, 40, 12, noisy_sine);
  auto syn = make_source(s, 100, 13, noisy_sine);  // another draw of the same process
  auto j = utility_score(train, test, syn, small_utility());
  RecordProperty("utility", j.dump());
  for (const auto& h : j["by_horizon"]) {
    EXPECT_GT(double(h["ratio"]), 0.85) << j.dump();
    EXPECT_LT(double(h["ratio"]), 1.15) << j.dump();
    // The noise floor: E|N(0, 0.05)| = 0.04; a forecaster cannot beat it.
    EXPECT_GT(double(h["error_real"]), 0.035) << j.dump();
    EXPECT_LT(double(h["error_real"]), 0.08) << j.dump();
  }
}

TEST_F(LearnedMetrics, UtilityRepeatsAverageIndependentRunsAndReportTheirSpread) {
  Schema s = make_schema(64);
  auto train = make_source(s, 100, 11, noisy_sine), test = make_source(s, 40, 12, noisy_sine);
  auto syn = make_source(s, 100, 14, noise);
  UtilityOptions o = small_utility();
  o.max_windows = 500;
  o.boosting.max_rounds = 30;
  // Repeat r is the one-repeat run with seed + 4r.
  std::vector<nlohmann::json> single;
  for (int r = 0; r < 3; ++r) {
    UtilityOptions one = o;
    one.seed = o.seed + 4 * uint64_t(r);
    single.push_back(utility_score(train, test, syn, one));
    EXPECT_TRUE(single.back()["ratio_se"].is_null()) << single.back().dump();
    ASSERT_EQ(single.back()["ratios"].size(), 1u);
  }
  o.repeats = 3;
  auto rep = utility_score(train, test, syn, o);
  RecordProperty("utility", rep.dump());
  ASSERT_EQ(rep["ratios"].size(), 3u);
  EXPECT_EQ(rep["repeats"], 3);
  std::vector<double> r = rep["ratios"].get<std::vector<double>>();
  double mean = 0, err_real = 0, err_syn = 0;
  for (int k = 0; k < 3; ++k) {
    EXPECT_DOUBLE_EQ(r[size_t(k)], double(single[size_t(k)]["ratio"])) << k;
    mean += r[size_t(k)] / 3;
    err_real += double(single[size_t(k)]["error_real"]) / 3;
    err_syn += double(single[size_t(k)]["error_synthetic"]) / 3;
  }
  EXPECT_NE(r[0], r[1]);  // fresh windows and trees in every repeat
  EXPECT_NE(r[1], r[2]);
  double ss = 0;
  for (double x : r) ss += (x - mean) * (x - mean);
  EXPECT_NEAR(double(rep["ratio"]), mean, 1e-12);
  EXPECT_NEAR(double(rep["ratio_se"]), std::sqrt(ss / 2) / std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(double(rep["error_real"]), err_real, 1e-12);
  EXPECT_NEAR(double(rep["error_synthetic"]), err_syn, 1e-12);
  o.repeats = 0;
  EXPECT_THROW(utility_score(train, test, syn, o), Error);
}

TEST_F(LearnedMetrics, UtilityReusesTheRealForecasterOnlyForTheSameRealData) {
  Schema s = make_schema(64);
  auto train = make_source(s, 100, 11, noisy_sine), test = make_source(s, 40, 12, noisy_sine);
  auto syn_a = make_source(s, 100, 14, noise), syn_b = make_source(s, 100, 15, sine);
  auto other_train = make_source(s, 100, 21, noisy_sine);
  UtilityOptions o = small_utility();
  o.repeats = 2;
  o.max_windows = 500;  // the figures need not be good, only equal
  o.boosting.max_rounds = 10;
  auto plain_a = utility_score(train, test, syn_a, o), plain_b = utility_score(train, test, syn_b, o);
  auto plain_other = utility_score(other_train, test, syn_b, o);
  RealForecasterCache cache;
  std::vector<std::string> lines;
  auto progress = [&](const std::string& l) { lines.push_back(l); };
  auto count = [&](const std::string& what) {
    return std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(what) != std::string::npos; });
  };
  // First file: both real forecasters trained and kept.
  auto a = utility_score(train, test, syn_a, o, progress, &cache);
  EXPECT_EQ(cache.errors.size(), 2u);
  EXPECT_EQ(cache.hits, 0);
  EXPECT_GT(count("trained on real (repeat"), 0);
  // Second file against the same real data: reused, and every figure equals the uncached run.
  lines.clear();
  auto b = utility_score(train, test, syn_b, o, progress, &cache);
  EXPECT_EQ(cache.hits, 2);
  EXPECT_EQ(count("trained on real (repeat"), 0);
  EXPECT_EQ(count("reused"), 2);
  for (const auto& [cached, plain] : {std::pair{a, plain_a}, std::pair{b, plain_b}})
    for (const char* key : {"ratio", "error_real", "error_synthetic", "ratio_se"})
      EXPECT_EQ(double(cached[key]), double(plain[key])) << key;
  // Other real training data: a miss, trained afresh.
  lines.clear();
  auto other = utility_score(other_train, test, syn_b, o, progress, &cache);
  EXPECT_EQ(cache.hits, 2);
  EXPECT_EQ(cache.errors.size(), 4u);
  EXPECT_EQ(count("reused"), 0);
  EXPECT_EQ(double(other["error_real"]), double(plain_other["error_real"]));
  EXPECT_NE(double(other["error_real"]), double(plain_b["error_real"]));
  // Other options (another seed): a miss as well.
  o.seed += 1;
  utility_score(train, test, syn_b, o, {}, &cache);
  EXPECT_EQ(cache.hits, 2);
  EXPECT_EQ(cache.errors.size(), 6u);
}

TEST_F(LearnedMetrics, UtilityRejectsBadTargetsHorizonsAndShortSequences) {
  Schema s = make_schema(64, true, 6);
  auto src = make_source(s, 10, 1, [](int64_t t, double, std::mt19937_64&, float* row) {
    row[0] = 0.5f;
    row[1 + t % 6] = 1.0f;
  });
  UtilityOptions o = small_utility();
  o.boosting.max_rounds = 1;
  o.target = "phase";
  EXPECT_THROW(utility_score(src, src, src, o), Error);  // categorical
  o.target = "nope";
  EXPECT_THROW(utility_score(src, src, src, o), Error);
  o.target = "";
  o.horizons = {1, 0};
  EXPECT_THROW(utility_score(src, src, src, o), Error);
  o.horizons = {1, 4};
  o.window = 61;  // 61 inputs + 4 steps ahead do not fit in 64 steps
  EXPECT_NE(doppel_test::error_of([&] { utility_score(src, src, src, o); }).find("long enough"), std::string::npos);
  auto other = make_source(make_schema(64), 10, 1, sine);
  o.window = 30;
  EXPECT_THROW(utility_score(src, src, other, o), Error);  // layouts differ
}

TEST_F(LearnedMetrics, DiscriminativeScoreSeparatesOnlyDifferentData) {
  Schema s = make_schema(48);
  DiscriminativeOptions o;
  o.seed = 3;
  o.max_sequences = 300;
  o.boosting.threads = 1;
  auto same = discriminative_score(make_source(s, 300, 21, sine), make_source(s, 300, 22, sine), o);
  EXPECT_LT(double(same["score"]), 0.25) << same.dump();
  EXPECT_EQ(same["n_test"], 180);  // 30 % of each class held out
  EXPECT_EQ(same["n_train"], 420);
  auto diff = discriminative_score(make_source(s, 300, 23, sine), make_source(s, 300, 24, constant), o);
  EXPECT_GT(double(diff["score"]), 0.9) << diff.dump();
  EXPECT_NEAR(double(diff["score"]), 2 * std::abs(double(diff["accuracy"]) - 0.5), 1e-12);
  // A sine with a few steps shuffled: marginals equal, dynamics not; the summaries see it.
  auto kinked = make_source(s, 300, 25, [](int64_t t, double phase, std::mt19937_64& rng, float* row) {
    const int64_t u = t % 8 == 0 ? std::uniform_int_distribution<int64_t>(0, 47)(rng) : t;
    row[0] = float(0.5 + 0.4 * std::sin(2 * M_PI * (double(u) / 16.0 + phase)));
  });
  auto k = discriminative_score(make_source(s, 300, 26, sine), kinked, o);
  EXPECT_GT(double(k["score"]), 0.8) << k.dump();
}

TEST_F(LearnedMetrics, LstmBaselineReproducesAPeriodicPattern) {
  const int64_t L = 60, P = 6;
  Schema s = make_schema(L, true, P);
  // Square wave of period 6 plus a categorical phase marker, random lengths 40..60.
  auto train = make_source(s, 200, 31, [&](int64_t t, double phase, std::mt19937_64&, float* row) {
    int64_t k = (t + int64_t(phase * P)) % P;
    row[0] = k < P / 2 ? 0.9f : 0.1f;
    row[1 + k] = 1.0f;
  }, 40);
  LstmBaselineOptions o;
  o.window = 12;
  o.hidden = 48;
  o.steps = 400;
  o.seed = 5;
  LstmBaseline model(s, o);
  model.train(train);
  Batch g = model.generate(40, 99);

  ASSERT_EQ(g.n, 40);
  ASSERT_EQ(g.L, L);
  ASSERT_EQ(g.F, 1 + P);
  ASSERT_EQ(g.A, 2);
  ASSERT_EQ(g.features.size(), size_t(40 * L * (1 + P)));
  std::set<std::vector<float>> train_attrs;
  for (int64_t i = 0; i < 200; ++i) {
    auto& a = train.data().attributes;
    train_attrs.insert(std::vector<float>(a.begin() + i * 2, a.begin() + i * 2 + 2));
  }
  double acf_sum = 0, acf_half_sum = 0;
  for (int64_t i = 0; i < g.n; ++i) {
    int64_t len = g.lengths[size_t(i)];
    ASSERT_GE(len, 1);
    ASSERT_LE(len, L);
    EXPECT_TRUE(train_attrs.count(std::vector<float>(g.attributes.begin() + i * 2, g.attributes.begin() + i * 2 + 2)));
    std::vector<double> v;
    for (int64_t t = 0; t < L; ++t) {
      const float* row = &g.features[size_t((i * L + t) * g.F)];
      float hot = 0;
      for (int64_t k = 0; k < P; ++k) hot += row[1 + k];
      if (t < len) {
        ASSERT_FLOAT_EQ(hot, 1.0f) << "one-hot block at step " << t;
        ASSERT_GE(row[0], 0.0f);
        ASSERT_LE(row[0], 1.0f);
        v.push_back(row[0]);
      } else {
        ASSERT_EQ(hot, 0.0f);
        ASSERT_EQ(row[0], 0.0f) << "features after the length must be zero";
      }
    }
    // Sample autocorrelation at lag k (the usual biased estimator).
    auto acf = [&](size_t k) {
      double m = 0, var = 0, cov = 0;
      for (double x : v) m += x;
      m /= double(v.size());
      for (double x : v) var += (x - m) * (x - m);
      for (size_t t = 0; t + k < v.size(); ++t) cov += (v[t] - m) * (v[t + k] - m);
      return var > 0 ? cov / var : 0.0;
    };
    acf_sum += acf(P);
    acf_half_sum += acf(P / 2);
  }
  EXPECT_GT(acf_sum / double(g.n), 0.3);       // the real data's is ~0.9
  EXPECT_LT(acf_half_sum / double(g.n), -0.3);  // and at half the period ~ -0.95

  // Chunked generation gives the same sequences as one call with the same seed.
  int64_t seen = 0;
  model.generate(40, 99, [&](const Batch& b) {
    for (int64_t i = 0; i < b.n; ++i, ++seen) EXPECT_EQ(b.lengths[size_t(i)], g.lengths[size_t(seen)]);
  }, 512);
  EXPECT_EQ(seen, 40);
}

TEST_F(LearnedMetrics, LstmBaselineWorksWithoutAttributesAndRefusesUntrainedUse) {
  Schema s = make_schema(20);
  s.attributes.clear();
  auto train = make_source(s, 30, 41, sine);
  LstmBaselineOptions o;
  o.window = 5;
  o.hidden = 8;
  o.layers = 1;
  o.steps = 5;
  LstmBaseline model(s, o);
  EXPECT_THROW(model.generate(3, 1), Error);
  model.train(train);
  Batch g = model.generate(3, 1);
  EXPECT_EQ(g.n, 3);
  EXPECT_EQ(g.A, 0);
}

TEST_F(LearnedMetrics, BaselineCommandTrainsOnTheFileAndWritesSequences) {
  doppel_test::TempDir dir;
  Schema s = make_schema(24, true, 4);
  auto mem = make_source(s, 40, 51, [](int64_t t, double, std::mt19937_64&, float* row) {
    row[0] = t % 4 < 2 ? 0.8f : 0.2f;
    row[1 + t % 4] = 1.0f;
  }, 10);
  const std::string data = dir.file("prepared.h5"), out = dir.file("syn.h5");
  {
    DatasetWriter w(data, s);
    const Batch& b = mem.data();
    for (int64_t i = 0; i < b.n; ++i)  // every 4th sequence is held out (split 1)
      w.append_sequence(&b.attributes[size_t(i * b.A)], &b.features[size_t(i * b.L * b.F)],
                        b.lengths[size_t(i)], uint8_t(i % 4 == 3), b.start_time[size_t(i)]);
    w.finish();
  }
  // The CLI lives in the binary only, so the test runs it.
  auto run = [&](const std::string& args) {
    std::string cmd = std::string(DOPPEL_BINARY) + " baseline lstm " + args + " > " +
                      dir.file("log.txt") + " 2>&1";
    return std::system(cmd.c_str());
  };
  ASSERT_EQ(run("--data " + data + " --out " + out +
                " --n 7 --steps 150 --hidden 8 --window 5 --seed 3 --threads 1"), 0);

  DatasetReader r(out);
  EXPECT_EQ(r.size(), 7);
  EXPECT_EQ(r.schema().kind, "sequences");
  EXPECT_TRUE(r.schema().same_layout(s));
  EXPECT_EQ(r.metadata("generator"), "lstm_baseline");
  Batch g = r.read(0, 7);
  for (int64_t i = 0; i < g.n; ++i) {
    EXPECT_GE(g.lengths[size_t(i)], 1);
    EXPECT_LE(g.lengths[size_t(i)], 24);
    EXPECT_EQ(g.split[size_t(i)], 0);
  }
  // The metrics read files through FileSource too (train split vs test split).
  FileSource train(data, 0), test(data, 1), syn(out, -1);
  UtilityOptions u;
  u.window = 5;
  u.horizons = {1, 2};
  u.boosting.max_rounds = 5;
  auto j = utility_score(train, test, syn, u);
  EXPECT_GT(double(j["n_windows_test"]), 0);
  DiscriminativeOptions d;
  d.boosting.max_rounds = 5;
  auto k = discriminative_score(test, syn, d);
  EXPECT_EQ(int64_t(k["n_train"]) + int64_t(k["n_test"]), 2 * 7);

  // Bad input fails with a message, not a crash.
  EXPECT_NE(run("--data " + dir.file("missing.h5") + " --out " + out + " --n 3"), 0);
  EXPECT_NE(run("--data " + data + " --out " + out + " --n 0"), 0);
}
