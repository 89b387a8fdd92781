// `doppel train`: trains a model on the train (or public) split of a prepared file, on one
// or several ranks, in a run directory that it can resume.
#include <sys/resource.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "doppel/cli/args.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/config/config.hpp"
#include "doppel/data/batch_source.hpp"
#include "doppel/dist/communicator_factory.hpp"
#include "doppel/error.hpp"
#include "doppel/privacy/privacy_engine.hpp"
#include "doppel/runtime/blas_kernels.hpp"
#include "doppel/train/run_directory.hpp"
#include "doppel/train/stop_signal.hpp"
#include "doppel/train/trainer.hpp"

namespace fs = std::filesystem;

namespace doppel {

namespace {
// A TOML basic string holding `s` (for Config::set).
std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

struct TrainStart {
  RunStart start = RunStart::Fresh;
  std::string resume_from;  // --resume-from: this checkpoint instead of the newest
  std::string init_from;
};

int train_on(Config config, const std::string& data, const std::string& run_dir, const TrainStart& how,
             Communicator& comm) {
  const std::string R = "[rank " + std::to_string(comm.rank()) + "] ";
  // One writer: rank 0 holds the run directory's lock until training ends, and nothing of an
  // earlier run is mixed into this one.
  std::unique_ptr<RunDirectoryLock> lock;
  if (comm.rank() == 0) {
    lock = std::make_unique<RunDirectoryLock>(run_dir);
    // --overwrite clears further down, once the config has been checked: a mistyped setting
    // must not cost the old run.
    if (how.start == RunStart::Fresh) prepare_run_directory(run_dir, how.start);
  }
  const bool resume = how.start == RunStart::Resume;
  const std::string& init_from = how.init_from;
  // Stored absolute (config.toml, checkpoints), so the run does not depend on the directory it
  // was started from.
  config.set("train.data=" + toml_string(fs::absolute(data).lexically_normal().string()));
  const std::string split_name = config.string("train.split");
  if (split_name != "train" && split_name != "public")
    throw Error(config.origin() + ": train.split must be \"train\" or \"public\", got \"" + split_name + "\"");
  FileSource source(data, split_name == "public" ? 2 : 0);
  if (source.size() == 0)
    throw Error(data + ": no items in the " + split_name + " split" +
                (split_name == "public" ? " (prepare the data with data.public_fraction > 0 to make one)" : ""));
  // Small training sets are read into memory once (same items, same order: the trajectory
  // does not change); larger ones are read from the file batch by batch.
  const int64_t cache_mb = config.integer("train.memory_cache_mb");
  if (cache_mb < 0) throw Error(config.origin() + ": train.memory_cache_mb must be >= 0, got " + std::to_string(cache_mb));
  const auto cached = InMemorySource::copy_if_at_most(source, cache_mb << 20);
  if (cached)
    std::cout << R << "read the " << source.size() << " training items into memory ("
              << (InMemorySource::bytes_of(source) >> 20) << " MiB)" << std::endl;
  Trainer trainer(config, cached ? *cached : static_cast<const BatchSource&>(source), comm, run_dir);
  // --resume continues this run when it has a checkpoint; otherwise the run starts, from
  // --init-from's weights if given (so a requeued job of a fine-tuning run resumes instead of
  // starting over).
  bool resumed = false;
  if (!how.resume_from.empty()) {
    trainer.load_checkpoint(how.resume_from);
    resumed = true;
    std::cout << R << "resumed from " << how.resume_from << " at step " << trainer.global_step() << "\n";
  } else if (resume) {
    resumed = trainer.resume();
    if (resumed)
      std::cout << R << "resumed at step " << trainer.global_step()
                << (init_from.empty() ? "" : " (--init-from ignored: the run has a checkpoint)") << "\n";
    else
      std::cout << R << "--resume: no checkpoint in " << run_dir << ", starting at step 0\n";
  }
  if (!resumed && !init_from.empty()) {
    trainer.init_from(init_from);
    std::cout << R << "initialised weights from " << init_from << std::endl;
  }
  if (auto* p = trainer.privacy(); p && trainer.global_step() == 0 && !trainer.budget_allows_step())
    throw Error(config.origin() + ": privacy: with sigma " + std::to_string(p->noise_multiplier()) + " and q " +
                std::to_string(p->sampling_rate()) + " even the first step would spend epsilon " +
                std::to_string(p->epsilon_after(config.integer("train.d_rounds"))) + " > privacy.target_epsilon " +
                std::to_string(p->options().target_epsilon) +
                ": no step is affordable (raise privacy.noise_multiplier or the target, or lower train.d_rounds)");
  // Written only now, once the checkpoint (if any) was found to fit: a refused resume leaves the
  // run's config.toml as it was.
  if (comm.rank() == 0) {
    if (how.start == RunStart::Overwrite) prepare_run_directory(run_dir, how.start);
    config.save((fs::path(run_dir) / "config.toml").string());
  }
  const std::string blas_core = openblas_core();
  std::cout << R << "training on " << source.size() << " sequences of " << data << " for " << trainer.total_steps()
            << " steps (" << trainer.steps_per_epoch() << " per epoch) with " << comm.world() << " rank(s), "
            << comm.name() << " communicator, " << at::get_num_threads() << " thread(s), "
            << (blas_core.empty() ? std::string("BLAS other than OpenBLAS") : "OpenBLAS " + blas_core + " kernels")
            << std::endl;
  if (auto* p = trainer.privacy(); p && comm.rank() == 0)
    std::cout << R << "privacy: DP-SGD on both critics, q " << p->sampling_rate() << ", sigma " << p->noise_multiplier()
              << ", clip " << (p->options().group_clip_norms.empty() ? (p->options().joint_clipping ? "joint" : "per critic")
                                                                     : "per layer")
              << ", target epsilon " << p->options().target_epsilon << " at delta " << p->options().delta
              << " over " << config.integer("train.d_rounds") * trainer.total_steps() << " planned accounted steps"
              << std::endl;
  trainer.train();
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);  // ru_maxrss: KiB on Linux
  std::cout << R << "peak memory " << (ru.ru_maxrss / 1024) << " MiB (resident, this rank)" << std::endl;
  if (trainer.stopped_by_signal()) {
    std::cout << R << "stopped by signal " << pending_stop_signal() << " at step " << trainer.global_step()
              << " after writing a checkpoint; continue with --resume (exit " << kExitStoppedBySignal << ")"
              << std::endl;
    return kExitStoppedBySignal;
  }
  return 0;
}
}  // namespace

