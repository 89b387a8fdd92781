// Everything evaluation needs to know about one data set, accumulated block by block
// (add() one DecodedBlock at a time) so that a million sequences never sit in memory:
// 1-D and 2-D histograms, per-sequence autocorrelations, min/max and length
// histograms, lagged joint counts for sequential mutual information, daily totals of
// dated event data, the step-to-step change by position inside the generator's cell
// and a few example sequences. Two summaries built with the same
// schema and options are compared by compare_summaries (evaluate.hpp).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "doppel/data/batch_source.hpp"
#include "doppel/eval/calendar_profile.hpp"
#include "doppel/eval/column_binning.hpp"
#include "doppel/eval/decoded_view.hpp"

namespace doppel::eval {

struct SummaryOptions {
  size_t bins = 20;                  // uniform bins of continuous columns (eval.bins)
  size_t smi_bins = 20;              // uniform bins of continuous features for SMI (eval.smi_bins)
  int max_lag = 30;                  // eval.max_lag
  int smi_lags = 10;                 // eval.smi_lags
  std::string aggregate_feature = "amount";  // eval.aggregate_feature
  std::string aggregate_sign = "negative";   // eval.aggregate_sign: negative | all
  int examples = 3;                  // example sequences kept for plots
  int64_t block = 4096;              // sequences read per block (eval.block)
  int cell_length = 0;               // steps per generator cell; 0 = no cell-boundary profile
};

// A column of the evaluation: attributes first, then features, in schema order.
struct EvalColumn {
  std::string name;
  bool attribute = false;
  size_t index = 0;  // into schema.attributes or schema.features
  ColumnSchema spec;  // a copy, so summaries can be copied freely
  ColumnBinning binning;
};

// Joint counts of two columns; counts[bx * ny + by].
struct PairHistogram {
  size_t a = 0, b = 0;  // indices into DataSummary::columns
  size_t nx = 0, ny = 0;
  std::vector<double> counts;
};

// Lagged joint counts of one feature over one subset of sequences:
// joint[k - 1][x_t * K + x_{t-k}] pooled over steps t.
struct LaggedCounts {
  int64_t sequences = 0;
  std::vector<std::vector<double>> joint;
};

struct SmiSubset {
  std::string label;  // "all" or "attribute=category"
  int attribute = -1; // schema attribute index (-1: all sequences)
  size_t category = 0;
};

class DataSummary {
 public:
  DataSummary(const Schema& schema, SummaryOptions options);
  void add(const DecodedBlock& block);
  // Reads `source` in blocks of options.block sequences and adds them all.
  static DataSummary of_source(const BatchSource& source, const SummaryOptions& options);

  Schema schema;
  SummaryOptions options;
  int64_t sequences = 0, steps = 0;

  std::vector<EvalColumn> columns;
  std::vector<std::vector<double>> histograms;  // per column
  std::vector<PairHistogram> pairs;             // every pair (a < b) of columns
  std::vector<double> length_histogram;         // lengths 0..max_len

  // Features with an order (continuous or binned), by schema feature index.
  std::vector<size_t> numeric_features;
  std::vector<std::vector<double>> acf_sum, acf_count;   // [numeric feature][lag - 1]
  std::vector<std::vector<double>> min_histogram, max_histogram;  // per numeric feature
  std::vector<double> value_min, value_max;  // smallest / largest decoded value per numeric feature

  // Cell-boundary profile: sum and count of |x_t − x_{t−1}| by position p = t mod
  // cell_length (p = 0: the first step of a new cell) [numeric feature][position].
  std::vector<std::vector<double>> cell_delta_sum, cell_delta_count;
  // Mean |Δ| by cell position of numeric feature k (NaN where nothing was counted).
  std::vector<double> mean_cell_delta(size_t k) const;

  // Calendar profile: sum and count of each numeric feature by the calendar position of its
  // step (hour of the day or of the week, from the start-hour attributes; CalendarClock)
  // [numeric feature][position]; empty when the clock is off.
  CalendarClock calendar;
  std::vector<std::vector<double>> calendar_sum, calendar_count;
  // Mean value by calendar position of numeric feature k (NaN where nothing was counted).
  std::vector<double> mean_calendar_profile(size_t k) const;

  // SMI: one binning per feature and lagged counts per (feature, subset).
  std::vector<ColumnBinning> smi_binning;           // per schema feature
  std::vector<SmiSubset> smi_subsets;               // [0] = all sequences
  std::vector<std::vector<LaggedCounts>> smi_counts;  // [feature][subset]

  // Dated event data: daily totals of the aggregate feature (UTC day -> total).
  bool dated = false;
  std::string undated_reason;  // why dated is false
  std::map<int64_t, double> daily;

  // First `options.examples` sequences, numeric feature values [seq][feature][step].
  std::vector<std::vector<std::vector<double>>> examples;

  // Mean autocorrelation per lag of numeric feature k (NaN where no sequence counted).
  std::vector<double> mean_acf(size_t k) const;

 private:
  int start_attribute_ = -1, delta_feature_ = -1, aggregate_feature_ = -1;
};

}  // namespace doppel::eval
