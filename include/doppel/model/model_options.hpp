// Sizes of the DoppelGANger networks (config section `model`).
#pragma once
#include <cstdint>
#include <string>

namespace doppel {

class Config;

struct ModelOptions {
  int64_t attribute_noise_dim = 5, minmax_noise_dim = 5, feature_noise_dim = 5;
  int64_t attribute_layers = 3, attribute_units = 100;
  int64_t minmax_layers = 3, minmax_units = 100;
  int64_t lstm_layers = 1, lstm_units = 100;
  int64_t disc_layers = 5, disc_units = 200;
  int64_t attr_disc_layers = 5, attr_disc_units = 200;
  int64_t sample_len = 10;
  int64_t packing = 1;
  bool use_minmax = true;
  bool attribute_straight_through = false;  // model.attribute_output = "straight_through" or "gumbel_hard"
  bool attribute_gumbel = false;            // model.attribute_output = "gumbel" or "gumbel_hard"
  double gumbel_tau = 0.2;                  // model.gumbel_tau
  bool attribute_autoregressive = false;    // model.attribute_autoregressive
  bool interpolated_feature_output = false;  // model.feature_output = "interpolated"
  int64_t feature_head_units = 32;           // model.feature_head_units
  std::string critic_calendar = "none";      // model.critic_calendar: "none", "day" or "week"

  // Reads section `model`; throws Error naming the key for non-positive sizes.
  static ModelOptions from_config(const Config& config);
};

}  // namespace doppel
