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
      {"utility ratio (mean over the repeats)", "utility", "ratio"},
      {"  its standard error", "utility", "ratio_se"},
      {"discriminative score", "discriminative", "score"},
  };
  for (const auto& [label, a, b] : rows) o << "| " << label << " | " << format_metric(get(m, a, b)) << " |\n";

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