int cmd_train(int argc, char** argv) {
  Args args("doppel train",
            "Train a DoppelGANger model on a prepared data set (its train split). Writes\n"
            "RUN_DIR/config.toml (resolved), checkpoints ckpt-<step>.pt, TensorBoard events and\n"
            "samples/. RUN_DIR holds one run: a non-empty one needs --resume or --overwrite, and\n"
            "RUN_DIR/train.lock keeps a second train out while this one runs. SIGTERM, SIGUSR1 or\n"
            "Ctrl-C: checkpoint and exit 75 (a second Ctrl-C: exit at once). See docs/model.md.");
  args.option("config", "TOML run configuration", "", true)
      .option("out", "run directory", "run")
      .flag("resume", "continue from the newest checkpoint in the run directory")
      .option("resume-from", "continue from this checkpoint (e.g. the previous one when the newest is damaged)")
      .flag("overwrite", "delete the files of the run directory first and start over (without it, and "
            "without --resume, a non-empty run directory is refused)")
      .option("init-from", "start from this checkpoint's weights (e.g. public pretraining) with a fresh "
              "optimizer, step counter and privacy accountant; with --resume only when the run has no checkpoint yet")
      .repeated("set", "override a config key: section.key=value")
      .option("threads", "torch intra-op threads (overrides train.threads)");
  if (!args.parse(argc, argv)) return 0;
  std::vector<std::string> sets = args.all("set");
  if (args.has("threads") && !args.get("threads").empty()) {
    if (args.get_int("threads") < 0)
      throw UsageError("doppel train: --threads must be >= 0 (0: torch's default), got " + args.get("threads"));
    sets.push_back("train.threads=" + args.get("threads"));
  }
  TrainStart how;
  how.resume_from = args.has("resume-from") ? args.get("resume-from") : "";
  const bool resume = args.get_flag("resume") || !how.resume_from.empty();
  if (resume && args.get_flag("overwrite"))
    throw UsageError("doppel train: --overwrite deletes what --resume would continue: give one of them");
  how.start = resume ? RunStart::Resume : args.get_flag("overwrite") ? RunStart::Overwrite : RunStart::Fresh;
  how.init_from = args.has("init-from") ? args.get("init-from") : "";
  Config config = Config::load(args.get("config"), sets);
  const std::string data = config.string("train.data");
  if (data.empty())
    throw UsageError(args.get("config") + ": train.data is empty: name the prepared HDF5 file "
                     "(or pass --set train.data=PATH)");
  const std::string run_dir = args.get("out");
  install_stop_signal_handlers();
  auto comm = make_communicator_from_config(config);
  if (comm->world() == 1) return train_on(config, data, run_dir, how, *comm);
  // Several ranks: an error on one rank must end all of them with its message (MPI_Abort),
  // never leave the others waiting in a collective.
  try {
    return train_on(config, data, run_dir, how, *comm);
  } catch (const std::exception& e) {
    comm->abort(std::string("error: ") + e.what(), 1);
  }
  return 1;  // abort() does not return
}

}  // namespace doppel
