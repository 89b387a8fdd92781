#include "doppel/model/calendar_alignment.hpp"

#include <vector>

#include "doppel/data/calendar_attribute.hpp"
#include "doppel/error.hpp"

namespace doppel {

namespace {
// The step offset of every category of a calendar attribute: the number it stands for times
// `steps_per_unit`.
torch::Tensor category_starts(const ColumnSchema& c, int64_t domain, int64_t steps_per_unit) {
  std::vector<int64_t> starts;
  try {
    starts = calendar_category_numbers(c, domain);
  } catch (const Error& e) {
    throw Error(std::string("model.critic_calendar: ") + e.what());
  }
  for (auto& s : starts) s *= steps_per_unit;
  return torch::tensor(starts, torch::kLong);
}
}  // namespace

CalendarAlignment CalendarAlignment::from(const Schema& schema, const std::string& mode) {
  CalendarAlignment k;
  if (mode == "none") return k;
  if (mode != "day" && mode != "week")
    throw Error("model.critic_calendar must be \"none\", \"day\" or \"week\", got \"" + mode + "\"");
  if (schema.step_seconds <= 0 || 3600 % schema.step_seconds != 0)
    throw Error("model.critic_calendar = \"" + mode + "\" needs a step that divides an hour (data.step_seconds), got " +
                std::to_string(schema.step_seconds) + " s");
  k.steps_per_hour_ = 3600 / schema.step_seconds;
  const int hour = calendar_attribute(schema, "@start_hour"), day = calendar_attribute(schema, "@start_dayofweek");
  if (hour < 0)
    throw Error("model.critic_calendar = \"" + mode + "\" needs a categorical attribute with source \"@start_hour\"");
  k.hour_offset_ = schema.attribute_offset(size_t(hour));
  k.hour_width_ = int64_t(schema.attributes[size_t(hour)].width());
  k.hour_start_ = category_starts(schema.attributes[size_t(hour)], 24, k.steps_per_hour_);
  k.period_ = 24 * k.steps_per_hour_;
  if (mode == "week") {
    if (day < 0)
      throw Error("model.critic_calendar = \"week\" needs a categorical attribute with source \"@start_dayofweek\"");
    k.day_offset_ = schema.attribute_offset(size_t(day));
    k.day_width_ = int64_t(schema.attributes[size_t(day)].width());
    k.day_start_ = category_starts(schema.attributes[size_t(day)], 7, 24 * k.steps_per_hour_);
    k.period_ *= 7;
  }
  return k;
}

torch::Tensor CalendarAlignment::place(const torch::Tensor& steps, const torch::Tensor& attributes) const {
  if (!on()) return steps;
  const int64_t B = steps.size(0), L = steps.size(1), W = steps.size(2);
  const auto device = attributes.device();
  auto start = hour_start_.to(device).index_select(0, attributes.narrow(1, hour_offset_, hour_width_).argmax(1));
  if (day_width_ > 0)
    start = start + day_start_.to(device).index_select(0, attributes.narrow(1, day_offset_, day_width_).argmax(1));
  auto index = (start.unsqueeze(1) + torch::arange(L, torch::dtype(torch::kLong).device(device)))
                   .unsqueeze(2)
                   .expand({B, L, W});
  return torch::zeros({B, placed_length(L), W}, steps.options()).scatter(1, index, steps);
}

}  // namespace doppel
