// Documented configuration keys of the eval area (see docs/config.md and docs/metrics.md).
#include "doppel/config.hpp"

namespace doppel {

std::vector<KeySpec> eval_key_specs() {
  using T = KeyType;
  return {
      {"eval.bins", T::Integer, "20",
       "histogram bins of continuous columns: uniform over the schema's fitted [min, max] (binned "
       "and categorical columns use their own bins / categories)"},
      {"eval.max_lag", T::Integer, "30", "autocorrelation score: lags 1..max_lag"},
      {"eval.smi_lags", T::Integer, "10", "sequential mutual information: lags k = 1..smi_lags"},
      {"eval.smi_bins", T::Integer, "20",
       "sequential mutual information: uniform bins of continuous features"},
      {"eval.smi_min_subset", T::Integer, "30",
       "sequential mutual information per attribute category: only categories with at least this "
       "many sequences in both data sets are averaged"},
      {"eval.aggregate_feature", T::String, "\"amount\"",
       "dated event data (@start_time attribute + @delta feature): feature summed per calendar day"},
      {"eval.aggregate_sign", T::String, "\"negative\"",
       "daily totals: `negative` sums only negative values (outflows) as positive numbers; `all` "
       "sums every value"},
      {"eval.aggregate_max_lag", T::Integer, "60", "daily totals: autocorrelation lags 1..aggregate_max_lag"},
      {"eval.learned", T::Boolean, "true",
       "also compute the learned metrics (forecasting utility, discriminative score; docs/baselines.md)"},
      {"eval.utility_steps", T::Integer, "300", "utility: Adam steps of each forecaster (real-trained, synthetic-trained)"},
      {"eval.utility_max_windows", T::Integer, "20000", "utility: 30-step windows sampled from each source"},
      {"eval.utility_repeats", T::Integer, "5",
       "utility: independent repeats (fresh windows and forecaster weights, seed + 4r); the ratio "
       "is their mean, reported with its standard error (one 300-step forecaster's ratio moves by "
       "~0.1 between seeds)"},
      {"eval.utility_target", T::String, "\"\"", "utility: feature to forecast (empty: the first non-categorical feature)"},
      {"eval.discriminative_steps", T::Integer, "300", "discriminative score: Adam steps of the real-vs-synthetic classifier"},
      {"eval.seed", T::Integer, "0", "seed of the learned metrics"},
      {"eval.block", T::Integer, "4096", "sequences read and summarised per block (memory bound)"},
      {"eval.example_sequences", T::Integer, "3", "example sequences of each data set plotted side by side"},
  };
}

}  // namespace doppel
