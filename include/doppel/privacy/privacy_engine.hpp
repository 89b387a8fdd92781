// DP-SGD for the two critics: Poisson sampling, per-example clipping (jointly, per critic or
// per layer group), Gaussian noise added once to the global sum, and the RDP accountant.
// The engine holds every piece of privacy state a checkpoint must carry: the accountant, σ,
// and the generators of the noise and of the Poisson sample. See docs/privacy.md.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "doppel/config/config.hpp"
#include "doppel/privacy/per_example_gradients.hpp"
#include "doppel/privacy/rdp_accountant.hpp"

namespace doppel {

struct PrivacyOptions {
  double target_epsilon = 1.0;
  double delta = 1e-5;
  double noise_multiplier = 0;  // 0: calibrate from target_epsilon
  double clip_norm = 1.0;
  bool joint_clipping = false;  // per-critic bounds (config default; docs/results_privacy.md)
  std::vector<double> group_clip_norms;  // one per Linear layer of all critics, in order
  std::vector<double> orders;            // empty: the accountant's defaults
  uint64_t seed = 0;                     // 0: fresh entropy (std::random_device)

  // Section `privacy`; throws Error naming the key for out-of-range values.
  static PrivacyOptions from_config(const Config& config);
};

class PrivacyEngine {
 public:
  // critics: the privately trained MLPs (their Linear layers define the parameter order
  // and the layer groups); q: Poisson sampling rate (expected global batch / data set
  // size); planned_steps: accounted steps of the whole run, for calibrating σ; seed:
  // already resolved (the same on every rank; never 0).
  PrivacyEngine(const PrivacyOptions& options, std::vector<torch::nn::Module*> critics, double q,
                int64_t planned_steps, uint64_t seed);

  // σ the accountant composes per step. The noise std on group l is σ·√k·C_l (k groups).
  double noise_multiplier() const { return sigma_; }
  double sampling_rate() const { return q_; }
  const PrivacyOptions& options() const { return options_; }
  // Bounds C_l per group and the group of every Linear layer (all critics, in order).
  const std::vector<double>& group_bounds() const { return bounds_; }
  const std::vector<int>& layer_groups() const { return layer_group_; }
  double noise_std(int group) const;

  // Poisson sample of the global items [shard_begin, shard_end): every global item joins
  // independently with probability q. All ranks draw the same N uniforms (same generator
  // state) and keep their shard, so the union over ranks is one Poisson sample of [0, N).
  std::vector<int64_t> poisson_sample(int64_t n_items, int64_t shard_begin, int64_t shard_end);

  // Per parameter (critics in order, each Linear's weight then bias): Σ_i clip(∇ℓ_i) over
  // this rank's examples, ℓ_i = loss_sign · Σ_k D_k(inputs[k]_i). inputs[k] may have 0 rows.
  // `norms` (optional) receives each example's unclipped norm per group [B, k].
  std::vector<torch::Tensor> clipped_gradient_sum(const std::vector<torch::Tensor>& inputs, double loss_sign,
                                                  torch::Tensor* norms = nullptr) const;
  // Gaussian noise for every parameter (std noise_std of its group) from the noise generator.
  std::vector<torch::Tensor> draw_noise();

  // Adds (clipped sum + noise if add_noise) / expected_batch to every critic parameter's
  // .grad (created when missing). Call with add_noise on exactly one rank (rank 0), before
  // the gradient all-reduce; the caller accounts the step.
  void add_private_gradients(const std::vector<torch::Tensor>& inputs, double loss_sign, bool add_noise,
                             double expected_batch);

  void account_steps(int64_t n = 1) { accountant_.step(q_, sigma_, n); }
  // ε spent so far: 0 before the first step (nothing released; the accountant's conversion
  // would report its ~0.1 floor), else the accountant's bound at δ.
  double epsilon() const { return accountant_.total_steps() > 0 ? accountant_.epsilon(options_.delta) : 0.0; }
  // ε after `more` further steps (the accountant itself is unchanged).
  double epsilon_after(int64_t more) const;
  const RdpAccountant& accountant() const { return accountant_; }

  // Everything a checkpoint carries: JSON (accountant, σ, q, options) + generator states.
  std::string state_json() const;
  torch::Tensor noise_rng_state() const { return noise_rng_.get_state(); }
  torch::Tensor sample_rng_state() const { return sample_rng_.get_state(); }
  // Restores a state; throws Error (naming `where`) if σ, q, δ or the clipping differ from
  // this engine's configuration.
  void load_state(const std::string& json, const torch::Tensor& noise_rng, const torch::Tensor& sample_rng,
                  const std::string& where);
  // A JSON summary for metadata (privacy.json, generated files): ε, δ, σ, q, steps, C, ...
  std::string summary_json() const;

 private:
  PrivacyOptions options_;
  std::vector<std::vector<torch::nn::Linear>> critics_;
  std::vector<double> bounds_;
  std::vector<int> layer_group_;
  double q_ = 0, sigma_ = 0;
  RdpAccountant accountant_;
  torch::Generator noise_rng_, sample_rng_;
};

// privacy.seed resolved: the configured one, or (0) fresh entropy from std::random_device.
uint64_t fresh_privacy_seed(uint64_t configured);

}  // namespace doppel
