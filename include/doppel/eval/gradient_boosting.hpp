// Gradient-boosted trees (XGBoost's C API) for the learned metrics: a regressor for the
// forecasting utility and a classifier for the discriminative score. Practitioners check
// synthetic data with exactly this kind of learner, and unlike a small neural network it
// reaches its best fit on tabular windows in seconds without tuning. Rounds stop early on
// a validation part, so "trained to convergence" needs no step budget per data set.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace doppel::eval {

// Row-major features: n rows of d floats; NaN marks a missing value.
struct FeatureMatrix {
  int64_t n = 0, d = 0;
  std::vector<float> x;
  const float* row(int64_t i) const { return x.data() + i * d; }
};

struct BoostingOptions {
  std::string objective = "reg:squarederror";  // or "binary:logistic"
  int max_rounds = 400;         // boosting rounds at most
  int early_stopping = 20;      // stop after this many rounds without a better validation loss
  int max_depth = 6;
  double learning_rate = 0.1;
  double subsample = 0.8;       // rows per tree (seeded)
  double colsample = 0.8;       // columns per tree (seeded)
  int threads = 0;              // 0: every core
  uint64_t seed = 0;
};

// What the fit did: rounds kept (the best validation round) and its validation loss.
struct BoostingFit {
  int rounds = 0;
  double validation_loss = 0;  // mae (regression) or logloss (classification)
};

class BoostedTrees {
 public:
  BoostedTrees() = default;
  ~BoostedTrees();
  BoostedTrees(const BoostedTrees&) = delete;
  BoostedTrees& operator=(const BoostedTrees&) = delete;
  BoostedTrees(BoostedTrees&& other) noexcept;
  BoostedTrees& operator=(BoostedTrees&& other) noexcept;

  // Fits on (train, y_train), stopping early on (valid, y_valid); throws Error with
  // XGBoost's message on failure. Replaces any earlier fit.
  BoostingFit fit(const FeatureMatrix& train, const std::vector<float>& y_train,
                  const FeatureMatrix& valid, const std::vector<float>& y_valid,
                  const BoostingOptions& options);
  // Regression: the prediction; classification: the probability of label 1.
  std::vector<float> predict(const FeatureMatrix& x) const;

 private:
  void* booster_ = nullptr;  // BoosterHandle
  int rounds_ = 0;
};

}  // namespace doppel::eval
