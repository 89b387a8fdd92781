// `doppel evaluate` without the command line: summarise real and synthetic data in
// streaming blocks, compare the summaries and return metrics.json. Formulas are in
// docs/metrics.md.
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "doppel/data/batch_source.hpp"
#include "doppel/config/config.hpp"
#include "doppel/eval/data_summary.hpp"

namespace doppel::eval {

// Learned metrics (torch; include/doppel/eval/learned_metrics.hpp). Returns an object
// with keys "utility" (expected to contain "ratio") and "discriminative" (expected to
// contain "score"); each is copied into metrics.json under the same key.
using LearnedMetricsFn = std::function<nlohmann::json(
    const BatchSource& real_train, const BatchSource& real_test, const BatchSource& synthetic)>;

struct EvaluateOptions {
  SummaryOptions summary;
  int aggregate_max_lag = 60;  // eval.aggregate_max_lag
  int64_t smi_min_subset = 30; // eval.smi_min_subset
  double cell_boundary_tolerance = 0.15;  // eval.cell_boundary_tolerance
  double calendar_min_correlation = 0.9;  // eval.calendar_min_correlation
  LearnedMetricsFn learned;    // null: "utility" / "discriminative" say {"skipped": ...}
  std::string learned_skip_reason = "learned metrics are not linked into this command";

  static EvaluateOptions from_config(const Config& config);
};

struct Evaluation {
  nlohmann::json metrics;
  DataSummary real, synthetic;
};

// Throws Error when the schemas differ (naming the first differing column) or either
// source is empty. `real_test` may be null (then learned metrics are skipped).
Evaluation evaluate(const BatchSource& real_train, const BatchSource* real_test,
                    const BatchSource& synthetic, const EvaluateOptions& options,
                    const std::string& real_name = "real", const std::string& synthetic_name = "synthetic");

// Compares two summaries of the same schema and options (no learned metrics).
nlohmann::json compare_summaries(const DataSummary& real, const DataSummary& synthetic,
                                 const EvaluateOptions& options);

// "" when the layouts agree, else a sentence naming the first differing column.
std::string first_layout_difference(const Schema& a, const Schema& b);

// The daily totals of a dated summary as a dense series from its first to last day.
std::vector<double> daily_series(const DataSummary& s, int64_t* first_day = nullptr);

}  // namespace doppel::eval
