// Documented configuration keys of the model area (see docs/config.md and docs/model.md).
// Defaults follow DoppelGANger (Lin et al. 2020) except sample_len, which follows the seed
// article's bank setting.
#include "doppel/config/config.hpp"

namespace doppel {

std::vector<KeySpec> model_key_specs() {
  using T = KeyType;
  return {
      {"model.attribute_noise_dim", T::Integer, "5", "noise dimension of the attribute generator"},
      {"model.minmax_noise_dim", T::Integer, "5",
       "noise dimension of the min/max (auto-normalization) generator"},
      {"model.feature_noise_dim", T::Integer, "5", "noise dimension fed to the LSTM at every cell"},
      {"model.attribute_layers", T::Integer, "3", "hidden layers of the attribute generator MLP"},
      {"model.attribute_units", T::Integer, "100", "units per hidden layer of the attribute generator"},
      {"model.minmax_layers", T::Integer, "3", "hidden layers of the min/max generator MLP"},
      {"model.minmax_units", T::Integer, "100", "units per hidden layer of the min/max generator"},
      {"model.lstm_layers", T::Integer, "1", "stacked LSTM layers of the feature generator"},
      {"model.lstm_units", T::Integer, "100", "hidden units of the feature generator's LSTM"},
      {"model.disc_layers", T::Integer, "5", "hidden layers of the feature discriminator MLP"},
      {"model.disc_units", T::Integer, "200", "units per hidden layer of the feature discriminator"},
      {"model.attr_disc_layers", T::Integer, "5", "hidden layers of the auxiliary attribute discriminator"},
      {"model.attr_disc_units", T::Integer, "200",
       "units per hidden layer of the auxiliary attribute discriminator"},
      {"model.sample_len", T::Integer, "10",
       "time steps emitted per LSTM cell (batch generation); must divide the sequence length L"},
      {"model.feature_output", T::String, "\"cell\"",
       "how the feature generator turns its LSTM cells into steps: `cell` (DoppelGANger: one linear layer "
       "maps a cell's state to its sample_len steps, so each position in the cell has its own weights) or "
       "`interpolated` (the cells' states are linearly interpolated to every step and a one-hidden-layer "
       "network shared by all steps maps each to its outputs: no position in a cell is special)"},
      {"model.feature_head_units", T::Integer, "32",
       "width of the interpolated states and of the step network's hidden layer with "
       "`model.feature_output = \"interpolated\"`"},
      {"model.critic_calendar", T::String, "\"none\"",
       "the feature critic sees each window placed at its start hour in a zero-padded sequence from "
       "midnight (\"day\") or from Monday midnight (\"week\"), so each of its inputs is a fixed hour "
       "(needs '@start_hour', and for \"week\" '@start_dayofweek', attributes); \"none\": as generated"},
      {"model.packing", T::Integer, "1",
       "PacGAN packing: the discriminators judge this many samples concatenated (1 = off); "
       "the batch size must be a multiple of it"},
      {"model.use_minmax", T::Boolean, "true",
       "auto-normalization: normalize every continuous feature per sequence to its own min/max and "
       "let a generator produce (max+min)/2 and (max-min)/2 as extra attributes"},
      {"model.attribute_output", T::String, "\"softmax\"",
       "discrete attributes of the attribute generator: `softmax` (DoppelGANger: the critics see the "
       "soft probabilities, the feature generator their argmax) or `straight_through` (the critics "
       "see the argmax one-hot too, gradients flow through the softmax), `gumbel` (Gumbel-softmax with "
       "temperature `model.gumbel_tau`: the network gives each category's probability, Gumbel noise "
       "draws from it; the critics see the nearly one-hot result, the feature generator its argmax) or "
       "`gumbel_hard` (the same draw, but the critics see its exact one-hot, gradients flow through "
       "the Gumbel-softmax)"},
      {"model.gumbel_tau", T::Float, "0.2",
       "temperature of the Gumbel-softmax with `model.attribute_output` `gumbel` or `gumbel_hard` (smaller: closer "
       "to one-hot; CTGAN's 0.2)"},
      {"model.attribute_autoregressive", T::Boolean, "false",
       "attribute generator outputs one block (attribute column) at a time: after the hidden layers, "
       "each column's output layer also sees the columns generated before it (as the critics see them), "
       "so a column is drawn given the others instead of independently of them given the hidden layer; "
       "false = DoppelGANger's single output layer"},
  };
}

}  // namespace doppel
