#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "doppel/error.hpp"
#include "doppel/logging/progress_line.hpp"

using doppel::format_duration;
using doppel::Progress;

namespace {
Progress::Clock::time_point time_at(double seconds) {
  return Progress::Clock::time_point{} +
         std::chrono::duration_cast<Progress::Clock::duration>(std::chrono::duration<double>(seconds));
}
}  // namespace

TEST(ProgressLine, FormatsDurations) {
  EXPECT_EQ(format_duration(0), "00:00:00");
  EXPECT_EQ(format_duration(3723), "01:02:03");
  EXPECT_EQ(format_duration(59.6), "00:01:00");  // rounds to the nearest second
  EXPECT_EQ(format_duration(86399.4), "23:59:59");
  EXPECT_EQ(format_duration(86400), "1d 00:00:00");
  EXPECT_EQ(format_duration(2 * 86400 + 3 * 3600 + 4 * 60 + 5), "2d 03:04:05");
  EXPECT_EQ(format_duration(-1), "--:--:--");
  EXPECT_EQ(format_duration(std::numeric_limits<double>::infinity()), "--:--:--");
  EXPECT_EQ(format_duration(std::nan("")), "--:--:--");
}

TEST(ProgressLine, FullLine) {
  // 4000 steps, 400 per epoch (10 epochs), global batch 100.
  Progress p(4000, 400, 100, 0, /*smoothing=*/1.0);
  const std::string first = p.update(1000, {{"d_loss", -0.5}}, time_at(10));
  EXPECT_EQ(first, "[rank 0] epoch 3/10 step 1000/4000 d_loss -0.5 | -- steps/s | ETA --:--:--");
  // 200 steps in 4 s: 50 steps/s, 5000 seq/s; 2800 steps left: 56 s.
  const std::string line =
      p.update(1200, {{"d_loss", -0.123}, {"d_attr_loss", 0.045}, {"g_loss", 1.23}}, time_at(14));
  EXPECT_EQ(line,
            "[rank 0] epoch 4/10 step 1200/4000 d_loss -0.123 d_attr_loss 0.045 g_loss 1.23 | 50.0 steps/s "
            "5000 seq/s | ETA 00:00:56");
  EXPECT_EQ(p.line(), line);
}

TEST(ProgressLine, OptionalFieldsAndLastEpoch) {
  Progress p(1000, 0, 0, 3, 1.0);
  p.update(0, {}, time_at(0));
  EXPECT_EQ(p.update(1000, {}, time_at(8)), "[rank 3] step 1000/1000 | 125.0 steps/s | ETA 00:00:00");
  Progress q(1000, 300, 0, 0, 1.0);  // 4 epochs, the last one short
  EXPECT_EQ(q.update(1000, {}, time_at(0)).substr(0, 30), "[rank 0] epoch 4/4 step 1000/1");
}

TEST(ProgressLine, MovingAverageAndEta) {
  Progress p(10000, 0, 0, 0, /*smoothing=*/0.25);
  p.update(0, {}, time_at(0));
  p.update(100, {}, time_at(1));  // first rate taken as is: 100/s
  EXPECT_DOUBLE_EQ(p.steps_per_second(), 100);
  EXPECT_DOUBLE_EQ(p.eta_seconds(), 9900.0 / 100);
  p.update(120, {}, time_at(2));  // instant 20/s: 0.25*20 + 0.75*100 = 80
  EXPECT_DOUBLE_EQ(p.steps_per_second(), 80);
  p.update(320, {}, time_at(3));  // instant 200/s: 0.25*200 + 0.75*80 = 110
  EXPECT_DOUBLE_EQ(p.steps_per_second(), 110);
  EXPECT_DOUBLE_EQ(p.eta_seconds(), (10000 - 320) / 110.0);
  EXPECT_EQ(p.line(), "[rank 0] step 320/10000 | 110.0 steps/s | ETA 00:01:28");  // 88.0 s
}

TEST(ProgressLine, SameInstantKeepsSteps) {
  Progress p(1000, 0, 0, 0, 1.0);
  p.update(0, {}, time_at(0));
  p.update(10, {}, time_at(1));
  p.update(15, {}, time_at(1));  // no time passed: no rate, but the 5 steps count later
  EXPECT_DOUBLE_EQ(p.steps_per_second(), 10);
  p.update(30, {}, time_at(3));  // (30 - 10) / (3 - 1)
  EXPECT_DOUBLE_EQ(p.steps_per_second(), 10);
  EXPECT_NE(p.line().find("step 30/1000"), std::string::npos);
}

TEST(ProgressLine, LongRunsShowDays) {
  Progress p(10'000'000, 0, 0, 0, 1.0);
  p.update(0, {}, time_at(0));
  p.update(10, {}, time_at(1));  // 10 steps/s, 9,999,990 steps left = 999,999 s = 11d 13:46:39
  EXPECT_NE(p.line().find("ETA 11d 13:46:39"), std::string::npos) << p.line();
}

TEST(ProgressLine, RejectsNonsense) {
  EXPECT_THROW(Progress(0, 0, 0), doppel::Error);
  EXPECT_THROW(Progress(10, 0, 0, 0, 0.0), doppel::Error);
  EXPECT_THROW(Progress(10, 0, 0, 0, 1.5), doppel::Error);
  Progress p(100, 0, 0);
  p.update(50, {}, time_at(0));
  EXPECT_THROW(p.update(40, {}, time_at(1)), doppel::Error);
}
