// Documented configuration keys of training (`doppel train`, see docs/model.md).
#include "doppel/data/batch_source.hpp"
#include "doppel/config/config.hpp"

namespace doppel {

std::vector<KeySpec> train_key_specs() {
  using T = KeyType;
  return {
      {"train.data", T::String, "\"\"", "prepared HDF5 data set to train on (the items of `train.split`)"},
      {"train.split", T::String, "\"train\"",
       "which split of train.data to train on: `train` (split 0, the private data) or `public` (split 2, "
       "made by data.public_fraction; for public pretraining before `train --init-from`, docs/privacy.md)"},
      {"train.batch_size", T::Integer, "100",
       "GLOBAL batch size: the ranks split each batch, so the trajectory does not depend on the rank count"},
      {"train.epochs", T::Integer, "400", "passes over the training items (ignored when max_steps > 0)"},
      {"train.max_steps", T::Integer, "0", "stop after this many global steps (0: `epochs` decide)"},
      {"train.d_rounds", T::Integer, "1", "discriminator updates per step (each with fresh noise)"},
      {"train.attr_d_extra_rounds", T::Integer, "0",
       "extra attribute-discriminator updates per step after the d_rounds joint ones, each on fresh "
       "noise through the attribute and min/max generators only (cheap: no LSTM) against the same "
       "real batch; lets the attribute critic keep up with a generator that must match many "
       "attribute columns. Non-private training only (0 under privacy.enabled)"},
      {"train.g_rounds", T::Integer, "1", "generator updates per step"},
      {"train.g_ema_decay", T::Float, "0",
       "moving average of the generator's weights, updated after every generator update: "
       "avg <- d * avg + (1 - d) * weights (Yazici et al. 2019). When d > 0 `doppel generate` and the "
       "saved samples use the average, which smooths the oscillation of GAN training; checkpoints hold "
       "both. Post-processing of the generator: no privacy cost. 0: off; must be < 1"},
      {"train.d_lr", T::Float, "0.0001", "Adam rate of the feature discriminator (fixed)"},
      {"train.d_attr_lr", T::Float, "0.0001", "Adam rate of the auxiliary attribute discriminator (fixed)"},
      {"train.adam_beta1", T::Float, "0.5", "Adam beta1 of every optimizer"},
      {"train.adam_beta2", T::Float, "0.999", "Adam beta2 of every optimizer"},
      {"train.g_lr_schedule", T::String, "\"triangular\"",
       "generator rate schedule (Smith 2017): `constant` (g_base_lr), `triangular`, `triangular2`, `exp_range`"},
      {"train.g_base_lr", T::Float, "0.0001", "generator rate at the bottom of the cycle (or the constant rate)"},
      {"train.g_max_lr", T::Float, "0.001", "generator rate at the top of the cycle"},
      {"train.g_step_size", T::Integer, "2000", "iterations per half cycle of the generator's rate"},
      {"train.g_gamma", T::Float, "0.99994", "exp_range: amplitude factor gamma^step"},
      {"train.gp_coe", T::Float, "10.0", "gradient-penalty weight of the feature discriminator (WGAN-GP)"},
      {"train.attr_gp_coe", T::Float, "10.0", "gradient-penalty weight of the attribute discriminator"},
      {"train.g_attr_d_coe", T::Float, "1.0", "weight of the attribute discriminator in the generator loss"},
      {"train.attribute_gradient_from_feature_critic", T::Boolean, "true",
       "whether the feature critic's gradient in the generator step reaches the attribute generator "
       "through the generated attributes it judges (DoppelGANger: true). false: the attribute generator "
       "learns from the attribute critic alone, while the feature critic still judges the features "
       "against the generated attributes and trains the min/max and feature generators (with "
       "`model.attribute_output = \"gumbel_hard\"` its straight-through gradient made the traffic "
       "features too regular; docs/results.md)"},
      {"train.seed", T::Integer, "0",
       "seed of weights, noise, interpolation weights and data order (same seed → same run)"},
      {"train.memory_cache_mb", T::Integer, std::to_string(kDefaultMemoryCacheMiB),
       "read the training items into memory once at start when they take at most this many MiB "
       "(float32; every rank holds all of them): random batches then cost no HDF5 reads or "
       "decompression (half of a bank training step otherwise). 0: always read batches from the file"},
      {"train.threads", T::Integer, "0", "torch intra-op threads (0: leave torch's default)"},
      {"train.log_every", T::Integer, "100", "progress line and scalars every this many steps"},
      {"train.vis_freq", T::Integer, "0",
       "save decoded generated samples (samples/samples-<step>.csv) every this many steps (0: never)"},
      {"train.vis_samples", T::Integer, "10", "sequences in each saved sample file"},
      {"train.checkpoint_every", T::Integer, "1000", "checkpoint every this many steps (and always at the end)"},
      {"train.keep_checkpoints", T::Integer, "3", "keep the newest this many checkpoints"},
      {"train.extra_checkpoint_freq", T::Integer, "0",
       "also keep every checkpoint whose step is a multiple of this (0: none)"},
  };
}

}  // namespace doppel
