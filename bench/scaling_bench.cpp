// Weak-scaling figures of data-parallel training on this machine. Run under mpirun with 1 and
// 2 ranks (bench/scaling_bench.sh does both and adds the efficiency). Each rank keeps its
// local batch; the global batch grows with the ranks. Prints one JSON object (rank 0):
// sequences/s, time per step split into compute and communication (time inside collectives,
// including waiting for the slower rank), bytes all-reduced per step.
//   mpirun -np 2 build/bench/scaling_bench [--local-batch 32] [--steps 20] [--warmup 3]
#include <torch/torch.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include "doppel/runtime/blas_kernels.hpp"
#include "doppel/dist/communicator_factory.hpp"
#include "doppel/train/trainer.hpp"
#include "../tests/unit/synthetic_source.hpp"  // test_column: the fixture columns tests use too

using namespace doppel;
using Clock = std::chrono::steady_clock;

namespace {

// Forwards to the real communicator and adds up the time and bytes spent in collectives.
class TimedCommunicator : public Communicator {
 public:
  explicit TimedCommunicator(Communicator& inner) : inner_(inner) {}
  int rank() const override { return inner_.rank(); }
  int world() const override { return inner_.world(); }
  int local_rank() const override { return inner_.local_rank(); }
  std::string name() const override { return inner_.name(); }
  void all_reduce_sum(at::Tensor& t) override {
    auto s = Clock::now();
    inner_.all_reduce_sum(t);
    seconds += std::chrono::duration<double>(Clock::now() - s).count();
    bytes += double(t.nbytes());
  }
  void broadcast(at::Tensor& t, int root) override {
    auto s = Clock::now();
    inner_.broadcast(t, root);
    seconds += std::chrono::duration<double>(Clock::now() - s).count();
  }
  void barrier() override {
    auto s = Clock::now();
    inner_.barrier();
    seconds += std::chrono::duration<double>(Clock::now() - s).count();
  }
  bool any(bool flag) override {
    auto s = Clock::now();
    bool r = inner_.any(flag);
    seconds += std::chrono::duration<double>(Clock::now() - s).count();
    return r;
  }
  [[noreturn]] void abort(const std::string& m, int code) override { inner_.abort(m, code); }
  double seconds = 0, bytes = 0;

 private:
  Communicator& inner_;
};


// Traffic-like: 50 hourly steps, one continuous feature, a few attributes.
InMemorySource make_source(int64_t n) {
  Schema s;
  s.kind = "sequences";
  s.max_len = 50;
  s.attributes = {doppel_test::test_column("kind", Role::Attribute, Encoding::Categorical, 7),
                  doppel_test::test_column("level", Role::Attribute, Encoding::ZeroOne)};
  s.features = {doppel_test::test_column("volume", Role::Feature, Encoding::ZeroOne)};
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u01(0, 1);
  Batch b;
  b.n = n;
  b.L = 50;
  b.A = 8;
  b.F = 1;
  b.attributes.assign(n * 8, 0.0f);
  b.features.assign(n * 50, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    b.attributes[i * 8 + rng() % 7] = 1;
    b.attributes[i * 8 + 7] = u01(rng);
    b.lengths.push_back(50);
    for (int t = 0; t < 50; ++t) b.features[i * 50 + t] = 0.5f + 0.4f * std::sin(t * 0.26f) * u01(rng);
  }
  return InMemorySource(s, b);
}

int64_t arg(int argc, char** argv, const char* name, int64_t def) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::stoll(argv[i + 1]);
  return def;
}

}  // namespace

int main(int argc, char** argv) {
  doppel::select_openblas_kernels(argv);  // as the doppel binary does (src/cli/main.cpp)
  const int64_t local_batch = arg(argc, argv, "--local-batch", 32), steps = arg(argc, argv, "--steps", 20),
                warmup = arg(argc, argv, "--warmup", 3);
  torch::set_num_threads(1);
  auto real = make_communicator("auto", 600);
  TimedCommunicator comm(*real);
  const int64_t global = local_batch * comm.world();
  auto source = make_source(std::max<int64_t>(global * (steps + warmup + 1), 1000));
  const std::string run_dir = (std::filesystem::temp_directory_path() / ("doppel_scaling_bench_" +
                               std::to_string(::getpid()))).string();
  Config config = Config::parse(
      "[model]\nsample_len = 5\n[train]\nseed = 1\nthreads = 1\nd_rounds = 1\ng_rounds = 1\n", "scaling_bench",
      {"train.batch_size=" + std::to_string(global), "train.max_steps=" + std::to_string(steps + warmup),
       "train.log_every=100000", "train.checkpoint_every=100000", "dist.checksum_every=0"});
  Trainer trainer(config, source, comm, run_dir);
  int64_t params = 0;
  for (auto& kv : trainer.named_state()) params += kv.second.numel();
  for (int64_t i = 0; i < warmup; ++i) trainer.step();
  comm.barrier();
  comm.seconds = 0;
  comm.bytes = 0;
  auto start = Clock::now();
  for (int64_t i = 0; i < steps; ++i) trainer.step();
  comm.barrier();
  const double total = std::chrono::duration<double>(Clock::now() - start).count();
  // The slowest rank's communication share (max over ranks).
  auto c = torch::tensor({comm.seconds}, torch::kDouble);
  auto comm_s = comm.seconds;
  {
    auto all = torch::zeros({comm.world()}, torch::kDouble);
    all[comm.rank()] = comm_s;
    real->all_reduce_sum(all);
    comm_s = all.max().item<double>();
  }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  auto peak = torch::zeros({comm.world()}, torch::kDouble);
  peak[comm.rank()] = double(ru.ru_maxrss) / 1024.0;
  real->all_reduce_sum(peak);
  if (comm.rank() == 0) {
    nlohmann::json j;
    j["ranks"] = comm.world();
    j["communicator"] = comm.name();
    j["local_batch"] = local_batch;
    j["global_batch"] = global;
    j["steps"] = steps;
    j["parameters"] = params;
    j["sequences_per_s"] = double(global * steps) / total;
    j["step_ms"] = 1e3 * total / double(steps);
    j["comm_ms_per_step"] = 1e3 * comm_s / double(steps);
    j["compute_ms_per_step"] = 1e3 * (total - comm_s) / double(steps);
    j["bytes_all_reduced_per_step"] = comm.bytes / double(steps);
    std::vector<double> mb(peak.data_ptr<double>(), peak.data_ptr<double>() + comm.world());
    j["peak_rss_mb_per_rank"] = mb;
    std::cout << j.dump() << std::endl;
  }
  std::filesystem::remove_all(run_dir);
  return 0;
}
