// The feature critic's view of hourly windows placed on a clock (model.critic_calendar).
//
// With stride-1 windows a week may start at any hour, and the start hour is an attribute.
// The critic is an MLP over the flattened steps and the attribute one-hots: step t of a window
// starting at 7 am and step t of one starting at 7 pm share its input weights, so a day whose
// rush hour sits at the wrong hours for the start hour is invisible to its first layer, and
// at one seed in three the generator learned its days 13 hours off (docs/results.md). Placed,
// each window sits at its start offset inside a longer zero-padded sequence that starts at
// midnight ("day") or at Monday midnight ("week"), so every input position is a fixed hour
// of the day (or week) and a misplaced pattern is linearly visible.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "doppel/data/schema.hpp"

namespace doppel {

class CalendarAlignment {
 public:
  CalendarAlignment() = default;  // off: place() returns its input
  // mode "none", "day" (needs a categorical '@start_hour' attribute) or "week" (also
  // '@start_dayofweek'); the step must divide an hour. Throws Error naming what is missing.
  static CalendarAlignment from(const Schema& schema, const std::string& mode);

  bool on() const { return period_ > 0; }
  // Steps of a placed window of L steps (L when off).
  int64_t placed_length(int64_t L) const { return on() ? L + period_ - steps_per_hour_ : L; }
  // steps [B, L, W], attributes [B, >= A] (one-hots or probabilities: the largest entry is the
  // category) -> [B, placed_length(L), W], zero outside each window. Differentiable in steps.
  torch::Tensor place(const torch::Tensor& steps, const torch::Tensor& attributes) const;

 private:
  int64_t hour_offset_ = 0, hour_width_ = 0, day_offset_ = 0, day_width_ = 0;
  torch::Tensor hour_start_, day_start_;  // per category: the step offset it stands for
  int64_t steps_per_hour_ = 0, period_ = 0;
};

}  // namespace doppel
