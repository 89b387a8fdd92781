#include "doppel/logging/progress_line.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "doppel/error.hpp"

namespace doppel {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--:--";
  const auto total = static_cast<int64_t>(std::llround(seconds));
  const int64_t days = total / 86400, h = total % 86400 / 3600, m = total % 3600 / 60, s = total % 60;
  char buf[64];
  if (days > 0)
    std::snprintf(buf, sizeof buf, "%lldd %02lld:%02lld:%02lld", static_cast<long long>(days),
                  static_cast<long long>(h), static_cast<long long>(m), static_cast<long long>(s));
  else
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(h), static_cast<long long>(m),
                  static_cast<long long>(s));
  return buf;
}

Progress::Progress(int64_t total_steps, int64_t steps_per_epoch, int64_t sequences_per_step, int rank,
                   double smoothing)
    : total_steps_(total_steps),
      steps_per_epoch_(steps_per_epoch),
      sequences_per_step_(sequences_per_step),
      rank_(rank),
      smoothing_(smoothing) {
  if (total_steps <= 0) throw Error("progress: total steps must be > 0, got " + std::to_string(total_steps));
  if (steps_per_epoch < 0 || sequences_per_step < 0)
    throw Error("progress: steps per epoch and sequences per step must be >= 0");
  if (!(smoothing > 0 && smoothing <= 1))
    throw Error("progress: smoothing must be in (0, 1], got " + std::to_string(smoothing));
}

std::string Progress::update(int64_t step, Values values, Clock::time_point now) {
  if (started_ && step < step_)
    throw Error("progress: step went backwards from " + std::to_string(step_) + " to " + std::to_string(step));
  values_ = std::move(values);
  step_ = step;
  if (!started_) {
    started_ = true;
    base_step_ = step;
    base_time_ = now;
    return line();
  }
  const double dt = std::chrono::duration<double>(now - base_time_).count();
  // Updates at the same instant carry no rate information: the rate is measured
  // from the baseline once time has moved on, so no steps are lost.
  if (dt <= 0) return line();
  const double instant = static_cast<double>(step - base_step_) / dt;
  rate_ = has_rate_ ? smoothing_ * instant + (1 - smoothing_) * rate_ : instant;
  has_rate_ = true;
  base_step_ = step;
  base_time_ = now;
  return line();
}

double Progress::eta_seconds() const {
  if (rate_ <= 0) return -1;
  return static_cast<double>(std::max<int64_t>(total_steps_ - step_, 0)) / rate_;
}

std::string Progress::line() const {
  std::string out = "[rank " + std::to_string(rank_) + "]";
  if (steps_per_epoch_ > 0) {
    const int64_t epochs = (total_steps_ + steps_per_epoch_ - 1) / steps_per_epoch_;
    const int64_t epoch = std::min(step_ / steps_per_epoch_ + 1, epochs);  // the epoch under way, 1-based
    out += " epoch " + std::to_string(epoch) + "/" + std::to_string(epochs);
  }
  out += " step " + std::to_string(step_) + "/" + std::to_string(total_steps_);
  char buf[64];
  for (const auto& [name, value] : values_) {
    std::snprintf(buf, sizeof buf, " %.3g", value);
    out += " " + name + buf;
  }
  if (rate_ > 0) {
    std::snprintf(buf, sizeof buf, " | %.1f steps/s", rate_);
    out += buf;
    if (sequences_per_step_ > 0) {
      std::snprintf(buf, sizeof buf, " %.0f seq/s", rate_ * static_cast<double>(sequences_per_step_));
      out += buf;
    }
  } else {
    out += " | -- steps/s";
  }
  out += " | ETA " + format_duration(eta_seconds());
  return out;
}

}  // namespace doppel
