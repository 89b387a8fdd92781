// Forecasting utility: gradient-boosted forecasters trained on real and on synthetic
// windows, scored on real test windows in original units, beside persistence and
// seasonal-naive forecasts that say how hard the task is. Definitions: docs/metrics.md.
#include <cmath>
#include <random>
#include <sstream>

#include "doppel/error.hpp"
#include "doppel/eval/decoded_view.hpp"
#include "doppel/eval/learned_metrics.hpp"
#include "doppel/eval/statistics.hpp"

namespace doppel {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

void require_same_layout(const BatchSource& a, const BatchSource& b, const std::string& what) {
  if (!a.schema().same_layout(b.schema()))
    throw Error(what + ": the data sets have different schemas (outputs, widths or encodings "
                "differ); encode both with the same prepared schema (prepare --schema-from)");
}

// Index of the forecast target among the schema's features.
size_t resolve_target(const Schema& s, const std::string& name) {
  for (size_t i = 0; i < s.features.size(); ++i) {
    const auto& c = s.features[i];
    const bool wanted = name.empty() ? c.encoding != Encoding::Categorical : c.name == name;
    if (!wanted) continue;
    if (c.encoding == Encoding::Categorical)
      throw Error("utility target '" + name + "' is categorical: the forecaster predicts a number; "
                  "choose a continuous or binned feature column");
    return i;
  }
  if (!name.empty()) {
    std::string known;
    for (const auto& c : s.features) known += (known.empty() ? "" : ", ") + c.name;
    throw Error("utility target '" + name + "' is not a feature column (features: " + known + ")");
  }
  throw Error("utility: no continuous or binned feature column to forecast (all are categorical)");
}

// The seasonal-naive lag for horizon h: the smallest multiple of the period that reaches
// back to (or before) the last input, so the forecast only uses observed values.
int seasonal_lag(int h, int period) { return period * ((h + period - 1) / period); }

// Windows of one source: inputs (window values, then the encoded attributes), and per
// horizon the target and the two naive forecasts.
struct Windows {
  eval::FeatureMatrix x;
  std::vector<std::vector<float>> y, seasonal;  // [horizon][row]
  std::vector<float> last;                      // persistence forecast (any horizon)
};

Windows sample_windows(const BatchSource& src, const UtilityOptions& opt, size_t feature, uint64_t seed,
                       const std::string& what) {
  if (src.size() == 0) throw Error("utility: the " + what + " data set is empty");
  std::mt19937_64 rng(seed);
  const int64_t W = opt.window;
  const int64_t H = *std::max_element(opt.horizons.begin(), opt.horizons.end());
  const ColumnSchema& column = src.schema().features[feature];
  const int64_t n_seq = std::min(src.size(), opt.max_windows);
  const int64_t per_seq = std::max<int64_t>(1, opt.max_windows / n_seq);
  const size_t K = opt.horizons.size();
  Windows w;
  w.y.resize(K);
  w.seasonal.resize(K);
  int64_t longest = 0;
  read_in_batches(src, sample_distinct(src.size(), n_seq, rng), [&](const Batch& b) {
    const eval::DecodedBlock d = eval::decode_batch(b, src.schema());
    w.x.d = W + b.A;
    auto value = [&](int64_t i, int64_t t) { return float(eval::numeric_value(column, d.feature(feature, i, t))); };
    for (int64_t i = 0; i < d.n; ++i) {
      const int64_t len = d.lengths[size_t(i)];
      longest = std::max(longest, len);
      const int64_t anchors = len - W - H + 1;  // last input t-1 in [W-1, len-1-H]
      if (anchors <= 0) continue;
      for (int64_t p : sample_distinct(anchors, per_seq, rng)) {
        const int64_t t = W + p;  // first step after the inputs
        for (int64_t k = t - W; k < t; ++k) w.x.x.push_back(value(i, k));
        w.x.x.insert(w.x.x.end(), b.attributes.begin() + i * b.A, b.attributes.begin() + (i + 1) * b.A);
        w.last.push_back(value(i, t - 1));
        for (size_t h = 0; h < K; ++h) {
          const int64_t target = t - 1 + opt.horizons[h];
          const int64_t back = target - seasonal_lag(opt.horizons[h], opt.period);
          w.y[h].push_back(value(i, target));
          w.seasonal[h].push_back(back >= t - W ? value(i, back) : kMissing);
        }
        ++w.x.n;
      }
    }
  });
  if (w.x.n == 0)
    throw Error("utility: no " + what + " sequence is long enough for a " + std::to_string(W) +
                "-step input window and a " + std::to_string(H) + "-step horizon (longest sampled: " +
                std::to_string(longest) + " steps); lower eval.utility_window or eval.utility_horizons");
  return w;
}

// Rows `rows` of m.
eval::FeatureMatrix take_rows(const eval::FeatureMatrix& m, const std::vector<int64_t>& rows) {
  eval::FeatureMatrix out;
  out.n = int64_t(rows.size());
  out.d = m.d;
  out.x.reserve(rows.size() * size_t(m.d));
  for (int64_t r : rows) out.x.insert(out.x.end(), m.row(r), m.row(r) + m.d);
  return out;
}

std::vector<float> take(const std::vector<float>& v, const std::vector<int64_t>& rows) {
  std::vector<float> out;
  out.reserve(rows.size());
  for (int64_t r : rows) out.push_back(v[size_t(r)]);
  return out;
}

double mean_abs_error(const std::vector<float>& pred, const std::vector<float>& y) {
  double s = 0;
  int64_t n = 0;
  for (size_t i = 0; i < y.size(); ++i)
    if (std::isfinite(pred[i])) s += std::fabs(double(pred[i]) - double(y[i])), ++n;
  return n > 0 ? s / double(n) : std::numeric_limits<double>::quiet_NaN();
}

// Trains one forecaster per horizon on `train` (early stopping on a seeded part of it)
// and returns the MAE of each on `test`.
std::vector<double> fit_and_score(const Windows& train, const Windows& test, const UtilityOptions& opt,
                                  uint64_t seed, const std::string& label, const ProgressFn& progress) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> perm(static_cast<size_t>(train.x.n));
  for (int64_t i = 0; i < train.x.n; ++i) perm[size_t(i)] = i;
  std::shuffle(perm.begin(), perm.end(), rng);
  const int64_t n_valid = std::clamp<int64_t>(int64_t(std::llround(opt.validation_fraction * double(train.x.n))), 1,
                                              std::max<int64_t>(1, train.x.n - 1));
  const std::vector<int64_t> valid_rows(perm.begin(), perm.begin() + n_valid);
  std::vector<int64_t> fit_rows(perm.begin() + n_valid, perm.end());
  if (fit_rows.empty()) fit_rows = valid_rows;  // one window: nothing to hold out
  const auto x_fit = take_rows(train.x, fit_rows), x_valid = take_rows(train.x, valid_rows);
  std::vector<double> errors;
  for (size_t h = 0; h < opt.horizons.size(); ++h) {
    eval::BoostingOptions b = opt.boosting;
    b.seed = seed + h;
    eval::BoostedTrees trees;
    const auto fit = trees.fit(x_fit, take(train.y[h], fit_rows), x_valid, take(train.y[h], valid_rows), b);
    errors.push_back(mean_abs_error(trees.predict(test.x), test.y[h]));
    if (progress) {
      std::ostringstream o;
      o << "utility: trees trained on " << label << ", horizon " << opt.horizons[h] << ": " << fit.rounds
        << " rounds, test MAE " << errors.back();
      progress(o.str());
    }
  }
  return errors;
}

