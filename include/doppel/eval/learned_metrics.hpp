// Metrics that train a model: the forecasting utility (train on synthetic, test on real
// data that came later) and the discriminative score (can a classifier tell real from
// synthetic?). Both use gradient-boosted trees (gradient_boosting.hpp) on seeded samples
// whose sizes are config keys, so they read a bounded part of any file. Definitions:
// docs/metrics.md.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "doppel/data/batch_source.hpp"
#include "doppel/eval/gradient_boosting.hpp"
#include "doppel/eval/sampling.hpp"

namespace doppel {

// ---- forecasting utility ------------------------------------------------------------
struct UtilityOptions {
  int window = 24;                  // input steps (eval.utility_window)
  std::vector<int> horizons{1, 24}; // steps ahead of the last input (eval.utility_horizons)
  int period = 24;                  // seasonal-naive lag (eval.utility_period)
  int64_t max_windows = 20000;      // windows sampled from each source (eval.utility_max_windows)
  int repeats = 1;                  // independent window samples and fits; ratios averaged
  uint64_t seed = 0;                // repeat r uses seed + 4r
  std::string target;               // feature column; "" = first non-categorical feature
  double validation_fraction = 0.2; // of each training sample, for early stopping
  eval::BoostingOptions boosting;
};

// The forecasters trained on real data, kept by utility_score (its `cache` argument) keyed
// by a fingerprint of their training and test windows and the options, and reused when the
// same real data is evaluated again: `doppel compare` scores several synthetic files
// against one real file, and the real forecaster would come out the same.
struct RealForecasterCache {
  std::map<uint64_t, std::vector<double>> errors;  // fingerprint -> MAE per horizon
  int64_t hits = 0;
};

// Forecasting utility in the target's original units. Windows: the previous `window`
// values of the target and the sequence's attributes; the target `h` steps after the last
// input, for each horizon. Four forecasters are scored by their mean absolute error on the
// real test windows: persistence (the last input), seasonal-naive (the value `period`
// steps before the target, when the window reaches it), gradient-boosted trees trained on
// real training windows (TRTR) and on synthetic windows (TSTR).
//
// {"target","window","period","horizons","better",
//  "ratio","error_real","error_synthetic","error_persistence","error_seasonal_naive"
//     (the first horizon; ratio = error_synthetic / error_real, lower is better),
//  "by_horizon":[{"horizon","ratio","ratios","ratio_se","error_real",...}],
//  "ratios","ratio_se","repeats","n_windows_real_train","n_windows_synthetic","n_windows_test",...}
// Throws Error when the schemas differ, the target is unknown or categorical, or no
// sequence is long enough for window + the largest horizon.
nlohmann::json utility_score(const BatchSource& real_train, const BatchSource& real_test,
                             const BatchSource& synthetic, const UtilityOptions& opt,
                             const ProgressFn& progress = {}, RealForecasterCache* cache = nullptr);

// ---- discriminative score -------------------------------------------------------------
struct DiscriminativeOptions {
  int64_t max_sequences = 2000;  // per class (eval.discriminative_max_sequences)
  double test_fraction = 0.3;    // held out of the balanced sample, for the accuracy
  double validation_fraction = 0.2;  // of the training part, for early stopping
  uint64_t seed = 0;
  eval::BoostingOptions boosting;  // objective is set to binary:logistic
};

// Gradient-boosted classifier on each sequence's raw series (decoded values; category
// indices for categorical features), its attributes and per-sequence summaries (mean,
// spread, range, mean and largest step-to-step change, lag-1 autocorrelation, length).
// {"accuracy","score","n_train","n_test","rounds",...}; score = |accuracy − 0.5| × 2 on
// the held-out part (0 = indistinguishable, 1 = fully separated).
nlohmann::json discriminative_score(const BatchSource& real, const BatchSource& synthetic,
                                    const DiscriminativeOptions& opt,
                                    const ProgressFn& progress = {});

}  // namespace doppel
