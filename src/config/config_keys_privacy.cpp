// Documented configuration keys of differentially private training (see
// docs/privacy.md for the accountant behind them).
#include "doppel/config/config.hpp"

namespace doppel {

std::vector<KeySpec> privacy_key_specs() {
  using T = KeyType;
  return {
      {"privacy.enabled", T::Boolean, "false",
       "train both discriminators with DP-SGD (per-example clipping, Gaussian noise, Poisson "
       "sampling at q = expected global batch / data set size) and account the spent (epsilon, "
       "delta) with the Renyi-DP accountant; the accountant state is saved in every checkpoint"},
      {"privacy.target_epsilon", T::Float, "1.0",
       "privacy budget epsilon for the whole run (all d_rounds of all epochs); used to calibrate "
       "the noise multiplier when `noise_multiplier` is 0 (with a fixed noise_multiplier the spent "
       "epsilon is reported against it); must be > 0"},
      {"privacy.delta", T::Float, "1e-5",
       "delta of (epsilon, delta)-DP, in (0, 1); keep it well below 1 / (number of private "
       "records), e.g. 1e-5 for up to ~10^4 entities"},
      {"privacy.noise_multiplier", T::Float, "0",
       "sigma: Gaussian noise std divided by the clip norm, added once to the summed clipped "
       "gradients of a step; 0 = calibrate from `target_epsilon`, `delta`, q and the planned "
       "number of steps (the same bisection as `doppel privacy sigma`)"},
      {"privacy.clip_norm", T::Float, "1.0",
       "C: each example's gradient is scaled down to L2 norm at most C before summing; the "
       "noise std is noise_multiplier * C; must be > 0"},
      {"privacy.joint_clipping", T::Boolean, "false",
       "true: clip the concatenated per-example gradient of both discriminators (sequence and "
       "auxiliary) to `clip_norm` and add noise of std sigma * clip_norm: one Gaussian mechanism "
       "of multiplier sigma per step; false: clip each discriminator's gradient to `clip_norm` "
       "separately (two groups) and noise each with std sigma * sqrt(2) * clip_norm, so the "
       "two mechanisms on the same sample compose to one step of multiplier sigma. sigma is "
       "always the multiplier the accountant composes. Default false: per-critic clipping trained "
       "better at the same epsilon (docs/results_privacy.md). Ignored when group_clip_norms is set"},
      {"privacy.group_clip_norms", T::FloatList, "[]",
       "per-layer clip norms (C_1, ..., C_k), one per Linear layer of the sequence critic then "
       "of the attribute critic: layer l of each example's gradient (weight and bias) is clipped "
       "to C_l and gets noise of std sigma * sqrt(k) * C_l (noise scaled to each group's own "
       "bound); whitened by sqrt(k) * C_l per group, the release is one Gaussian mechanism of "
       "multiplier sigma, i.e. total sensitivity sqrt(sum C_l^2) against noise sigma * sqrt(k) "
       "* C_l. Empty = no per-layer groups (see joint_clipping); when set, the layers are the "
       "groups and joint_clipping does not apply (the training log says \"clip per layer\")"},
      {"privacy.seed", T::Integer, "0",
       "seed of the DP noise and of the Poisson sampling; 0 = fresh entropy from "
       "std::random_device (the right choice for a real release: anyone who knows the seed can "
       "subtract the noise). Set it only for reproducible tests"},
      {"privacy.orders", T::FloatList, "[]",
       "Renyi-DP orders alpha (each > 1) over which epsilon is minimised; empty = the default "
       "151 orders 1.1, 1.2, ..., 10.9, 12, 13, ..., 63 (those of Opacus). A warning is logged "
       "when the best order is the smallest or largest one"},
      {"sweep.base_config", T::String, "\"\"",
       "training config every run of `doppel sweep` starts from (path relative to the working "
       "directory); each budget overrides privacy.enabled / privacy.target_epsilon"},
      {"sweep.epsilons", T::FloatList, "[0.5, 1, 2, 4, 8, 0]",
       "privacy budgets of the sweep; a value <= 0 stands for infinity (a non-private run)"},
      {"sweep.data", T::String, "\"\"", "prepared HDF5 data set; empty = the base config's train.data"},
      {"sweep.steps", T::Integer, "0", "train.max_steps of every run; 0 = the base config's"},
      {"sweep.generate", T::Integer, "1000", "synthetic sequences generated (and evaluated) per budget"},
      {"sweep.out_dir", T::String, "\"sweep\"",
       "output directory: eps_<e>/ per budget (run/, synthetic.h5, eval/, logs), sweep.csv, "
       "sweep.md, sweep.png"},
      {"sweep.mia_records", T::Integer, "300",
       "held-in (train split) and held-out (test split) real sequences of the membership audit, "
       "each; the attack compares them with up to 4x as many synthetic sequences"},
      {"sweep.threads", T::Integer, "0", "torch threads of every training run; 0 = the base config's"},
      {"sweep.pretrain_steps", T::Integer, "0",
       "public pretraining: > 0 first trains one non-private model for this many steps on the data's "
       "public split (data.public_fraction; with the base config's rates, into OUT/pretrain/run, "
       "reused when already complete) and starts every budget's training from it (`train "
       "--init-from`); it spends no privacy budget. 0: every budget starts from random weights"},
      {"sweep.init_from", T::String, "\"\"",
       "checkpoint every budget's training starts from (`train --init-from`), e.g. a model trained on "
       "public data elsewhere; excludes pretrain_steps"},
      {"sweep.set", T::StringList, "[]",
       "extra `section.key=value` overrides of every budget's training (not of the pretraining), e.g. "
       "lower fine-tuning rates: [\"train.g_base_lr=1e-5\"]"},
  };
}

}  // namespace doppel
