// Training and generation speed of the DoppelGANger model on a fixed synthetic shape:
// 4,096 sequences × 168 steps × 1 continuous feature (zero_one), 3 attributes
// (a categorical of width 4 and two continuous), batch 100, sample_len 8, one thread.
//   build/bench/train_speed_bench [--steps N] [--gen N] [--gen-batch N] [--threads T] [--set key=value ...]
// Prints one JSON object:
//   train_seq_per_s      batch × steps / time of Trainer::step() (the real loop)
//   phases_ms_per_step   forward / backward / optimizer / data of a timed replica of the step
//                        (same calls as Trainer::step, clocks between them)
//   gen_seq_per_s        no-grad generator forward + conversion to an encoded Batch
//   peak_rss_mb          getrusage ru_maxrss of the whole process (includes LibTorch itself)
//   *_per_cpu_s          the same per CPU second (the machine is shared: wall time includes
//                        waiting for a core)
// Selects OpenBLAS's AVX-512 / AVX2 kernels where OpenBLAS itself would not, as doppel does.
#include <sys/resource.h>
#include <unistd.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "doppel/data/batch_source.hpp"
#include "doppel/runtime/blas_kernels.hpp"
#include "doppel/dist/communicator.hpp"
#include "doppel/config/config.hpp"
#include "doppel/runtime/malloc_tuning.hpp"
#include "doppel/model/example_random.hpp"
#include "doppel/model/model_space.hpp"
#include "doppel/model/packing.hpp"
#include "doppel/model/wgan_gp.hpp"
#include "doppel/optim/fused_adam.hpp"
#include "doppel/train/trainer.hpp"
#include "../tests/unit/synthetic_source.hpp"  // test_column: the fixture columns tests use too

using namespace doppel;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kItems = 4096, kLen = 168;


// Daily-periodic sequences with random phase, level and length (most full length), so the
// flag and min/max paths do real work.
InMemorySource synthetic_source() {
  Schema s;
  s.kind = "sequences";
  s.max_len = kLen;
  s.attributes = {doppel_test::test_column("kind", Role::Attribute, Encoding::Categorical, 4),
                  doppel_test::test_column("level", Role::Attribute, Encoding::ZeroOne),
                  doppel_test::test_column("noise", Role::Attribute, Encoding::ZeroOne)};
  s.features = {doppel_test::test_column("value", Role::Feature, Encoding::ZeroOne)};
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u01(0, 1);
  Batch b;
  b.n = kItems;
  b.L = kLen;
  b.A = 6;
  b.F = 1;
  b.attributes.assign(kItems * 6, 0.0f);
  b.features.assign(kItems * kLen, 0.0f);
  b.split.assign(kItems, 0);
  b.start_time.assign(kItems, 0);
  for (int64_t i = 0; i < kItems; ++i) {
    b.index.push_back(i);
    const int kind = int(rng() % 4);
    const float level = u01(rng), noise = u01(rng), phase = u01(rng) * 24;
    b.attributes[i * 6 + kind] = 1;
    b.attributes[i * 6 + 4] = level;
    b.attributes[i * 6 + 5] = noise;
    int32_t len = u01(rng) < 0.8f ? int32_t(kLen) : int32_t(8 + rng() % (kLen - 8));
    b.lengths.push_back(len);
    for (int t = 0; t < len; ++t) {
      float v = 0.5f + 0.4f * level * std::sin(6.2831853f * (t + phase) / 24.0f) + 0.05f * noise * (u01(rng) - 0.5f);
      b.features[i * kLen + t] = std::clamp(v, 0.0f, 1.0f);
    }
  }
  return InMemorySource(s, b);
}

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// CPU seconds of the whole process: on a shared machine wall time includes waiting for a
// core, CPU time does not (with one thread, seq/CPU-second is the unloaded throughput).
double cpu_seconds() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

struct Phases {
  double data = 0, forward = 0, backward = 0, optimizer = 0;
};

void set_requires_grad(torch::nn::Module& m, bool on) {
  for (auto& p : m.parameters()) p.requires_grad_(on);
}

