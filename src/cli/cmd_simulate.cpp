// `doppel simulate bank|traffic`: write a simulated CSV with a documented generative
// process (docs/simulators.md).
#include <iostream>
#include <string>

#include "doppel/cli/args.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/error.hpp"
#include "doppel/simulate/simulate.hpp"

namespace doppel {
namespace {

const char* kUsage =
    "usage: doppel simulate KIND [options]   (doppel simulate KIND --help for each)\n\n"
    "Write a simulated CSV whose generative process is documented in docs/simulators.md.\n\n"
    "kinds:\n"
    "  bank        bank transactions: account_id,timestamp,amount,flag,description,initial_balance\n"
    "  traffic     multi-sensor hourly traffic volume with shared weather and holidays\n";

std::uint64_t seed_of(const Args& args) {
  long long s = args.get_int("seed");
  if (s < 0) throw UsageError("doppel simulate: --seed must be non-negative, got " + std::to_string(s));
  return static_cast<std::uint64_t>(s);
}

int simulate_bank_command(int argc, char** argv) {
  Args args("doppel simulate bank",
            "Simulated bank transactions: one row per transaction, grouped by account and sorted by\n"
            "time; about 20 transactions per account with the defaults.");
  args.option("accounts", "number of accounts", "5000")
      .option("seed", "random seed (same seed, same bytes)", "1")
      .option("out", "output CSV path", "", true)
      .option("start", "first day of the period, YYYY-MM-DD (UTC)", "2019-01-01")
      .option("months", "length of the period in calendar months", "12")
      .flag("quiet", "no progress lines on stderr");
  if (!args.parse(argc, argv)) return 0;
  BankSimOptions o;
  o.accounts = args.get_int("accounts");
  o.seed = seed_of(args);
  o.start = args.get("start");
  long long months = args.get_int("months");
  if (months < 1 || months > 1200) throw UsageError("doppel simulate bank: --months must be in 1..1200");
  o.months = static_cast<int>(months);
  o.progress = !args.get_flag("quiet") && o.accounts >= 50000;
  simulate_bank(o, args.get("out"));
  return 0;
}

int simulate_traffic_command(int argc, char** argv) {
  Args args("doppel simulate traffic",
            "Simulated hourly traffic volume for several sensors in one region: rows grouped by\n"
            "sensor, every hour of every day present.");
  args.option("sensors", "number of sensors", "100")
      .option("days", "number of days", "365")
      .option("seed", "random seed (same seed, same bytes)", "1")
      .option("out", "output CSV path", "", true)
      .option("start", "first day, YYYY-MM-DD", "2016-01-01")
      .flag("quiet", "no progress lines on stderr");
  if (!args.parse(argc, argv)) return 0;
  TrafficSimOptions o;
  o.sensors = args.get_int("sensors");
  o.days = args.get_int("days");
  o.seed = seed_of(args);
  o.start = args.get("start");
  o.progress = !args.get_flag("quiet") && o.sensors * o.days * 24 >= 1000000;
  simulate_traffic(o, args.get("out"));
  return 0;
}

}  // namespace

int cmd_simulate(int argc, char** argv) {
  if (argc < 1) throw UsageError("missing KIND (bank or traffic)\n" + std::string(kUsage));
  std::string kind = argv[0];
  if (kind == "--help" || kind == "-h") {
    std::cout << kUsage;
    return 0;
  }
  if (kind == "bank") return simulate_bank_command(argc - 1, argv + 1);
  if (kind == "traffic") return simulate_traffic_command(argc - 1, argv + 1);
  throw UsageError("unknown kind '" + kind + "' (expected bank or traffic)\n" + std::string(kUsage));
}

}  // namespace doppel
