// doppel compare: the comparison table of DoppelGANger against the LSTM and
// bootstrap baselines, each evaluated against the same real data.
#include <filesystem>
#include <iostream>
#include <sstream>

#include "doppel/cli/args.hpp"
#include "learned_metrics_hook.hpp"
#include "doppel/config/atomic_file.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/config/config.hpp"
#include "doppel/error.hpp"
#include "doppel/eval/evaluate_files.hpp"
#include "doppel/eval/report.hpp"

namespace doppel {

namespace {

struct Row {
  std::string label, option, dir;
  std::vector<std::string> cells;  // empty: not available
  std::string reason;
};

std::string metric(const nlohmann::json& m, const char* a, const char* b) {
  if (!m.contains(a)) return "n/a";
  const auto& x = m[a];
  if (x.is_object() && x.contains("skipped")) return eval::format_metric(x);
  return eval::format_metric(x.is_object() && x.contains(b) ? x[b] : nlohmann::json(nullptr));
}

// utility.by_horizon[k][key], or why it is missing.
std::string horizon_metric(const nlohmann::json& m, size_t k, const char* key) {
  if (!m.contains("utility")) return "n/a";
  const auto& u = m["utility"];
  if (u.contains("skipped")) return eval::format_metric(u);
  if (!u.contains("by_horizon") || u["by_horizon"].size() <= k) return "n/a";
  return eval::format_metric(u["by_horizon"][k].value(key, nlohmann::json(nullptr)));
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string r = "\"";
  for (char c : s) r += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return r + "\"";
}

}  // namespace

int cmd_compare(int argc, char** argv) {
  Args args("doppel compare",
            "Evaluate DoppelGANger, LSTM and bootstrap synthetic data against the same real data and "
            "print the table (similarity, autocorrelation, utility ratio and forecast error at each horizon, "
            "discriminative score, cell-boundary max/min) as Markdown, followed by the real-data "
            "forecasters' errors; also writes DIR/table.md, DIR/table.csv and DIR/<method>/ (each "
            "evaluation). A missing input makes its row 'not available (reason)'. Metrics: docs/metrics.md.");
  args.option("real", "real prepared HDF5 data set", "", true)
      .option("doppelganger", "DoppelGANger synthetic HDF5")
      .option("lstm", "LSTM baseline synthetic HDF5")
      .option("bootstrap", "bootstrap baseline synthetic HDF5")
      .option("out", "output directory", "compare")
      .option("config", "TOML config with an [eval] section (optional)")
      .repeated("set", "override a config key")
      .flag("no-plots", "skip the plots of each evaluation");
  if (!args.parse(argc, argv)) return 0;
  Config config = args.get("config").empty() ? Config::defaults(args.all("set"))
                                             : Config::load(args.get("config"), args.all("set"));
  auto options = eval::EvaluateOptions::from_config(config);
  attach_learned_metrics(options, config);
  // Every row gets the cell-boundary profile of DoppelGANger's cells, baselines included.
  if (options.summary.cell_length == 0 && !args.get("doppelganger").empty() &&
      std::filesystem::exists(args.get("doppelganger")))
    options.summary.cell_length = eval::generator_cell_length(args.get("doppelganger"));
  std::vector<int> horizons;
  for (double h : config.numbers("eval.utility_horizons")) horizons.push_back(int(h));
  std::filesystem::create_directories(args.get("out"));
  config.save((std::filesystem::path(args.get("out")) / "config.toml").string());  // resolved, beside the outputs
  const std::string out = args.get("out");
  std::filesystem::create_directories(out);

  std::vector<Row> rows = {{"DoppelGANger", "doppelganger", "doppelganger", {}, ""},
                           {"LSTM", "lstm", "lstm", {}, ""},
                           {"bootstrap", "bootstrap", "bootstrap", {}, ""}};
  nlohmann::json baselines;  // the real-data forecasters' errors: the same for every row
  for (auto& r : rows) {
    std::string path = args.get(r.option);
    if (path.empty()) {
      r.reason = "--" + r.option + " not given";
      continue;
    }
    try {
      auto m = eval::evaluate_files(args.get("real"), path, out + "/" + r.dir, options,
                                    !args.get_flag("no-plots"));
      r.cells = {metric(m, "similarity", "score"), metric(m, "autocorrelation", "score")};
      for (size_t k = 0; k < horizons.size(); ++k) {
        r.cells.push_back(horizon_metric(m, k, "ratio"));
        r.cells.push_back(horizon_metric(m, k, "error_synthetic"));
      }
      r.cells.push_back(metric(m, "discriminative", "score"));
      r.cells.push_back(metric(m, "cell_boundary", "max_over_min_synthetic"));
      if (baselines.is_null() && m["utility"].contains("by_horizon")) {
        baselines = m["utility"]["by_horizon"];
        baselines.push_back({{"cell_boundary_real", m["cell_boundary"].value("max_over_min_real", nlohmann::json(nullptr))}});
      }
    } catch (const Error& e) {
      r.reason = e.what();
    }
  }

  // Higher is better for similarity and autocorrelation; lower for the rest (the utility
  // ratio is TSTR / TRTR forecast error, 1 = as useful as the real data).
  std::vector<std::string> header = {"method", "similarity (higher better)", "autocorrelation (higher better)"};
  for (int h : horizons) {
    header.push_back("utility ratio h=" + std::to_string(h) + " (lower better)");
    header.push_back("TSTR MAE h=" + std::to_string(h));
  }
  header.push_back("discriminative score (lower better)");
  header.push_back("cell-boundary max/min");
  std::ostringstream md, csv;
  md << "|";
  for (const auto& h : header) md << " " << h << " |";
  md << "\n|";
  for (size_t k = 0; k < header.size(); ++k) md << "---|";
  md << "\n";
  for (size_t k = 0; k < header.size(); ++k) csv << (k ? "," : "") << header[k];
  csv << "\n";
  for (const auto& r : rows) {
    std::vector<std::string> cells = r.cells;
    if (cells.empty()) cells.assign(header.size() - 1, "not available (" + r.reason + ")");
    md << "| " << r.label;
    csv << csv_field(r.label);
    for (const auto& c : cells) {
      std::string one_line = c;
      for (auto& ch : one_line)
        if (ch == '\n' || ch == '|') ch = ' ';
      md << " | " << one_line;
      csv << "," << csv_field(c);
    }
    md << " |\n";
    csv << "\n";
  }
  if (baselines.is_array()) {
    md << "\nOn the real test data: ";
    for (size_t k = 0; k + 1 < baselines.size(); ++k) {
      const auto& b = baselines[k];
      md << (k ? "; " : "") << "h=" << b.value("horizon", 0) << ": TRTR MAE "
         << eval::format_metric(b.value("error_real", nlohmann::json(nullptr))) << ", persistence "
         << eval::format_metric(b.value("error_persistence", nlohmann::json(nullptr))) << ", seasonal-naive "
         << eval::format_metric(b.value("error_seasonal_naive", nlohmann::json(nullptr)));
    }
    md << "; cell-boundary max/min of the real data "
       << eval::format_metric(baselines.back().value("cell_boundary_real", nlohmann::json(nullptr))) << ".\n";
  }
  write_file_atomic(out + "/table.md", md.str());
  write_file_atomic(out + "/table.csv", csv.str());
  std::cout << md.str();
  return 0;
}

}  // namespace doppel
