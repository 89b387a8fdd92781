// The DoppelGANger training loop: d_rounds critic updates on detached fakes,
// then g_rounds generator updates, written plainly like LibTorch's DCGAN example, with
// communication (gradient all-reduce) behind the Communicator. One writer: rank 0 writes
// checkpoints, TensorBoard scalars and samples. See docs/model.md.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "doppel/data/batch_source.hpp"
#include "doppel/dist/communicator.hpp"
#include "doppel/config/config.hpp"
#include "doppel/optim/cyclic_lr.hpp"
#include "doppel/model/calendar_alignment.hpp"
#include "doppel/model/generator.hpp"
#include "doppel/model/discriminator.hpp"

namespace doppel {

class TensorBoardWriter;
class Progress;
class PrivacyEngine;

// Global-batch averages of one step's losses (last d round / g round).
struct StepLosses {
  double d_loss = 0, d_attr_loss = 0, g_loss = 0, gp = 0, gp_attr = 0, wasserstein = 0;
};

class Trainer {
 public:
  // Builds the networks from `config` (sections model, train) and the source's schema.
  // Weights come from torch's global generator seeded with train.seed; all later
  // randomness from the trainer's own generator. Parameters are broadcast from rank 0.
  Trainer(Config config, const BatchSource& source, Communicator& comm, std::string run_dir);
  ~Trainer();

  // Loads the newest checkpoint of the run dir; false (and nothing changed) if none. When it
  // cannot be read, the error names it and the previous checkpoint (for --resume-from).
  bool resume();
  // Refuses (Error naming every differing key, old → new) a checkpoint whose model.* settings
  // differ from the config, and a damaged one (checksum), before changing anything.
  void load_checkpoint(const std::string& path);
  // Public pretraining then private fine-tuning: copies only the three networks' weights
  // from a checkpoint (same schema and model shape); optimizers, step counter, RNGs and the
  // privacy accountant stay fresh, so privacy is spent only on this run's data.
  void init_from(const std::string& checkpoint_path);
  // Rank 0 writes <run_dir>/ckpt-<step>.pt atomically and applies the keep policy;
  // returns the path (every rank).
  std::string save_checkpoint();

  // Trains until total_steps(); checkpoints every train.checkpoint_every and at the end.
  // Throws Error naming the step when a loss is not finite on any rank (every rank throws; no
  // checkpoint of that step is written, so the newest one on disk is the last good one).
  // Stops early, after a checkpoint, when any rank got SIGTERM/SIGUSR1 (stopped_by_signal()).
  // Compares parameter checksums across ranks every dist.checksum_every steps.
  void train();
  bool stopped_by_signal() const { return stopped_by_signal_; }
  // Under DP: false when the d_rounds accounted steps of one more step would take ε past
  // privacy.target_epsilon. Always true without DP.
  bool budget_allows_step() const;
  // The privacy engine (nullptr unless privacy.enabled).
  PrivacyEngine* privacy() { return privacy_.get(); }
  // One global step (public for benchmarks and tests).
  StepLosses step();

  int64_t global_step() const { return step_; }
  int64_t epoch() const { return epoch_; }
  int64_t total_steps() const { return total_steps_; }
  int64_t steps_per_epoch() const { return steps_per_epoch_; }
  const ModelLayout& layout() const { return layout_; }
  const ModelOptions& options() const { return options_; }
  Generator& generator() { return generator_; }
  // The moving average of the generator's weights (train.g_ema_decay > 0), else the generator.
  Generator& generator_for_sampling() { return ema_generator_ ? ema_generator_ : generator_; }
  Discriminator& critic() { return critic_; }
  Discriminator& attr_critic() { return attr_critic_; }
  // The feature critic's input for a batch of steps [B, L, W] and attributes: placed on the
  // clock (model.critic_calendar), flattened beside the attributes and packed.
  torch::Tensor critic_input(const torch::Tensor& steps, const torch::Tensor& attributes, int64_t packing) const;
  // Every parameter and buffer of the three networks, named ("generator.", "critic.", ...).
  std::vector<std::pair<std::string, torch::Tensor>> named_state() const;

 private:
  void next_indices(std::vector<int64_t>& idx);
  void load_checkpoint(const std::string& path, const std::string& unreadable_hint);
  bool state_is_finite() const;
  std::string last_good_checkpoint_note() const;  // "; the last good checkpoint is ..." (rank 0)
  // One DP-SGD update of both critics on a fresh Poisson sample (src/train/dp_critic_round.cpp).
  // Returns this rank's sums {d, d_attr, gp, gp_attr, wasserstein} for logging.
  std::vector<torch::Tensor> dp_critic_round();
  void write_privacy_json();
  void save_samples();
  void log(const StepLosses& l);
  void update_moving_average();   // avg <- d * avg + (1 - d) * generator, after each G update
  void restart_moving_average();  // avg <- generator

  Config config_;
  const BatchSource& source_;
  Communicator& comm_;
  std::string run_dir_;
  ModelOptions options_;
  ModelLayout layout_;
  CalendarAlignment calendar_;
  Generator generator_{nullptr};
  Generator ema_generator_{nullptr};  // set when train.g_ema_decay > 0
  double ema_decay_ = 0;
  bool attribute_gradient_from_feature_critic_ = true;  // train.attribute_gradient_from_feature_critic
  Discriminator critic_{nullptr}, attr_critic_{nullptr};
  std::unique_ptr<torch::optim::Adam> opt_g_, opt_d_, opt_attr_d_;
  CyclicLR g_schedule_;
  torch::Generator rng_;
  int64_t batch_ = 0, local_offset_ = 0, local_batch_ = 0;
  int64_t steps_per_epoch_ = 0, total_steps_ = 0;
  int64_t step_ = 0, epoch_ = 0, cursor_ = 0;  // cursor: position inside the epoch's order
  std::vector<int64_t> order_;                 // the current epoch's permutation
  int64_t order_epoch_ = -1;
  uint64_t seed_ = 0;
  bool stopped_by_signal_ = false;
  bool losses_finite_ = true;  // the last step()'s losses, this rank
  std::unique_ptr<TensorBoardWriter> tb_;
  std::unique_ptr<Progress> progress_;
  std::unique_ptr<PrivacyEngine> privacy_;
  int64_t shard_begin_ = 0, shard_end_ = 0;  // this rank's items under DP's Poisson sampling
};

// The order of the items in `epoch`: a Fisher-Yates shuffle driven by a generator seeded from
// (seed, epoch) only, so every rank computes the same order without communicating.
std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int64_t epoch);

// Sums every gradient of `module` over ranks as one flat buffer (no-op for world 1).
void all_reduce_gradients(torch::nn::Module& module, Communicator& comm);
// Copies rank 0's parameters and buffers to every rank (no-op for world 1).
void broadcast_parameters(torch::nn::Module& module, Communicator& comm);

}  // namespace doppel
