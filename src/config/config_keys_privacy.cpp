// Documented configuration keys of differentially private training (see
// docs/privacy.md for the accountant behind them).
#include "doppel/config.hpp"

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
      {"privacy.joint_clipping", T::Boolean, "true",
       "true: clip the concatenated per-example gradient of both discriminators (sequence and "
       "auxiliary) to `clip_norm`, so a step is ONE Gaussian mechanism of multiplier sigma; "
       "false: clip each discriminator's gradient to `clip_norm` separately and noise each with "
       "sigma, two mechanisms on the same sample, accounted as one step at sigma/sqrt(2)"},
      {"privacy.group_clip_norms", T::FloatList, "[]",
       "per-parameter-group clip norms (C_1, ..., C_k), in the order of the groups the trainer "
       "defines: group k of each example's gradient is clipped to C_k, so the whole gradient has "
       "norm at most C = sqrt(sum C_k^2), and the noise on every coordinate has std "
       "noise_multiplier * C (isotropic, as Opacus's per-layer clipping): still one mechanism of "
       "multiplier sigma. Empty = one group clipped to `clip_norm`"},
      {"privacy.orders", T::FloatList, "[]",
       "Renyi-DP orders alpha (each > 1) over which epsilon is minimised; empty = the default "
       "151 orders 1.1, 1.2, ..., 10.9, 12, 13, ..., 63 (those of Opacus). A warning is logged "
       "when the best order is the smallest or largest one"},
  };
}

}  // namespace doppel
