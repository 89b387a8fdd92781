#include <filesystem>
// doppel evaluate: compare a synthetic data set to the real one (metrics.json,
// report.md and plots; formulas in docs/metrics.md).
#include <iostream>

#include "doppel/cli/args.hpp"
#include "learned_metrics_hook.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/config/config.hpp"
#include "doppel/error.hpp"
#include "doppel/eval/evaluate_files.hpp"
#include "doppel/eval/report.hpp"

namespace doppel {

int cmd_evaluate(int argc, char** argv) {
  Args args("doppel evaluate",
            "Compare synthetic to real data: similarity, autocorrelation, sequential mutual "
            "information and distances (docs/metrics.md). Reads HDF5 data sets: the real file's "
            "training split against all synthetic items. Writes DIR/metrics.json, DIR/report.md "
            "and DIR/*.png (gnuplot).");
  args.option("real", "real HDF5 data set (from doppel prepare)", "", true)
      .option("synthetic", "synthetic HDF5 data set (generate / baseline)", "", true)
      .option("out", "output directory", "eval")
      .option("config", "TOML config with an [eval] section (optional)")
      .repeated("set", "override a config key, e.g. --set eval.max_lag=60")
      .flag("no-plots", "skip the plots (no gnuplot needed)");
  if (!args.parse(argc, argv)) return 0;
  Config config = args.get("config").empty() ? Config::defaults(args.all("set"))
                                             : Config::load(args.get("config"), args.all("set"));
  auto options = eval::EvaluateOptions::from_config(config);
  attach_learned_metrics(options, config);
  std::filesystem::create_directories(args.get("out"));
  config.save((std::filesystem::path(args.get("out")) / "config.toml").string());  // resolved, beside the outputs
  auto m = eval::evaluate_files(args.get("real"), args.get("synthetic"), args.get("out"), options,
                                !args.get_flag("no-plots"));
  std::cout << "similarity " << eval::format_metric(m["similarity"]["score"]) << ", autocorrelation "
            << eval::format_metric(m["autocorrelation"].value("score", nlohmann::json(nullptr)))
            << "; wrote " << args.get("out") << "/metrics.json and report.md\n";
  return 0;
}

}  // namespace doppel