// The body of Trainer::step for one process (d_rounds / g_rounds from the config) with a
// clock between the phases. Uses the trainer's networks; its own optimizers (same options).
void timed_replica_steps(Trainer& trainer, const InMemorySource& source, const Config& c, int64_t steps,
                         Phases& ph) {
  const ModelLayout& layout = trainer.layout();
  const ModelOptions& o = trainer.options();
  const int64_t B = c.integer("train.batch_size"), p = o.packing, packs = B / p;
  const double gp_coe = c.number("train.gp_coe"), attr_gp_coe = c.number("train.attr_gp_coe");
  const double norm = 1.0 / double(packs);
  auto betas = std::make_tuple(c.number("train.adam_beta1"), c.number("train.adam_beta2"));
  FusedAdam opt_g(trainer.generator()->parameters(), torch::optim::AdamOptions(1e-4).betas(betas));
  FusedAdam opt_d(trainer.critic()->parameters(), torch::optim::AdamOptions(1e-4).betas(betas));
  FusedAdam opt_a(trainer.attr_critic()->parameters(), torch::optim::AdamOptions(1e-4).betas(betas));
  auto rng = make_cpu_generator(99);
  std::vector<int64_t> order(source.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = int64_t(i);
  int64_t cursor = 0;
  for (int64_t s = 0; s < steps; ++s) {
    auto t0 = Clock::now();
    if (cursor + B > source.size()) cursor = 0;
    std::vector<int64_t> idx(order.begin() + cursor, order.begin() + cursor + B);
    cursor += B;
    auto real = to_model_space(source.read_indices(idx), layout);
    auto real_in = trainer.critic_input(real.features, real.attributes, p);
    auto real_attr_in = pack_examples(real.attributes, p);
    auto t1 = Clock::now();
    ph.data += seconds(t0, t1);
    for (int64_t r = 0; r < c.integer("train.d_rounds"); ++r) {
      auto a = Clock::now();
      auto noise = draw_generator_noise(rng, layout, o, B, 0, B);
      Generated fake;
      {
        torch::NoGradGuard no_grad;
        fake = trainer.generator()->forward(noise);
      }
      auto eps = example_uniform(rng, packs, 0, packs, {});
      auto eps_attr = example_uniform(rng, packs, 0, packs, {});
      auto lf = critic_loss(trainer.critic(), real_in, trainer.critic_input(fake.features, fake.attributes, p), eps, gp_coe);
      auto la = critic_loss(trainer.attr_critic(), real_attr_in, pack_examples(fake.attributes, p), eps_attr, attr_gp_coe);
      auto loss = (lf.per_example.sum() + la.per_example.sum()) * norm;
      auto b = Clock::now();
      opt_d.zero_grad();
      opt_a.zero_grad();
      loss.backward();
      auto d = Clock::now();
      opt_d.step();
      opt_a.step();
      auto e = Clock::now();
      ph.forward += seconds(a, b);
      ph.backward += seconds(b, d);
      ph.optimizer += seconds(d, e);
    }
    auto a = Clock::now();
    set_requires_grad(*trainer.critic(), false);
    set_requires_grad(*trainer.attr_critic(), false);
    auto a2 = Clock::now();
    ph.optimizer += seconds(a, a2);
    for (int64_t r = 0; r < c.integer("train.g_rounds"); ++r) {
      auto f0 = Clock::now();
      auto noise = draw_generator_noise(rng, layout, o, B, 0, B);
      auto fake = trainer.generator()->forward(noise);
      auto gl = generator_loss(trainer.critic(), trainer.attr_critic(), trainer.critic_input(fake.features, fake.attributes, p),
                               pack_examples(fake.attributes, p), c.number("train.g_attr_d_coe"));
      auto loss = gl.sum() * norm;
      auto f1 = Clock::now();
      opt_g.zero_grad();
      loss.backward();
      auto f2 = Clock::now();
      opt_g.step();
      auto f3 = Clock::now();
      ph.forward += seconds(f0, f1);
      ph.backward += seconds(f1, f2);
      ph.optimizer += seconds(f2, f3);
    }
    auto z = Clock::now();
    set_requires_grad(*trainer.critic(), true);
    set_requires_grad(*trainer.attr_critic(), true);
    ph.optimizer += seconds(z, Clock::now());
  }
}

std::string blas_mapping() {
  std::ifstream maps("/proc/self/maps");
  std::string line, found;
  while (std::getline(maps, line)) {
    auto pos = line.find('/');
    if (pos == std::string::npos) continue;
    std::string path = line.substr(pos);
    if ((path.find("blas") != std::string::npos || path.find("mkl") != std::string::npos) &&
        found.find(path) == std::string::npos)
      found += (found.empty() ? "" : ";") + path;
  }
  return found.empty() ? "none mapped (LibTorch's own kernels / statically linked)" : found;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  doppel::select_openblas_kernels(argv);  // as the doppel binary does (src/cli/main.cpp)
  doppel::keep_freed_memory_for_reuse();  // as the doppel binary does (src/cli/main.cpp)
  int64_t steps = 100, gen_n = 20000, threads = 1, warmup = 5;
  std::string only;
  int64_t gen_batch_opt = 250;  // doppel generate's default --batch
  std::vector<std::string> overrides{"model.sample_len=8", "train.batch_size=100", "train.d_rounds=1",
                                     "train.g_rounds=1", "train.seed=1", "train.max_steps=1000000",
                                     "train.log_every=1000000", "train.vis_freq=0"};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--steps" && i + 1 < argc) steps = std::stoll(argv[++i]);
    else if (a == "--gen" && i + 1 < argc) gen_n = std::stoll(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = std::stoll(argv[++i]);
    else if (a == "--set" && i + 1 < argc) overrides.push_back(argv[++i]);
    else if (a == "--only" && i + 1 < argc) only = argv[++i];  // train | gen (profiling)
    else if (a == "--gen-batch" && i + 1 < argc) gen_batch_opt = std::stoll(argv[++i]);
    else {
      std::cerr << "usage: train_speed_bench [--steps N] [--gen N] [--gen-batch N] [--threads T] [--set key=value ...]\n";
      return 2;
    }
  }
  overrides.push_back("train.threads=" + std::to_string(threads));
  at::set_num_threads(int(threads));
  at::set_num_interop_threads(1);
  Config config = Config::defaults(overrides);
  auto source = synthetic_source();
  auto comm = make_single_process_communicator();
  const std::string run_dir = (std::filesystem::temp_directory_path() / "doppel_train_speed_bench").string();
  Trainer trainer(config, source, *comm, run_dir);
  const int64_t B = config.integer("train.batch_size");

  if (only == "gen") steps = 1;
  if (only == "train") gen_n = 1000;
  // 1. The real loop.
  for (int64_t s = 0; s < warmup; ++s) trainer.step();
  auto t0 = Clock::now();
  const double c0 = cpu_seconds();
  for (int64_t s = 0; s < steps; ++s) trainer.step();
  const double train_s = seconds(t0, Clock::now()), train_cpu = cpu_seconds() - c0;

  // 2. Phase split from the replica.
  Phases ph;
  timed_replica_steps(trainer, source, config, warmup, ph);
  ph = {};
  auto r0 = Clock::now();
  timed_replica_steps(trainer, source, config, steps, ph);
  const double replica_s = seconds(r0, Clock::now());

  // 3. Generation, as generate_sequences does it (batch 250 unless --gen-batch, the CLI's default).
  const int64_t gen_batch = gen_batch_opt;
  double gen_s = 0, gen_cpu = 0;
  int64_t gen_done = 0, total_len = 0;
  {
    torch::NoGradGuard no_grad;
    auto gen = make_cpu_generator(5);
    trainer.generator()->eval();
    for (int pass = 0; pass < 2; ++pass) {  // pass 0 warms up
      auto g0 = Clock::now();
      const double gc0 = cpu_seconds();
      const int64_t n = pass == 0 ? gen_batch : gen_n;
      for (int64_t begin = 0; begin < n; begin += gen_batch) {
        const int64_t b = std::min(gen_batch, n - begin);
        auto noise = draw_generator_noise(gen, trainer.layout(), trainer.options(), b, 0, b);
        auto out = trainer.generator()->forward(noise);
        Batch encoded = from_model_space(out.attributes, out.features, trainer.layout());
        if (pass == 1)
          for (auto l : encoded.lengths) total_len += l;
      }
      if (pass == 1) {
        gen_s = seconds(g0, Clock::now());
        gen_cpu = cpu_seconds() - gc0;
        gen_done = n;
      }
    }
  }

  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  double load1 = -1;
  std::ifstream("/proc/loadavg") >> load1;
  const double per = 1000.0 / double(steps);
  std::printf(
      "{\"shape\": {\"items\": %lld, \"L\": %lld, \"features\": 1, \"attributes\": 3, \"batch\": %lld, "
      "\"sample_len\": %lld, \"d_rounds\": %lld, \"g_rounds\": %lld, \"threads\": %d},\n"
      " \"train_steps\": %lld, \"train_seq_per_s\": %.1f, \"train_seq_per_cpu_s\": %.1f, \"train_ms_per_step\": %.3f,\n"
      " \"replica_seq_per_s\": %.1f, \"phases_ms_per_step\": {\"data\": %.3f, \"forward\": %.3f, "
      "\"backward\": %.3f, \"optimizer\": %.3f},\n"
      " \"gen_sequences\": %lld, \"gen_seq_per_s\": %.1f, \"gen_seq_per_cpu_s\": %.1f, \"gen_mean_length\": %.1f,\n"
      " \"load_average_1min\": %.2f,\n"
      " \"peak_rss_mb\": %.1f, \"openblas_coretype\": \"%s\", \"blas\": %s, \"torch_version\": \"%s\"}\n",
      (long long)kItems, (long long)kLen, (long long)B, (long long)config.integer("model.sample_len"),
      (long long)config.integer("train.d_rounds"), (long long)config.integer("train.g_rounds"), at::get_num_threads(),
      (long long)steps, double(B) * steps / train_s, double(B) * steps / train_cpu, train_s * 1000.0 / steps, double(B) * steps / replica_s,
      ph.data * per, ph.forward * per, ph.backward * per, ph.optimizer * per, (long long)gen_done,
      double(gen_done) / gen_s, double(gen_done) / gen_cpu, gen_done ? double(total_len) / gen_done : 0.0, load1, ru.ru_maxrss / 1024.0,
      doppel::openblas_core().empty() ? "(not OpenBLAS)" : doppel::openblas_core().c_str(),
      json_string(blas_mapping()).c_str(), TORCH_VERSION);
  return 0;
}
