// Evaluation metrics against answers known in advance, on in-memory data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "doppel/data/batch_source.hpp"
#include "doppel/error.hpp"
#include "doppel/eval/evaluate.hpp"
#include "doppel/eval/statistics.hpp"

using namespace doppel;
using namespace doppel::eval;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

ColumnSchema continuous(const std::string& name, Role role, double lo, double hi) {
  ColumnSchema c;
  c.name = c.source = name;
  c.role = role;
  c.encoding = Encoding::ZeroOne;
  c.min = lo;
  c.max = hi;
  return c;
}

ColumnSchema categorical(const std::string& name, Role role, int k) {
  ColumnSchema c;
  c.name = c.source = name;
  c.role = role;
  c.encoding = Encoding::Categorical;
  for (int i = 0; i < k; ++i) c.categories.push_back("c" + std::to_string(i));
  return c;
}

// One sequence in original units: attribute values (categorical: index) and
// feature values [feature][step].
struct Seq {
  std::vector<double> attrs;
  std::vector<std::vector<double>> feats;
};

void encode_value(const ColumnSchema& c, double v, float* out) {
  if (c.encoding == Encoding::Categorical) {
    std::fill(out, out + c.width(), 0.0f);
    out[size_t(v)] = 1.0f;
  } else {
    c.encode_number(v, out);
  }
}

InMemorySource make_source(const Schema& s, const std::vector<Seq>& seqs) {
  Batch b;
  b.n = int64_t(seqs.size());
  b.L = s.max_len;
  b.A = int64_t(s.attribute_width());
  b.F = int64_t(s.feature_width());
  b.attributes.assign(b.n * b.A, 0.0f);
  b.features.assign(b.n * b.L * b.F, 0.0f);
  for (int64_t i = 0; i < b.n; ++i) {
    for (size_t a = 0; a < s.attributes.size(); ++a)
      encode_value(s.attributes[a], seqs[i].attrs[a], &b.attributes[i * b.A + s.attribute_offset(a)]);
    int32_t len = int32_t(seqs[i].feats.at(0).size());
    for (size_t f = 0; f < s.features.size(); ++f)
      for (int32_t t = 0; t < len; ++t)
        encode_value(s.features[f], seqs[i].feats[f][t],
                     &b.features[(i * b.L + t) * b.F + s.feature_offset(f)]);
    b.lengths.push_back(len);
    b.split.push_back(0);
    b.start_time.push_back(0);
    b.index.push_back(i);
  }
  return InMemorySource(s, b);
}

// AR(1) sequences x_t = φ x_{t-1} + e_t (stationary start), plus a categorical attribute
// and a categorical feature so that every pair type is exercised.
Schema ar_schema(int64_t L) {
  Schema s;
  s.max_len = L;
  s.attributes = {categorical("group", Role::Attribute, 3), continuous("level", Role::Attribute, -3, 3)};
  s.features = {continuous("x", Role::Feature, -10, 10), categorical("state", Role::Feature, 4)};
  return s;
}

std::vector<Seq> ar_sequences(int n, int64_t L, double phi, unsigned seed, bool vary_length = false) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> group(0, 2), state(0, 3);
  std::uniform_int_distribution<int64_t> len(2, L);
  std::vector<Seq> out;
  for (int i = 0; i < n; ++i) {
    Seq q;
    q.attrs = {double(group(rng)), std::clamp(normal(rng), -3.0, 3.0)};
    int64_t l = vary_length ? len(rng) : L;
    q.feats.assign(2, {});
    double x = normal(rng) / std::sqrt(1 - phi * phi);
    for (int64_t t = 0; t < l; ++t) {
      if (t > 0) x = phi * x + normal(rng);
      q.feats[0].push_back(x);
      q.feats[1].push_back(double(state(rng)));
    }
    out.push_back(q);
  }
  return out;
}

double get2(const nlohmann::json& j, const char* a, const char* b) { return j.at(a).at(b).get<double>(); }

}  // namespace

