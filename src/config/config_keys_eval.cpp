// Documented configuration keys of the eval area (see docs/config.md and docs/metrics.md).
#include "doppel/config/config.hpp"

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
       "also compute the learned metrics (forecasting utility, discriminative score; docs/metrics.md)"},
      {"eval.utility_window", T::Integer, "24",
       "utility: input steps of each forecasting window (the previous values of the target)"},
      {"eval.utility_horizons", T::FloatList, "[1, 24]",
       "utility: steps ahead of the last input to forecast, whole numbers >= 1 (the next step, and one "
       "day ahead for hourly data); `utility.ratio` is the first one's"},
      {"eval.utility_period", T::Integer, "24",
       "utility: the seasonal-naive forecast is the value this many steps (a multiple of it for longer "
       "horizons) before the target; 24 = one day of hourly data"},
      {"eval.utility_max_windows", T::Integer, "20000",
       "utility: windows sampled (seeded) from each source: real training, synthetic, real test"},
      {"eval.utility_repeats", T::Integer, "1",
       "utility: independent repeats (fresh window samples and trees, seed + 4r); the ratio is their "
       "mean, reported with its standard error"},
      {"eval.utility_target", T::String, "\"\"", "utility: feature to forecast (empty: the first non-categorical feature)"},
      {"eval.discriminative_max_sequences", T::Integer, "2000",
       "discriminative score: sequences sampled (seeded) from each of the real and synthetic sets; 30 % "
       "of them are held out for the accuracy"},
      {"eval.learned_max_rounds", T::Integer, "400",
       "learned metrics: boosting rounds at most; each fit stops after 20 rounds without a better "
       "validation loss"},
      {"eval.learned_threads", T::Integer, "0", "learned metrics: threads of the gradient-boosted trees (0: every core)"},
      {"eval.cell_length", T::Integer, "0",
       "cell-boundary diagnostic: steps per generator cell; 0 = the synthetic file's model.sample_len "
       "(skipped when the file has none, e.g. baselines)"},
      {"eval.cell_boundary_tolerance", T::Float, "0.15",
       "cell-boundary diagnostic: the synthetic max/min over cell positions may exceed the real one by "
       "this fraction before it is flagged"},
      {"eval.calendar_min_correlation", T::Float, "0.9",
       "calendar profile (data with a '@start_hour' attribute): the synthetic mean by hour of the day "
       "(or week) is flagged when its correlation with the real one is below this"},
      {"eval.seed", T::Integer, "0", "seed of the learned metrics"},
      {"eval.block", T::Integer, "4096", "sequences read and summarised per block (memory bound)"},
      {"eval.example_sequences", T::Integer, "3", "example sequences of each data set plotted side by side"},
  };
}

}  // namespace doppel
