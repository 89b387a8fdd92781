// DP overhead: one full training step (d_rounds critic updates + 1 generator update) with
// and without privacy, side by side in one process, on a traffic-like schema (168-hour
// windows, a 50-level binned feature, categorical attributes) at batch 100.
//   build/bench/dp_overhead_bench [--steps 20] [--threads 1] [--d-rounds 1]
// Prints one JSON object: seconds per step each (best of two interleaved rounds) and their
// ratio (target <= 2).
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "doppel/runtime/blas_kernels.hpp"
#include "doppel/data/batch_source.hpp"
#include "doppel/dist/communicator.hpp"
#include "doppel/config/config.hpp"
#include "doppel/train/trainer.hpp"
#include "../tests/unit/synthetic_source.hpp"  // test_column: the fixture columns tests use too

using namespace doppel;

namespace {


InMemorySource traffic_like(int64_t n, int64_t L) {
  Schema s;
  s.kind = "sequences";
  s.max_len = L;
  s.attributes = {doppel_test::test_column("weather", Role::Attribute, Encoding::Categorical, 11),
                  doppel_test::test_column("holiday", Role::Attribute, Encoding::Categorical, 2),
                  doppel_test::test_column("day", Role::Attribute, Encoding::Categorical, 7)};
  s.features = {doppel_test::test_column("volume", Role::Feature, Encoding::Categorical, 50)};
  const int64_t A = 20, F = 50;
  std::mt19937 rng(5);
  Batch b;
  b.n = n;
  b.L = L;
  b.A = A;
  b.F = F;
  b.attributes.assign(n * A, 0.0f);
  b.features.assign(n * L * F, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    b.attributes[i * A + rng() % 11] = 1;
    b.attributes[i * A + 11 + rng() % 2] = 1;
    b.attributes[i * A + 13 + rng() % 7] = 1;
    b.lengths.push_back(int32_t(L));
    for (int64_t t = 0; t < L; ++t) b.features[(i * L + t) * F + rng() % F] = 1;
  }
  return InMemorySource(s, b);
}

double seconds_per_step(Trainer& t, int steps) {
  for (int i = 0; i < 2; ++i) t.step();  // warm-up (allocator, first-touch)
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) t.step();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / steps;
}

}  // namespace

int main(int argc, char** argv) {
  doppel::select_openblas_kernels(argv);  // as the doppel binary does (src/cli/main.cpp)
  int steps = 20, threads = 1, d_rounds = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--steps") steps = std::stoi(argv[i + 1]);
    else if (a == "--threads") threads = std::stoi(argv[i + 1]);
    else if (a == "--d-rounds") d_rounds = std::stoi(argv[i + 1]);
  }
  auto source = traffic_like(5000, 168);
  auto comm = make_single_process_communicator();
  std::vector<std::string> common{"model.sample_len=12", "train.batch_size=100", "train.max_steps=100000",
                                  "train.d_rounds=" + std::to_string(d_rounds), "train.g_rounds=1",
                                  "train.threads=" + std::to_string(threads), "train.vis_freq=0",
                                  "train.log_every=100000", "train.checkpoint_every=100000"};
  auto with = [&](std::vector<std::string> more) {
    auto v = common;
    v.insert(v.end(), more.begin(), more.end());
    return Config::defaults(v);
  };
  Trainer plain(with({}), source, *comm, "/tmp/dp_overhead_bench_plain");
  Trainer priv(with({"privacy.enabled=true", "privacy.noise_multiplier=1", "privacy.seed=1"}), source, *comm,
               "/tmp/dp_overhead_bench_private");
  // Interleave two rounds each so machine-load drift hits both alike.
  double p1 = seconds_per_step(plain, steps), d1 = seconds_per_step(priv, steps);
  double p2 = seconds_per_step(plain, steps), d2 = seconds_per_step(priv, steps);
  const double p = std::min(p1, p2), d = std::min(d1, d2);
  nlohmann::json j = {{"benchmark", "dp_overhead"},
                      {"batch", 100},
                      {"sequence_length", 168},
                      {"d_rounds", d_rounds},
                      {"g_rounds", 1},
                      {"threads", threads},
                      {"steps_timed", steps},
                      {"nonprivate_s_per_step", p},
                      {"private_s_per_step", d},
                      {"ratio", d / p},
                      {"target_ratio", 2.0},
                      {"nonprivate_sequences_per_s", 100.0 * d_rounds / p},
                      {"private_sequences_per_s", 100.0 * d_rounds / d}};
  std::cout << j.dump() << std::endl;
  return 0;
}