TEST(EvalMetrics, DataAgainstItselfScoresOne) {
  Schema s = ar_schema(60);
  auto src = make_source(s, ar_sequences(300, 60, 0.8, 1, true));
  EvaluateOptions opt;
  auto m = evaluate(src, nullptr, src, opt).metrics;
  EXPECT_NEAR(get2(m, "similarity", "score"), 1.0, 1e-12);
  EXPECT_NEAR(get2(m, "similarity", "histogram_2d"), 1.0, 1e-12);
  EXPECT_NEAR(get2(m, "similarity", "mutual_information"), 1.0, 1e-12);
  EXPECT_NEAR(get2(m, "autocorrelation", "score"), 1.0, 1e-12);
  EXPECT_NEAR(get2(m, "autocorrelation", "acf_mse"), 0.0, 1e-15);
  EXPECT_NEAR(get2(m, "sequential_mutual_information", "score"), 1.0, 1e-12);
  for (auto& [name, d] : m["distances"].items()) {
    if (d.contains("w1")) EXPECT_EQ(d["w1"].get<double>(), 0.0) << name;
    if (d.contains("ks")) EXPECT_EQ(d["ks"].get<double>(), 0.0) << name;
  }
  EXPECT_TRUE(m["utility"].contains("skipped"));
  EXPECT_TRUE(m["discriminative"].contains("skipped"));
}

// Real: AR(1) with φ = 0.8, so A_real(τ) = 0.8^τ. Shuffling each sequence's steps makes
// A_syn(τ) ≈ 0 (exactly −1/(n−1) in expectation), so AC ≈ 1 − Σ 0.8^{2τ} / Σ 0.8^{2τ} = 0;
// the sampling error of the mean ACF over 400 sequences of 200 steps is ~0.004 per lag,
// so AC stays far below 0.2.
TEST(EvalMetrics, ShuffledTimeOrderLosesAutocorrelation) {
  Schema s = ar_schema(200);
  auto seqs = ar_sequences(400, 200, 0.8, 2);
  auto shuffled = seqs;
  std::mt19937 rng(3);
  for (auto& q : shuffled) std::shuffle(q.feats[0].begin(), q.feats[0].end(), rng);
  auto real = make_source(s, seqs), syn = make_source(s, shuffled);
  auto m = evaluate(real, nullptr, syn, EvaluateOptions{}).metrics;
  EXPECT_LT(get2(m, "autocorrelation", "score"), 0.2);
  EXPECT_GT(get2(m, "autocorrelation", "score"), -0.2);
  // Marginals are untouched by shuffling, so the histogram part is still 1.
  EXPECT_NEAR(m["similarity"]["per_column"]["x"].get<double>(), 1.0, 1e-12);
  // The real lag-1 SMI of x is large, the shuffled one ~0: the SMI score drops.
  EXPECT_LT(m["sequential_mutual_information"]["per_feature"]["x"]["score"].get<double>(), 0.3);
}

// Mean ACF of AR(1) sequences at lag k is φ^k up to (i) the bias from estimating each
// sequence's mean, about −Var(x̄)/σ² = −(1/n)(1+φ)/(1−φ) = −9/500 = −0.018 for φ = 0.8,
// n = 500, and (ii) sampling error: per sequence sd(r_k) ≲ sqrt((1+φ²)/(1−φ²)/n) ≈ 0.095,
// over 400 sequences 0.0048, so 4 sd ≈ 0.02. Tolerance 0.018 + 0.02 ≈ 0.04.
TEST(EvalMetrics, Ar1AutocorrelationMatchesPhiPowers) {
  const int64_t L = 500;
  Schema s = ar_schema(L);
  SummaryOptions o;
  o.max_lag = 5;
  DataSummary sum(s, o);
  auto src = make_source(s, ar_sequences(400, L, 0.8, 4));
  sum.add(decode_batch(src.data(), s));
  auto acf = sum.mean_acf(0);
  for (int k = 1; k <= 5; ++k) EXPECT_NEAR(acf[k - 1], std::pow(0.8, k), 0.04) << "lag " << k;
}

