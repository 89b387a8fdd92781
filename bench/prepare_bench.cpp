// Prepare throughput and peak memory at two sizes of each data kind. Each case runs in
// its own child process so its peak RSS (ru_maxrss from wait4) is its own; the figure
// includes the ~160 MB of the loaded binary (LibTorch is linked in).
//   build/bench/prepare_bench [--small-only] [--dir out/bench]
// Prints one JSON object per case.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "doppel/config/config.hpp"
#include "doppel/data/prepare.hpp"
#include "doppel/simulate/simulate.hpp"

using namespace doppel;

struct Case {
  std::string name, config, csv;
  long long size;  // accounts or sensors
  bool bank;
};

int main(int argc, char** argv) {
  bool small_only = false;
  std::string dir = "out/bench";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--small-only")) small_only = true;
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
    else {
      std::cerr << "usage: prepare_bench [--small-only] [--dir DIR]\n";
      return 2;
    }
  }
  std::filesystem::create_directories(dir);
  std::string src = DOPPEL_SOURCE_DIR;
  std::vector<Case> cases = {{"bank_1M_rows", src + "/configs/bank.toml", dir + "/bank_50k.csv", 50000, true},
                             {"bank_10M_rows", src + "/configs/bank.toml", dir + "/bank_500k.csv", 500000, true},
                             {"traffic_100_sensors", src + "/configs/traffic_sim.toml", dir + "/traffic_100.csv", 100, false},
                             {"traffic_1000_sensors", src + "/configs/traffic_sim.toml", dir + "/traffic_1000.csv", 1000, false}};
  for (const auto& c : cases) {
    if (small_only && (c.name == "bank_10M_rows" || c.name == "traffic_1000_sensors")) continue;
    if (!std::filesystem::exists(c.csv)) {
      if (c.bank) {
        BankSimOptions o;
        o.accounts = c.size;
        simulate_bank(o, c.csv);
      } else {
        TrafficSimOptions o;
        o.sensors = c.size;
        o.days = 365;
        simulate_traffic(o, c.csv);
      }
    }
    std::string out = dir + "/" + c.name + ".h5";
    int pipefd[2];
    if (pipe(pipefd) != 0) return 1;
    auto t0 = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      close(pipefd[0]);
      PrepareResult r = prepare_dataset(Config::load(c.config, {"data.input=" + c.csv}), out);
      std::string msg = std::to_string(r.rows) + " " + std::to_string(r.items);
      (void)!write(pipefd[1], msg.data(), msg.size());
      _exit(0);
    }
    close(pipefd[1]);
    char buf[128] = {0};
    (void)!read(pipefd[0], buf, sizeof buf - 1);
    close(pipefd[0]);
    int status = 0;
    struct rusage ru {};
    wait4(pid, &status, 0, &ru);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    long long rows = 0, items = 0;
    std::sscanf(buf, "%lld %lld", &rows, &items);
    std::printf(
        "{\"case\": \"%s\", \"ok\": %s, \"rows\": %lld, \"items\": %lld, \"seconds\": %.2f, "
        "\"rows_per_s\": %.0f, \"peak_rss_mb\": %.1f, \"input_mb\": %.1f, \"output_mb\": %.1f}\n",
        c.name.c_str(), WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "true" : "false", rows, items, secs,
        rows / secs, ru.ru_maxrss / 1024.0, std::filesystem::file_size(c.csv) / 1e6,
        std::filesystem::exists(out) ? std::filesystem::file_size(out) / 1e6 : 0.0);
    std::fflush(stdout);
  }
  return 0;
}
