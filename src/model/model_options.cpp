#include "doppel/model/model_options.hpp"

#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "doppel/config/config.hpp"
#include "doppel/error.hpp"

namespace doppel {

ModelOptions ModelOptions::from_config(const Config& c) {
  ModelOptions o;
  auto positive = [&](const char* key, int64_t& field, int64_t min = 1) {
    long long v = c.integer(std::string("model.") + key);
    if (v < min)
      throw Error(c.origin() + ": model." + key + " must be >= " + std::to_string(min) + ", got " +
                  std::to_string(v));
    field = v;
  };
  positive("attribute_noise_dim", o.attribute_noise_dim);
  positive("minmax_noise_dim", o.minmax_noise_dim);
  positive("feature_noise_dim", o.feature_noise_dim);
  positive("attribute_layers", o.attribute_layers, 0);
  positive("attribute_units", o.attribute_units);
  positive("minmax_layers", o.minmax_layers, 0);
  positive("minmax_units", o.minmax_units);
  positive("lstm_layers", o.lstm_layers);
  positive("lstm_units", o.lstm_units);
  positive("disc_layers", o.disc_layers, 0);
  positive("disc_units", o.disc_units);
  positive("attr_disc_layers", o.attr_disc_layers, 0);
  positive("attr_disc_units", o.attr_disc_units);
  positive("sample_len", o.sample_len);
  positive("packing", o.packing);
  o.use_minmax = c.boolean("model.use_minmax");
  // model.attribute_output: {Gumbel noise, critics see the hard one-hot} per value.
  static const std::map<std::string, std::pair<bool, bool>> kAttributeOutputs{
      {"softmax", {false, false}}, {"straight_through", {false, true}},
      {"gumbel", {true, false}}, {"gumbel_hard", {true, true}}};
  const std::string attribute_output = c.string("model.attribute_output");
  const auto mode = kAttributeOutputs.find(attribute_output);
  if (mode == kAttributeOutputs.end())
    throw Error(c.origin() + ": model.attribute_output must be \"softmax\", \"straight_through\", \"gumbel\" or "
                "\"gumbel_hard\", got \"" + attribute_output + "\"");
  std::tie(o.attribute_gumbel, o.attribute_straight_through) = mode->second;
  o.gumbel_tau = c.number("model.gumbel_tau");
  if (!(o.gumbel_tau > 0))
    throw Error(c.origin() + ": model.gumbel_tau must be > 0, got " + std::to_string(o.gumbel_tau));
  o.attribute_autoregressive = c.boolean("model.attribute_autoregressive");
  const std::string feature_output = c.string("model.feature_output");
  if (feature_output != "cell" && feature_output != "interpolated")
    throw Error(c.origin() + ": model.feature_output must be \"cell\" or \"interpolated\", got \"" +
                feature_output + "\"");
  o.interpolated_feature_output = feature_output == "interpolated";
  positive("feature_head_units", o.feature_head_units);
  o.critic_calendar = c.string("model.critic_calendar");
  if (o.critic_calendar != "none" && o.critic_calendar != "day" && o.critic_calendar != "week")
    throw Error(c.origin() + ": model.critic_calendar must be \"none\", \"day\" or \"week\", got \"" +
                o.critic_calendar + "\"");
  return o;
}

}  // namespace doppel
