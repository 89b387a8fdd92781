// Discriminative score: a gradient-boosted classifier told to separate real from synthetic
// sequences, scored on a held-out part. Definition: docs/metrics.md.
#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include "doppel/error.hpp"
#include "doppel/eval/decoded_view.hpp"
#include "doppel/eval/learned_metrics.hpp"
#include "doppel/eval/statistics.hpp"

namespace doppel {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();
constexpr int kSummaries = 7;  // per numeric feature, see append_summaries

// mean, sd, min, max, mean |Δ|, max |Δ|, lag-1 autocorrelation of x[0..n).
void append_summaries(const std::vector<double>& x, std::vector<float>& out) {
  const size_t n = x.size();
  if (n == 0) {
    out.insert(out.end(), kSummaries, kMissing);
    return;
  }
  double mean = 0, lo = x[0], hi = x[0];
  for (double v : x) mean += v, lo = std::min(lo, v), hi = std::max(hi, v);
  mean /= double(n);
  double var = 0, dsum = 0, dmax = 0;
  for (size_t t = 0; t < n; ++t) {
    var += (x[t] - mean) * (x[t] - mean);
    if (t > 0) {
      const double d = std::fabs(x[t] - x[t - 1]);
      dsum += d;
      dmax = std::max(dmax, d);
    }
  }
  const double lag1 = eval::autocorrelation(x.data(), n, 1)[0];  // NaN when undefined
  out.push_back(float(mean));
  out.push_back(float(std::sqrt(var / double(n))));
  out.push_back(float(lo));
  out.push_back(float(hi));
  out.push_back(n > 1 ? float(dsum / double(n - 1)) : kMissing);
  out.push_back(n > 1 ? float(dmax) : kMissing);
  out.push_back(std::isfinite(lag1) ? float(lag1) : kMissing);
}

// One row per sequence: the raw series of every feature (steps 0..L-1, missing after the
// length), the encoded attributes, the summaries of each numeric feature, the length.
void append_rows(const Batch& b, const Schema& schema, int64_t L, eval::FeatureMatrix& m) {
  const eval::DecodedBlock d = eval::decode_batch(b, schema);
  std::vector<double> x;
  for (int64_t i = 0; i < d.n; ++i) {
    const int64_t len = std::min<int64_t>(d.lengths[size_t(i)], d.L);
    for (size_t f = 0; f < schema.features.size(); ++f) {
      const auto& col = schema.features[f];
      for (int64_t t = 0; t < L; ++t)
        m.x.push_back(t < len ? float(eval::numeric_value(col, d.feature(f, i, t))) : kMissing);
    }
    m.x.insert(m.x.end(), b.attributes.begin() + i * b.A, b.attributes.begin() + (i + 1) * b.A);
    for (size_t f = 0; f < schema.features.size(); ++f) {
      const auto& col = schema.features[f];
      if (col.encoding == Encoding::Categorical) continue;
      x.clear();
      for (int64_t t = 0; t < len; ++t) x.push_back(eval::numeric_value(col, d.feature(f, i, t)));
      append_summaries(x, m.x);
    }
    m.x.push_back(float(len));
    ++m.n;
  }
}

}  // namespace

nlohmann::json discriminative_score(const BatchSource& real, const BatchSource& synthetic,
                                    const DiscriminativeOptions& opt, const ProgressFn& progress) {
  if (opt.max_sequences < 2 || !(opt.test_fraction > 0 && opt.test_fraction < 1) ||
      !(opt.validation_fraction > 0 && opt.validation_fraction < 1))
    throw Error("discriminative: max_sequences must be at least 2, test_fraction and validation_fraction "
                "inside (0, 1)");
  if (!real.schema().same_layout(synthetic.schema()))
    throw Error("discriminative: the real and synthetic data sets have different schemas; encode both "
                "with the same prepared schema");
  const Schema& schema = real.schema();
  const int64_t n = std::min({real.size(), synthetic.size(), opt.max_sequences});
  const int64_t n_test = int64_t(std::llround(opt.test_fraction * double(n)));
  const int64_t n_train = n - n_test;
  const int64_t n_valid = int64_t(std::llround(opt.validation_fraction * double(n_train)));
  if (n_test < 1 || n_valid < 1 || n_train - n_valid < 1)
    throw Error("discriminative: too few sequences for a training, validation and test part per class: " +
                std::to_string(real.size()) + " real and " + std::to_string(synthetic.size()) + " synthetic");

  std::mt19937_64 rng(opt.seed);
  const int64_t L = schema.max_len;
  eval::FeatureMatrix all;  // rows [0, n) real, [n, 2n) synthetic
  for (const BatchSource* src : {&real, &synthetic})
    read_in_batches(*src, sample_distinct(src->size(), n, rng), [&](const Batch& b) {
      if (b.L > L) throw Error("discriminative: sequences longer than the schema's max_len");
      append_rows(b, schema, L, all);
    });
  all.d = int64_t(all.x.size()) / all.n;

  // Each class shuffled and cut into the same parts, so every part stays balanced.
  std::vector<int64_t> fit_rows, valid_rows, test_rows;
  for (int64_t cls = 0; cls < 2; ++cls) {
    std::vector<int64_t> perm(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) perm[size_t(i)] = cls * n + i;
    std::shuffle(perm.begin(), perm.end(), rng);
    for (int64_t i = 0; i < n; ++i)
      (i < n_test ? test_rows : i < n_test + n_valid ? valid_rows : fit_rows).push_back(perm[size_t(i)]);
  }
  auto part = [&](const std::vector<int64_t>& rows, std::vector<float>& labels) {
    eval::FeatureMatrix m;
    m.n = int64_t(rows.size());
    m.d = all.d;
    for (int64_t r : rows) {
      m.x.insert(m.x.end(), all.row(r), all.row(r) + all.d);
      labels.push_back(r < n ? 1.0f : 0.0f);  // real = 1
    }
    return m;
  };
  std::vector<float> y_fit, y_valid, y_test;
  const auto x_fit = part(fit_rows, y_fit), x_valid = part(valid_rows, y_valid), x_test = part(test_rows, y_test);

  eval::BoostingOptions b = opt.boosting;
  b.objective = "binary:logistic";
  b.seed = opt.seed;
  eval::BoostedTrees trees;
  const auto fit = trees.fit(x_fit, y_fit, x_valid, y_valid, b);
  const auto p = trees.predict(x_test);
  int64_t correct = 0;
  for (size_t i = 0; i < p.size(); ++i) correct += (p[i] > 0.5f) == (y_test[i] > 0.5f);
  const double acc = double(correct) / double(p.size());
  if (progress) {
    std::ostringstream o;
    o << "discriminative: trees " << fit.rounds << " rounds, held-out accuracy " << acc;
    progress(o.str());
  }
  nlohmann::json j;
  j["accuracy"] = acc;
  j["score"] = std::fabs(acc - 0.5) * 2.0;
  j["better"] = "lower is better: 0 = the classifier cannot tell real from synthetic, 1 = it always can";
  j["learner"] = "gradient-boosted trees (XGBoost) on the raw series, attributes and per-sequence summaries";
  j["n_train"] = int64_t(fit_rows.size() + valid_rows.size());
  j["n_test"] = int64_t(test_rows.size());
  j["n_features"] = all.d;
  j["rounds"] = fit.rounds;
  j["seed"] = opt.seed;
  return j;
}

}  // namespace doppel