TEST(EvalMetrics, AutocorrelationOfAlternatingSeriesIsMinusOne) {
  std::vector<double> x;
  for (int t = 0; t < 100; ++t) x.push_back(t % 2 ? 1.0 : -1.0);
  auto a = autocorrelation(x.data(), x.size(), 3);
  EXPECT_NEAR(a[0], -1.0, 1e-12);
  EXPECT_NEAR(a[1], 1.0, 1e-12);
  std::vector<double> constant(10, 4.2);
  EXPECT_TRUE(std::isnan(autocorrelation(constant.data(), constant.size(), 1)[0]));
  // Lag τ needs n >= τ + 2.
  auto short_acf = autocorrelation(x.data(), 4, 3);
  EXPECT_TRUE(std::isfinite(short_acf[1]));
  EXPECT_TRUE(std::isnan(short_acf[2]));
}

// Independent uniform categories: the plug-in MI bias is about (K−1)²/(2n) = 8e-5 nats
// for K = 5, n = 100000, and H ≈ log 5, so NMI ≪ 0.01. A copied column has NMI 1.
TEST(EvalMetrics, IndependentColumnsHaveNmiNearZero) {
  Schema s;
  s.max_len = 1;
  s.attributes = {categorical("a", Role::Attribute, 5), categorical("b", Role::Attribute, 5),
                  categorical("a_copy", Role::Attribute, 5)};
  s.features = {continuous("x", Role::Feature, 0, 1)};
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> u(0, 4);
  std::vector<Seq> seqs;
  for (int i = 0; i < 100000; ++i) {
    double a = u(rng);
    seqs.push_back({{a, double(u(rng)), a}, {{0.5}}});
  }
  auto src = make_source(s, seqs);
  auto m = evaluate(src, nullptr, src, EvaluateOptions{}).metrics;
  const auto& pairs = m["similarity"]["pairs"];
  ASSERT_EQ(pairs[0]["columns"][1], "b");
  EXPECT_LT(pairs[0]["nmi_real"].get<double>(), 0.01);
  ASSERT_EQ(pairs[1]["columns"][1], "a_copy");
  EXPECT_NEAR(pairs[1]["nmi_real"].get<double>(), 1.0, 1e-9);
}

TEST(EvalMetrics, DisjointCategoriesHaveZeroOverlap) {
  Schema s;
  s.max_len = 3;
  s.attributes = {categorical("kind", Role::Attribute, 4)};
  s.features = {categorical("event", Role::Feature, 4)};
  std::vector<Seq> real, syn;
  for (int i = 0; i < 50; ++i) {
    real.push_back({{double(i % 2)}, {{0, 1, 0}}});
    syn.push_back({{double(2 + i % 2)}, {{2, 3, 3}}});
  }
  auto m = evaluate(make_source(s, real), nullptr, make_source(s, syn), EvaluateOptions{}).metrics;
  EXPECT_EQ(m["similarity"]["per_column"]["kind"].get<double>(), 0.0);
  EXPECT_EQ(m["similarity"]["per_column"]["event"].get<double>(), 0.0);
  EXPECT_EQ(m["similarity"]["histogram_2d"].get<double>(), 0.0);
  EXPECT_EQ(m["distances"]["attribute:kind"]["total_variation"].get<double>(), 1.0);
}

TEST(EvalMetrics, DistancesOfKnownHistograms) {
  std::vector<double> mid{0.5, 1.5, 2.5, 3.5};
  std::vector<double> a{1, 2, 3, 4};
  EXPECT_EQ(wasserstein1(a, a, mid), 0.0);
  EXPECT_EQ(kolmogorov_smirnov(a, a), 0.0);
  // All mass at 0.5 vs all at 2.5: W1 = 2, KS = 1.
  EXPECT_NEAR(wasserstein1({5, 0, 0, 0}, {0, 0, 7, 0}, mid), 2.0, 1e-12);
  EXPECT_NEAR(kolmogorov_smirnov({5, 0, 0, 0}, {0, 0, 7, 0}), 1.0, 1e-12);
  // Half the mass moved by one bin: W1 = 0.5, KS = 0.5.
  EXPECT_NEAR(wasserstein1({2, 0, 0, 0}, {1, 1, 0, 0}, mid), 0.5, 1e-12);
  EXPECT_NEAR(kolmogorov_smirnov({2, 0, 0, 0}, {1, 1, 0, 0}), 0.5, 1e-12);
  EXPECT_NEAR(histogram_overlap({1, 1, 0, 0}, {0, 1, 1, 0}), 0.5, 1e-12);
}

