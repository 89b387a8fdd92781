// doppel compare: the comparison table of DoppelGANger against the LSTM and
// bootstrap baselines, each evaluated against the same real data.
#include <filesystem>
#include <iostream>
#include <sstream>

#include "doppel/args.hpp"
#include "learned_metrics_hook.hpp"
#include "doppel/atomic_file.hpp"
#include "doppel/commands.hpp"
#include "doppel/config.hpp"
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
            "print the table (similarity, autocorrelation, utility ratio and its standard error, discriminative score) as "
            "Markdown; also writes DIR/table.md, DIR/table.csv and DIR/<method>/ (each evaluation). "
            "A missing input makes its row 'not available (reason)'.");
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
  std::filesystem::create_directories(args.get("out"));
  config.save((std::filesystem::path(args.get("out")) / "config.toml").string());  // resolved, beside the outputs
  const std::string out = args.get("out");
  std::filesystem::create_directories(out);

  std::vector<Row> rows = {{"DoppelGANger", "doppelganger", "doppelganger", {}, ""},
                           {"LSTM", "lstm", "lstm", {}, ""},
                           {"bootstrap", "bootstrap", "bootstrap", {}, ""}};
  for (auto& r : rows) {
    std::string path = args.get(r.option);
    if (path.empty()) {
      r.reason = "--" + r.option + " not given";
      continue;
    }
    try {
      auto m = eval::evaluate_files(args.get("real"), path, out + "/" + r.dir, options,
                                    !args.get_flag("no-plots"));
      r.cells = {metric(m, "similarity", "score"), metric(m, "autocorrelation", "score"),
                 metric(m, "utility", "ratio"), metric(m, "utility", "ratio_se"),
                 metric(m, "discriminative", "score")};
    } catch (const Error& e) {
      r.reason = e.what();
    }
  }

  // The ratio is a mean over eval.utility_repeats forecaster runs; s.e. = its standard error.
  const std::vector<std::string> header = {"method", "similarity", "autocorrelation", "utility ratio",
                                           "utility ratio s.e.", "discriminative score"};
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
  write_file_atomic(out + "/table.md", md.str());
  write_file_atomic(out + "/table.csv", csv.str());
  std::cout << md.str();
  return 0;
}

}  // namespace doppel
