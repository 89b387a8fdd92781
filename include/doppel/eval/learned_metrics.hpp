// Metrics that need a trained model (forecasting utility, discriminative score) and
// the LSTM baseline generator they are compared against. This header is torch-free:
// models live behind the functions and the LstmBaseline pimpl. Definitions of every
// error and score: docs/baselines.md.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "doppel/batch_source.hpp"

namespace doppel {

// `doppel baseline lstm`: train the LSTM baseline on a prepared file's train split and
// write synthetic sequences (arguments after "lstm").
int cmd_baseline_lstm(int argc, char** argv);

// Called with one human-readable progress line (no newline); empty = silent.
using ProgressFn = std::function<void(const std::string&)>;

// ---- forecasting utility (train on synthetic vs on real, test on real) -----------
struct UtilityOptions {
  int window = 30;              // input steps; the target is the step after them
  int hidden = 100;             // LSTM width
  int layers = 2;               // LSTM layers
  int steps = 300;              // Adam steps (same for both forecasters)
  int batch = 64;
  int64_t max_windows = 20000;  // windows sampled from each source (train and test)
  uint64_t seed = 0;               // repeat r uses seed + 4r
  int repeats = 1;                 // independent repeats (windows and forecasters); ratio = their mean
  double learning_rate = 1e-3;
  std::string target;           // feature column; "" = first non-categorical feature
};

// The forecasters trained on real data, kept by utility_score (its `cache` argument) keyed by
// a fingerprint of their training and test windows and the options, and reused when the same
// real data is evaluated again: `doppel compare` scores several synthetic files against one
// real file, and the real forecaster (same windows, same seed) would come out the same.
struct RealForecasterCache {
  struct Fit {
    double error = 0;       // relative test error, as error_real below
    double final_loss = 0;  // smoothed training MSE
  };
  std::map<uint64_t, Fit> fits;
  int64_t hits = 0;
};

// {"error_synthetic","error_real","ratio","ratios","ratio_se","repeats","target",
//  "error_persistence","n_windows_real_train","n_windows_synthetic","n_windows_test",...}
// Errors are relative: mean|ŷ−y| / mean|y| over the real test windows, with y the
// target in [0,1] normalized units; with repeats > 1 the errors and the ratio are means
// over the repeats and ratio_se the standard error of the mean ratio. Throws Error when
// the schemas differ, the target is unknown or categorical, or no sequence is longer
// than the window.
//
// `cache` (optional): see RealForecasterCache.
nlohmann::json utility_score(const BatchSource& real_train, const BatchSource& real_test,
                             const BatchSource& synthetic, const UtilityOptions& opt,
                             const ProgressFn& progress = {}, RealForecasterCache* cache = nullptr);

// ---- discriminative score (can a classifier tell real from synthetic?) ----------
struct DiscriminativeOptions {
  int hidden = 32;
  int layers = 1;
  int steps = 300;
  int batch = 64;
  int64_t max_sequences = 1000;  // per class; the balanced sample uses min of both sizes
  double train_fraction = 0.8;
  uint64_t seed = 0;
  double learning_rate = 1e-3;
};

// {"accuracy","score","n_train","n_test"}; score = |accuracy − 0.5| on the held-out part.
nlohmann::json discriminative_score(const BatchSource& real, const BatchSource& synthetic,
                                    const DiscriminativeOptions& opt,
                                    const ProgressFn& progress = {});

// ---- LSTM baseline generator ------------------------------------------------------
struct LstmBaselineOptions {
  int window = 30;                 // previous steps the model sees (zero-padded at the start)
  int hidden = 100;
  int layers = 2;
  int attribute_hidden = 32;       // width of the dense layer the attributes pass through
  int steps = 2000;                // Adam steps
  int batch = 64;
  double learning_rate = 1e-3;
  int64_t pool_sequences = 2048;   // training sequences held in memory at once
  int pool_refresh = 200;          // steps between pool redraws (large sources only)
  int64_t attribute_pool = 10000;  // training attribute rows generation resamples from
  uint64_t seed = 0;
};

class LstmBaseline {
 public:
  LstmBaseline(const Schema& schema, const LstmBaselineOptions& opt);
  ~LstmBaseline();
  LstmBaseline(const LstmBaseline&) = delete;
  LstmBaseline& operator=(const LstmBaseline&) = delete;

  // Trains on `train` (same layout as the schema); returns the final smoothed loss.
  double train(const BatchSource& train, const ProgressFn& progress = {});
  // Generates n sequences in chunks, handing each chunk to `sink` (Batch of ≤ chunk
  // items, L = schema.max_len, zero after each length, split 0).
  void generate(int64_t n, uint64_t seed, const std::function<void(const Batch&)>& sink,
                int64_t chunk = 512, const ProgressFn& progress = {}) const;
  Batch generate(int64_t n, uint64_t seed) const;  // all at once (small n)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace doppel
