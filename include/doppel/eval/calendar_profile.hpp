// Where each step falls in the day (and week) of a sequence whose start hour (and weekday) is
// an attribute, and the comparison of two mean profiles over those positions. A generator can
// reproduce the marginals, the autocorrelation and even the forecasts of hourly data while its
// days sit at the wrong hours for the start hour it reports (a rush hour at 7 pm); this is the
// check that sees it (docs/metrics.md, "Calendar profile").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "doppel/data/schema.hpp"

namespace doppel::eval {

class CalendarClock {
 public:
  // Finds the attributes derived from `@start_hour` (required) and `@start_dayofweek`
  // (optional) and the step length; without them the clock is off and `reason` says why.
  static CalendarClock of(const Schema& schema);

  bool on() const { return period_ > 0; }
  const std::string& reason() const { return reason_; }
  int64_t period() const { return period_; }  // positions: steps in a day, or in a week
  bool weekly() const { return weekday_attribute_ >= 0; }
  // Position of step t of a sequence from its decoded attributes (category indices).
  int64_t position(const std::vector<std::vector<double>>& attributes, int64_t sequence, int64_t t) const;

 private:
  int hour_attribute_ = -1, weekday_attribute_ = -1;
  std::vector<int64_t> hour_of_category_, weekday_of_category_;
  int64_t steps_per_hour_ = 0, period_ = 0;
  std::string reason_;
};

struct ProfileAgreement {
  double correlation;  // Pearson correlation of the two profiles over the positions
  double nmae;         // mean |real − synthetic| / mean |real|
  int64_t best_shift;  // shift of the synthetic profile (in positions, −period/2 < s ≤ period/2)
                       // with the highest correlation: s > 0 means its pattern comes s steps late
};

// Positions where either profile is NaN are left out; NaN fields when fewer than 3 remain.
ProfileAgreement compare_profiles(const std::vector<double>& real, const std::vector<double>& synthetic);

}  // namespace doppel::eval
