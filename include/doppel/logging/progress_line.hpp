// The training console line:
//   [rank 0] epoch 3/10 step 1200/4000 d_loss -0.123 g_loss 1.23 | 45.2 steps/s 4520 seq/s | ETA 01:02:03
// Speed is an exponential moving average of the rate between successive updates,
// so one slow step (a checkpoint write) does not swing the ETA. Time is passed in,
// never read here, so the arithmetic is testable without sleeping.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace doppel {

// "01:02:03"; "2d 03:04:05" from one day on; "--:--:--" when unknown (negative,
// NaN or infinite). Rounds to the nearest second.
std::string format_duration(double seconds);

class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  // Named values keep the caller's order (d_loss before d_attr_loss), hence a vector.
  using Values = std::vector<std::pair<std::string, double>>;

  // total_steps > 0. steps_per_epoch 0 hides the epoch field; sequences_per_step
  // (the global batch) 0 hides seq/s. smoothing in (0, 1] is the weight of the
  // newest rate in the moving average (1 = no smoothing).
  Progress(int64_t total_steps, int64_t steps_per_epoch, int64_t sequences_per_step, int rank = 0,
           double smoothing = 0.1);

  // Records that `step` steps are done at `now`; returns line(). The first update
  // only sets the baseline (a resumed run starts at its checkpoint's step).
  // Throws Error if step decreases.
  std::string update(int64_t step, Values values, Clock::time_point now);

  double steps_per_second() const { return rate_; }  // 0 until two updates apart in time
  double eta_seconds() const;                          // -1 while the rate is unknown
  std::string line() const;

 private:
  int64_t total_steps_, steps_per_epoch_, sequences_per_step_;
  int rank_;
  double smoothing_;
  bool started_ = false, has_rate_ = false;
  int64_t step_ = 0;                   // shown
  int64_t base_step_ = 0;              // where the next rate is measured from
  Clock::time_point base_time_{};
  double rate_ = 0;
  Values values_;
};

}  // namespace doppel
