// `doppel privacy epsilon|sigma`: the accountant on the command line, for planning
// a run's budget before training (and for checking what a finished run spent).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "doppel/cli/args.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/error.hpp"
#include "doppel/privacy/rdp_accountant.hpp"

namespace doppel {
namespace {

const char* kUsage =
    "usage: doppel privacy SUBCOMMAND [options]   (doppel privacy SUBCOMMAND --help for each)\n\n"
    "Privacy accounting for DP-SGD with the Poisson-subsampled Gaussian mechanism (Renyi DP,\n"
    "151 orders 1.1..10.9, 12..63; Balle et al. 2020 conversion to (epsilon, delta)).\n\n"
    "subcommands:\n"
    "  epsilon     epsilon spent by T steps at sampling rate q and noise multiplier sigma\n"
    "  sigma       smallest noise multiplier (to 0.01 in epsilon) meeting a target epsilon\n";

// Shortest text that reads back as the same double.
std::string exact(double x) {
  char buf[40];
  for (int p = 1; p <= 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

void add_schedule_options(Args& args) {
  args.option("sampling-rate", "Poisson sampling rate q = expected batch / data set size", "", true)
      .option("steps", "number of steps T (each discriminator round is a step)", "", true)
      .option("delta", "target delta, in (0, 1)", "", true)
      .flag("json", "print one JSON object instead of text");
}

int run_epsilon(int argc, char** argv) {
  Args args("doppel privacy epsilon",
            "Epsilon spent by T steps of the subsampled Gaussian mechanism (q, sigma) at delta.");
  add_schedule_options(args);
  args.option("noise-multiplier", "noise multiplier sigma (noise std / clip norm), > 0", "", true);
  if (!args.parse(argc, argv)) return 0;
  const double q = args.get_double("sampling-rate");
  const double sigma = args.get_double("noise-multiplier");
  const long long steps = args.get_int("steps");
  const double delta = args.get_double("delta");

  RdpAccountant acc;
  acc.step(q, sigma, steps);
  double order = 0;
  const double eps = acc.epsilon(delta, &order);
  const std::string warning = acc.edge_warning(delta);
  if (!warning.empty()) std::cerr << "doppel privacy: " << warning << "\n";
  if (args.get_flag("json")) {
    nlohmann::json j = {{"sampling_rate", q}, {"noise_multiplier", sigma}, {"steps", steps},
                        {"delta", delta},     {"epsilon", eps},          {"best_order", order},
                        {"order_at_edge", !warning.empty()}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "epsilon " << exact(eps) << "\n"
              << "best_order " << exact(order) << "\n";
  }
  return 0;
}

int run_sigma(int argc, char** argv) {
  Args args("doppel privacy sigma",
            "Noise multiplier for which T steps at sampling rate q spend at most the target epsilon\n"
            "at delta (bisection to 0.01 in epsilon; the answer never overspends).");
  add_schedule_options(args);
  args.option("target-epsilon", "privacy budget epsilon, > 0", "", true)
      .option("tolerance", "stop when target - epsilon(sigma) <= this", "0.01");
  if (!args.parse(argc, argv)) return 0;
  const double q = args.get_double("sampling-rate");
  const long long steps = args.get_int("steps");
  const double delta = args.get_double("delta");
  const double target = args.get_double("target-epsilon");
  const double tol = args.get_double("tolerance");

  const double sigma = calibrate_sigma(q, steps, delta, target, tol);
  double order = 0;
  const double eps = compute_epsilon(q, sigma, steps, delta, &order);
  if (args.get_flag("json")) {
    nlohmann::json j = {{"sampling_rate", q}, {"steps", steps},   {"delta", delta},
                        {"target_epsilon", target}, {"noise_multiplier", sigma},
                        {"epsilon", eps},      {"best_order", order}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "noise_multiplier " << exact(sigma) << "\n"
              << "epsilon " << exact(eps) << "\n";
  }
  return 0;
}

}  // namespace

int cmd_privacy(int argc, char** argv) {
  if (argc < 1) {
    std::cerr << kUsage;
    throw UsageError("missing subcommand (epsilon or sigma)");
  }
  const std::string sub = argv[0];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (sub == "epsilon") return run_epsilon(argc - 1, argv + 1);
  if (sub == "sigma") return run_sigma(argc - 1, argv + 1);
  std::cerr << kUsage;
  throw UsageError("unknown subcommand '" + sub + "' (epsilon or sigma)");
}

}  // namespace doppel
