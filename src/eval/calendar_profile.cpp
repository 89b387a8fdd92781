#include "doppel/eval/calendar_profile.hpp"

#include <cmath>
#include <limits>

#include "doppel/data/calendar_attribute.hpp"
#include "doppel/error.hpp"

namespace doppel::eval {

CalendarClock CalendarClock::of(const Schema& schema) {
  CalendarClock k;
  k.hour_attribute_ = calendar_attribute(schema, "@start_hour");
  k.weekday_attribute_ = calendar_attribute(schema, "@start_dayofweek");
  if (k.hour_attribute_ < 0) {
    k.reason_ = "no categorical attribute from '@start_hour'";
    return k;
  }
  if (schema.step_seconds <= 0 || 3600 % schema.step_seconds != 0) {
    k.reason_ = "the step (" + std::to_string(schema.step_seconds) + " s) does not divide an hour";
    return k;
  }
  try {
    k.hour_of_category_ = calendar_category_numbers(schema.attributes[k.hour_attribute_], 24);
    if (k.weekday_attribute_ >= 0)
      k.weekday_of_category_ = calendar_category_numbers(schema.attributes[k.weekday_attribute_], 7);
  } catch (const Error& e) {
    k.reason_ = e.what();
    return k;
  }
  k.steps_per_hour_ = 3600 / schema.step_seconds;
  k.period_ = 24 * k.steps_per_hour_ * (k.weekly() ? 7 : 1);
  return k;
}

int64_t CalendarClock::position(const std::vector<std::vector<double>>& attributes, int64_t i, int64_t t) const {
  const auto category = [&](int a) { return size_t(std::llround(attributes[size_t(a)][size_t(i)])); };
  int64_t start = hour_of_category_.at(category(hour_attribute_)) * steps_per_hour_;
  if (weekly()) start += weekday_of_category_.at(category(weekday_attribute_)) * 24 * steps_per_hour_;
  return (start + t) % period_;
}

ProfileAgreement compare_profiles(const std::vector<double>& r, const std::vector<double>& s) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const int64_t P = int64_t(std::min(r.size(), s.size()));
  const auto correlation = [&](int64_t shift) {
    double n = 0, mr = 0, ms = 0;
    for (int64_t p = 0; p < P; ++p) {
      const double x = r[size_t(p)], y = s[size_t((p + shift) % P)];
      if (std::isfinite(x) && std::isfinite(y)) n += 1, mr += x, ms += y;
    }
    if (n < 3) return kNaN;
    mr /= n, ms /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int64_t p = 0; p < P; ++p) {
      const double x = r[size_t(p)], y = s[size_t((p + shift) % P)];
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      sxy += (x - mr) * (y - ms), sxx += (x - mr) * (x - mr), syy += (y - ms) * (y - ms);
    }
    return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : kNaN;
  };
  ProfileAgreement out{correlation(0), kNaN, 0};
  double diff = 0, level = 0, n = 0;
  for (int64_t p = 0; p < P; ++p)
    if (std::isfinite(r[size_t(p)]) && std::isfinite(s[size_t(p)]))
      diff += std::fabs(r[size_t(p)] - s[size_t(p)]), level += std::fabs(r[size_t(p)]), n += 1;
  if (n >= 3 && level > 0) out.nmae = diff / level;
  double best = -std::numeric_limits<double>::infinity();
  for (int64_t shift = 0; shift < P; ++shift) {
    const double c = correlation(shift);
    if (std::isfinite(c) && c > best + 1e-12) best = c, out.best_shift = shift > P / 2 ? shift - P : shift;
  }
  return out;
}

}  // namespace doppel::eval