TEST(EvalMetrics, LengthDistanceSeesShorterSequences) {
  Schema s = ar_schema(20);
  auto real = ar_sequences(100, 20, 0.5, 6);
  auto shorter = real;
  for (auto& q : shorter)
    for (auto& f : q.feats) f.resize(10);  // all lengths 20 -> 10
  auto m = evaluate(make_source(s, real), nullptr, make_source(s, shorter), EvaluateOptions{}).metrics;
  EXPECT_NEAR(get2(m["distances"], "length", "w1"), 10.0, 1e-12);
  EXPECT_NEAR(get2(m["distances"], "length", "ks"), 1.0, 1e-12);
}

TEST(EvalMetrics, StreamingBlocksGiveTheSameNumbersAsOneBlock) {
  Schema s = ar_schema(40);
  auto real = make_source(s, ar_sequences(9000, 40, 0.7, 7, true));
  auto syn = make_source(s, ar_sequences(5000, 40, 0.5, 8, true));
  EvaluateOptions small, whole;
  small.summary.block = 4096;
  whole.summary.block = 1 << 20;
  auto a = evaluate(real, nullptr, syn, small).metrics;
  auto b = evaluate(real, nullptr, syn, whole).metrics;
  EXPECT_EQ(a.dump(), b.dump());
  EXPECT_LT(get2(a, "autocorrelation", "score"), 0.99);  // the two data sets differ
}

TEST(EvalMetrics, DailyTotalsOfDatedEvents) {
  Schema s;
  s.max_len = 3;
  ColumnSchema start = continuous("start_time", Role::Attribute, 0, 86400 * 10);
  start.source = "@start_time";
  start.integer = true;
  ColumnSchema delta = continuous("delta", Role::Feature, 0, 86400 * 2);
  delta.source = "@delta";
  delta.integer = true;
  s.attributes = {start};
  s.features = {delta, continuous("amount", Role::Feature, -100, 100)};
  // Sequence 0 starts on day 1: events on days 1, 1, 2 with amounts -10, +50, -20.
  // Sequence 1 starts on day 2: events on days 2, 4 with -5, -1.
  std::vector<Seq> seqs{{{86400 + 100}, {{0, 3600, 86400}, {-10, 50, -20}}},
                        {{2 * 86400 + 5}, {{0, 2 * 86400}, {-5, -1}}}};
  auto src = make_source(s, seqs);
  SummaryOptions o;
  DataSummary neg(s, o);
  neg.add(decode_batch(src.data(), s));
  ASSERT_TRUE(neg.dated) << neg.undated_reason;
  std::map<int64_t, double> want{{1, 10}, {2, 25}, {4, 1}};
  ASSERT_EQ(neg.daily.size(), want.size());
  for (auto& [d, v] : want) EXPECT_NEAR(neg.daily.at(d), v, 0.05) << "day " << d;
  auto series = daily_series(neg);
  EXPECT_EQ(series.size(), 4u);  // days 1..4, day 3 empty
  o.aggregate_sign = "all";
  DataSummary all(s, o);
  all.add(decode_batch(src.data(), s));
  EXPECT_NEAR(all.daily.at(1), 40, 0.05);
}

