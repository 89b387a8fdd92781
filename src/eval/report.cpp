#include "doppel/eval/report.hpp"

#include <cstdio>
#include <sstream>

namespace doppel::eval {

using nlohmann::json;

std::string format_metric(const json& v) {
  if (v.is_number()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", v.get<double>());
    return buf;
  }
  if (v.is_object() && v.contains("skipped")) return "skipped (" + v["skipped"].get<std::string>() + ")";
  return "n/a";
}

namespace {
json get(const json& m, const std::string& a, const std::string& b) {
  if (!m.contains(a)) return nullptr;
  const json& x = m[a];
  if (x.is_object() && x.contains("skipped")) return x;
  return x.is_object() && x.contains(b) ? x[b] : json(nullptr);
}
}  // namespace

std::string report_markdown(const json& m, const std::vector<Plot>& plots) {
  std::ostringstream o;
  o << "# Evaluation report\n\n";
  if (m.contains("inputs"))
    o << "Real: `" << m["inputs"].value("real", "") << "` (" << m["real"]["sequences"] << " sequences, "
      << m["real"]["steps"] << " steps)  \nSynthetic: `" << m["inputs"].value("synthetic", "") << "` ("
      << m["synthetic"]["sequences"] << " sequences, " << m["synthetic"]["steps"] << " steps)\n\n";
  o << "Definitions: docs/metrics.md. Similarity scores are in [0, 1], 1 = identical; "
       "distances are 0 for identical data.\n\n";
  o << "| metric | value |\n|---|---|\n";
  const std::vector<std::tuple<std::string, std::string, std::string>> rows = {
      {"similarity (mean of the three parts)", "similarity", "score"},
      {"  histogram overlap", "similarity", "histogram"},
      {"  2-D histogram overlap", "similarity", "histogram_2d"},
      {"  mutual-information similarity", "similarity", "mutual_information"},
      {"autocorrelation score (AC)", "autocorrelation", "score"},
      {"ACF MSE", "autocorrelation", "acf_mse"},
      {"daily-total autocorrelation score", "aggregate_autocorrelation", "score"},
      {"sequential MI score", "sequential_mutual_information", "score"},
      {"sequential MI score, averaged over attribute subsets", "sequential_mutual_information", "subset_score"},
      {"utility ratio, first horizon (TSTR / TRTR MAE; 1 = as useful as real data, lower is better)", "utility", "ratio"},
      {"  its standard error over the repeats", "utility", "ratio_se"},
      {"discriminative score (0 = indistinguishable, 1 = fully separated)", "discriminative", "score"},
      {"  classifier accuracy on the held-out part", "discriminative", "accuracy"},
      {"cell-boundary max/min of mean |Δ| over cell positions, real", "cell_boundary", "max_over_min_real"},
      {"  synthetic (flagged when it exceeds the real one by the tolerance)", "cell_boundary", "max_over_min_synthetic"},
      {"calendar profile: correlation of the mean by hour of the day/week with the real one", "calendar", "correlation"},
      {"  shift (steps) at which the synthetic profile matches best (0 = at the real hours)", "calendar", "best_shift_steps"},
  };
  for (const auto& [label, a, b] : rows) o << "| " << label << " | " << format_metric(get(m, a, b)) << " |\n";

  if (m.contains("discriminative") && m["discriminative"].contains("later")) {
    const auto& l = m["discriminative"]["later"];
    o << "\nAgainst the later real test data, the discriminative score is "
      << format_metric(l.value("score", json(nullptr))) << "; the real training data itself scores "
      << format_metric(l.value("real_training_score", json(nullptr)))
      << " against it (the drift between the periods, which no copy of the training data can beat).\n";
  }
  if (m.contains("utility") && m["utility"].contains("by_horizon")) {
    o << "\n## Forecasting utility (mean absolute error on the real test windows, "
      << m["utility"].value("target", "") << " in original units)\n\n"
      << "| horizon | persistence | seasonal-naive | trained on real (TRTR) | trained on synthetic (TSTR) | "
         "ratio TSTR / TRTR (lower is better) |\n|---|---|---|---|---|---|\n";
    for (const auto& h : m["utility"]["by_horizon"])
      o << "| " << h.value("horizon", 0) << " | " << format_metric(h.value("error_persistence", json(nullptr)))
        << " | " << format_metric(h.value("error_seasonal_naive", json(nullptr))) << " | "
        << format_metric(h.value("error_real", json(nullptr))) << " | "
        << format_metric(h.value("error_synthetic", json(nullptr))) << " | "
        << format_metric(h.value("ratio", json(nullptr))) << " |\n";
  }
  if (m.contains("cell_boundary") && m["cell_boundary"].contains("per_feature")) {
    const auto& cb = m["cell_boundary"];
    o << "\n## Step-to-step change by position in the generator's " << cb.value("cell_length", 0)
      << "-step cell\n\nMean |x_t − x_{t−1}| by position t mod cell length (0 = first step of a cell). "
      << (!cb["flagged"].is_boolean() ? "Undefined (a position without any change, or no step)."
          : cb["flagged"].get<bool>() ? "**Flagged**: the synthetic profile is uneven beyond the tolerance."
                                      : "Not flagged.")
      << "\n\n| feature | data | by position |\n|---|---|---|\n";
    for (auto& [name, f] : cb["per_feature"].items())
      for (const char* side : {"real", "synthetic"}) {
        o << "| " << name << " | " << side << " |";
        for (const auto& v : f[side]) o << " " << format_metric(v);
        o << " |\n";
      }
  }

  if (m.contains("similarity") && m["similarity"].contains("per_column")) {
    o << "\n## Histogram overlap per column\n\n| column | overlap |\n|---|---|\n";
    for (auto& [k, v] : m["similarity"]["per_column"].items()) o << "| " << k << " | " << format_metric(v) << " |\n";
  }
  if (m.contains("autocorrelation") && m["autocorrelation"].contains("per_feature")) {
    o << "\n## Autocorrelation per feature\n\n| feature | AC score | ACF MSE |\n|---|---|---|\n";
    for (auto& [k, v] : m["autocorrelation"]["per_feature"].items())
      o << "| " << k << " | " << format_metric(v["score"]) << " | " << format_metric(v["acf_mse"]) << " |\n";
  }
  if (m.contains("distances")) {
    o << "\n## Distances\n\n| quantity | Wasserstein-1 | Kolmogorov-Smirnov | total variation |\n|---|---|---|---|\n";
    for (auto& [k, v] : m["distances"].items())
      o << "| " << k << " | " << format_metric(v.value("w1", json(nullptr))) << " | "
        << format_metric(v.value("ks", json(nullptr))) << " | "
        << format_metric(v.value("total_variation", json(nullptr))) << " |\n";
  }
  if (!plots.empty()) {
    o << "\n## Plots\n\n";
    for (const auto& p : plots) o << "### " << p.title << "\n\n![" << p.title << "](" << p.file << ")\n\n";
  }
  return o.str();
}

}  // namespace doppel::eval