// FNV-1a over the real forecaster's inputs and every option that shapes its training:
// equal fingerprints mean the same fits (the seed fixes the split and the trees).
uint64_t real_fit_fingerprint(const Windows& train, const Windows& test, const UtilityOptions& o, uint64_t seed) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](const void* data, size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  };
  auto mix_floats = [&](const std::vector<float>& v) {
    const size_t n = v.size();
    mix(&n, sizeof n);
    mix(v.data(), n * sizeof(float));
  };
  for (const Windows* w : {&train, &test}) {
    mix_floats(w->x.x);
    for (const auto& y : w->y) mix_floats(y);
  }
  const int64_t ints[] = {o.window, o.period, o.boosting.max_rounds, o.boosting.early_stopping,
                          o.boosting.max_depth, o.boosting.threads, int64_t(seed)};
  mix(ints, sizeof ints);
  mix(o.horizons.data(), o.horizons.size() * sizeof(int));
  const double reals[] = {o.validation_fraction, o.boosting.learning_rate, o.boosting.subsample, o.boosting.colsample};
  mix(reals, sizeof reals);
  return h;
}

nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

nlohmann::json utility_score(const BatchSource& real_train, const BatchSource& real_test,
                             const BatchSource& synthetic, const UtilityOptions& opt,
                             const ProgressFn& progress, RealForecasterCache* cache) {
  if (opt.window < 1 || opt.max_windows < 1 || opt.repeats < 1 || opt.period < 1 || opt.horizons.empty())
    throw Error("utility: window, max_windows, repeats and period must be positive and horizons non-empty");
  for (int h : opt.horizons)
    if (h < 1) throw Error("utility: every horizon must be at least 1, got " + std::to_string(h));
  if (!(opt.validation_fraction > 0 && opt.validation_fraction < 1))
    throw Error("utility: validation_fraction must be inside (0, 1)");
  require_same_layout(real_train, synthetic, "utility");
  require_same_layout(real_train, real_test, "utility (real train vs real test)");
  const size_t feature = resolve_target(real_train.schema(), opt.target);
  const size_t K = opt.horizons.size();

  // Per horizon, sums over the repeats, and the per-repeat ratios.
  std::vector<double> sum_real(K), sum_syn(K), sum_persist(K), sum_seasonal(K), sum_scale(K);
  std::vector<std::vector<double>> ratios(K);
  int64_t n_real = 0, n_syn = 0, n_test = 0;
  for (int r = 0; r < opt.repeats; ++r) {
    const uint64_t seed = opt.seed + 4 * uint64_t(r);
    const Windows train_real = sample_windows(real_train, opt, feature, seed + 1, "real training");
    const Windows train_syn = sample_windows(synthetic, opt, feature, seed + 2, "synthetic");
    const Windows test = sample_windows(real_test, opt, feature, seed + 3, "real test");
    const std::string tag = opt.repeats > 1 ? " (repeat " + std::to_string(r + 1) + "/" + std::to_string(opt.repeats) + ")" : "";
    std::vector<double> err_real;
    const uint64_t key = cache ? real_fit_fingerprint(train_real, test, opt, seed) : 0;
    if (cache && cache->errors.count(key)) {
      err_real = cache->errors.at(key);
      ++cache->hits;
      if (progress) progress("utility: trees on real" + tag + ": same real windows as before, reused");
    } else {
      err_real = fit_and_score(train_real, test, opt, seed, "real" + tag, progress);
      if (cache) cache->errors[key] = err_real;
    }
    const std::vector<double> err_syn = fit_and_score(train_syn, test, opt, seed, "synthetic" + tag, progress);
    for (size_t h = 0; h < K; ++h) {
      sum_real[h] += err_real[h];
      sum_syn[h] += err_syn[h];
      sum_persist[h] += mean_abs_error(test.last, test.y[h]);
      sum_seasonal[h] += mean_abs_error(test.seasonal[h], test.y[h]);
      double scale = 0;
      for (float y : test.y[h]) scale += std::fabs(double(y));
      sum_scale[h] += scale / double(test.x.n);
      if (err_real[h] > 0) ratios[h].push_back(err_syn[h] / err_real[h]);  // else undefined: left out
    }
    n_real = train_real.x.n, n_syn = train_syn.x.n, n_test = test.x.n;  // reported: the last repeat's counts
  }

  const double k = double(opt.repeats);
  nlohmann::json by_horizon = nlohmann::json::array();
  for (size_t h = 0; h < K; ++h) {
    const double mean_ratio = eval::mean_finite(ratios[h]);
    double var = 0;
    for (double x : ratios[h]) var += (x - mean_ratio) * (x - mean_ratio);
    const double kr = double(ratios[h].size());
    by_horizon.push_back({
        {"horizon", opt.horizons[h]},
        {"ratio", ratios[h].empty() ? nlohmann::json(nullptr) : nlohmann::json(mean_ratio)},
        {"ratios", ratios[h]},
        // Standard error of the mean ratio (sample sd / sqrt(n)); null with fewer than 2 ratios.
        {"ratio_se", ratios[h].size() > 1 ? nlohmann::json(std::sqrt(var / (kr - 1) / kr)) : nlohmann::json(nullptr)},
        {"error_real", sum_real[h] / k},
        {"error_synthetic", sum_syn[h] / k},
        {"error_persistence", sum_persist[h] / k},
        {"error_seasonal_naive", finite_or_null(sum_seasonal[h] / k)},
        {"mean_abs_target", sum_scale[h] / k},
    });
  }
  nlohmann::json j;
  j["target"] = real_train.schema().features[feature].name;
  j["better"] = "lower ratio is better: 1 = a forecaster trained on synthetic data is as good as one trained on real data";
  for (const char* key : {"ratio", "ratios", "ratio_se", "error_real", "error_synthetic", "error_persistence",
                          "error_seasonal_naive", "mean_abs_target"})
    j[key] = by_horizon[0][key];  // the first horizon (the next step by default)
  j["horizon"] = opt.horizons[0];
  j["by_horizon"] = by_horizon;
  j["units"] = "original units of the target (mean absolute error)";
  j["repeats"] = opt.repeats;
  j["window"] = opt.window;
  j["period"] = opt.period;
  j["horizons"] = opt.horizons;
  j["learner"] = "gradient-boosted trees (XGBoost), early stopping on a held-out part of the training windows";
  j["n_windows_real_train"] = n_real;
  j["n_windows_synthetic"] = n_syn;
  j["n_windows_test"] = n_test;
  j["max_windows"] = opt.max_windows;
  j["seed"] = opt.seed;
  return j;
}

}  // namespace doppel