TEST(EvalMetrics, SchemaMismatchNamesTheColumn) {
  Schema s = ar_schema(10), t = ar_schema(10);
  t.features[1] = categorical("mood", Role::Feature, 4);
  auto a = make_source(s, ar_sequences(5, 10, 0.5, 9));
  auto b = make_source(t, ar_sequences(5, 10, 0.5, 9));
  auto msg = error_of([&] { evaluate(a, nullptr, b, EvaluateOptions{}, "real.h5", "syn.h5"); });
  EXPECT_NE(msg.find("real.h5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("syn.h5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("state"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mood"), std::string::npos) << msg;
}

TEST(EvalMetrics, EmptyDataIsRejected) {
  Schema s = ar_schema(10);
  auto a = make_source(s, ar_sequences(5, 10, 0.5, 9));
  auto empty = make_source(s, {});
  auto msg = error_of([&] { evaluate(a, nullptr, empty, EvaluateOptions{}, "real.h5", "syn.h5"); });
  EXPECT_NE(msg.find("syn.h5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no sequences"), std::string::npos) << msg;
}

TEST(EvalMetrics, LearnedCallbackFillsItsSlots) {
  Schema s = ar_schema(10);
  auto a = make_source(s, ar_sequences(20, 10, 0.5, 10));
  EvaluateOptions opt;
  opt.learned = [](const BatchSource& tr, const BatchSource& te, const BatchSource& sy) {
    return nlohmann::json{{"utility", {{"ratio", double(tr.size() + te.size() + sy.size())}}}};
  };
  auto m = evaluate(a, &a, a, opt).metrics;
  EXPECT_EQ(m["utility"]["ratio"].get<double>(), 60.0);
  EXPECT_TRUE(m["discriminative"].contains("skipped"));
}

// The cell-boundary profile against a direct computation, and an artifact every 4 steps that
// leaves the marginals alone (x_t -> -x_t at the first step of each 4-step cell of a
// symmetric AR(1)) is flagged while the data against itself is not.
TEST(EvalMetrics, CellBoundaryProfileMatchesADirectCountAndFlagsCellArtifacts) {
  Schema s = ar_schema(40);
  auto seqs = ar_sequences(300, 40, 0.8, 5);
  auto flipped = seqs;
  for (auto& q : flipped)
    for (size_t t = 4; t < q.feats[0].size(); t += 4) q.feats[0][t] = -q.feats[0][t];
  EvaluateOptions opt;
  opt.summary.cell_length = 4;
  auto real = make_source(s, seqs), syn = make_source(s, flipped);
  auto self = evaluate(real, nullptr, real, opt).metrics["cell_boundary"];
  EXPECT_FALSE(self["flagged"].get<bool>()) << self.dump(1);
  EXPECT_NEAR(self["excess"].get<double>(), 0.0, 1e-12);
  std::vector<double> sum(4, 0.0), count(4, 0.0);
  for (const auto& q : seqs)
    for (size_t t = 1; t < q.feats[0].size(); ++t) {
      sum[t % 4] += std::fabs(q.feats[0][t] - q.feats[0][t - 1]);
      count[t % 4] += 1;
    }
  for (size_t p = 0; p < 4; ++p)  // float encoding of [-10, 10]: ~1e-6 per value
    EXPECT_NEAR(self["per_feature"]["x"]["real"][p].get<double>(), sum[p] / count[p], 1e-4) << p;
  auto m = evaluate(real, nullptr, syn, opt).metrics;
  EXPECT_TRUE(m["cell_boundary"]["flagged"].get<bool>()) << m["cell_boundary"].dump(1);
  EXPECT_GT(m["cell_boundary"]["max_over_min_synthetic"].get<double>(), 2.0);
  EXPECT_GT(m["similarity"]["per_column"]["x"].get<double>(), 0.9);  // marginals barely move
  // No cell length: skipped, saying why.
  EXPECT_TRUE(evaluate(real, nullptr, syn, EvaluateOptions{}).metrics["cell_boundary"].contains("skipped"));
}

// Hourly weeks with their start hour and weekday as attributes, the traffic-like value a
// function of the hour of the week, plus noise. `lag` moves every synthetic week's pattern
// that many hours later than its attributes say.
Schema calendar_schema(int64_t L) {
  Schema s;
  s.kind = "windows";
  s.step_seconds = 3600;
  s.max_len = L;
  ColumnSchema hour = categorical("hour", Role::Attribute, 24), day = categorical("day", Role::Attribute, 7);
  hour.source = "@start_hour", day.source = "@start_dayofweek";
  for (int h = 0; h < 24; ++h) hour.categories[size_t(h)] = std::to_string((h + 5) % 24);  // any order
  for (int d = 0; d < 7; ++d) day.categories[size_t(d)] = std::to_string(d);
  s.attributes = {hour, day};
  s.features = {continuous("volume", Role::Feature, 0, 10)};
  return s;
}
double hour_of_week_value(int64_t p) {
  const double daily = 4 + 3 * std::sin(2 * M_PI * double(p % 24) / 24.0);
  return p / 24 >= 5 ? daily * 0.6 : daily;  // quieter weekends
}
std::vector<Seq> calendar_weeks(int n, int64_t L, int64_t lag, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> category(0, 23), weekday(0, 6);
  std::normal_distribution<double> noise(0, 0.2);
  std::vector<Seq> out;
  for (int i = 0; i < n; ++i) {
    Seq q;
    const int c = category(rng), d = weekday(rng);
    const int64_t start = d * 24 + (c + 5) % 24;
    q.attrs = {double(c), double(d)};
    q.feats.assign(1, {});
    for (int64_t t = 0; t < L; ++t)
      q.feats[0].push_back(std::clamp(hour_of_week_value((start + t - lag + 168 * 10) % 168) + noise(rng), 0.0, 10.0));
    out.push_back(std::move(q));
  }
  return out;
}

// The profile by hour of the week against the one built directly; a synthetic set whose weeks
// come 12 hours late (same marginals, same autocorrelation) is flagged, with the shift found.
TEST(EvalMetrics, CalendarProfileFindsWeeksAtTheWrongHours) {
  Schema s = calendar_schema(168);
  auto real = make_source(s, calendar_weeks(400, 168, 0, 1));
  auto same = make_source(s, calendar_weeks(400, 168, 0, 2));
  auto late = make_source(s, calendar_weeks(400, 168, 12, 3));
  const auto ok = evaluate(real, nullptr, same, EvaluateOptions{}).metrics;
  const auto& c = ok["calendar"];
  EXPECT_EQ(c["period_steps"].get<int64_t>(), 168) << c.dump(1);
  EXPECT_GT(c["correlation"].get<double>(), 0.98);
  EXPECT_EQ(c["best_shift_steps"].get<int64_t>(), 0);
  EXPECT_FALSE(c["flagged"].get<bool>());
  for (int64_t p : {0, 7, 100, 167})  // the mean at each hour of the week is the pattern itself
    EXPECT_NEAR(c["per_feature"]["volume"]["real"][size_t(p)].get<double>(), hour_of_week_value(p), 0.15) << p;

  const auto bad = evaluate(real, nullptr, late, EvaluateOptions{}).metrics;
  EXPECT_TRUE(bad["calendar"]["flagged"].get<bool>()) << bad["calendar"].dump(1);
  EXPECT_LT(bad["calendar"]["correlation"].get<double>(), 0.5);
  EXPECT_EQ(bad["calendar"]["best_shift_steps"].get<int64_t>(), 12);
  EXPECT_GT(bad["autocorrelation"]["score"].get<double>(), 0.95);  // what the other metrics see
  EXPECT_GT(bad["similarity"]["per_column"]["volume"].get<double>(), 0.9);

  // Without the weekday: hour of the day. Without the start hour: skipped, saying why.
  Schema daily = s;
  daily.attributes[1].source = "day";
  Schema none = s;
  none.attributes[0].source = "hour";
  auto r2 = make_source(none, calendar_weeks(50, 168, 0, 1));
  EXPECT_NE(evaluate(r2, nullptr, r2, EvaluateOptions{}).metrics["calendar"].value("skipped", "").find("@start_hour"),
            std::string::npos);
  auto r3 = make_source(daily, calendar_weeks(50, 168, 0, 1));
  EXPECT_EQ(evaluate(r3, nullptr, r3, EvaluateOptions{}).metrics["calendar"]["period_steps"].get<int64_t>(), 24);
}

TEST(EvalMetrics, RangeSaysWhenSyntheticValuesLeaveTheRealOnes) {
  Schema s = ar_schema(40);
  auto seqs = ar_sequences(100, 40, 0.8, 6);
  auto wild = seqs;
  wild[3].feats[0][7] = 9.9;  // beyond any value of the real AR(1) sample (|x| < 8 there)
  auto real = make_source(s, seqs), syn = make_source(s, wild);
  auto same = evaluate(real, nullptr, real, EvaluateOptions{}).metrics["range"];
  EXPECT_FALSE(same["outside"].get<bool>()) << same.dump(1);
  auto m = evaluate(real, nullptr, syn, EvaluateOptions{}).metrics["range"];
  EXPECT_TRUE(m["outside"].get<bool>()) << m.dump(1);
  EXPECT_NEAR(m["per_feature"]["x"]["synthetic"][1].get<double>(), 9.9, 1e-4);
  EXPECT_LT(m["per_feature"]["x"]["real"][1].get<double>(), 8.0);
}
