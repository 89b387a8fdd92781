// Cyclical learning rate (Smith 2017, "Cyclical Learning Rates for Training Neural
// Networks"): the generator's rate moves between base_lr and max_lr in a triangle
// whose half period is step_size iterations. A pure function of the global step,
// so resuming or changing the number of ranks never shifts the schedule.
#pragma once
#include <cstdint>
#include <string>

namespace doppel {

enum class CyclicMode { Constant, Triangular, Triangular2, ExpRange };

CyclicMode cyclic_mode_from_string(const std::string& s, const std::string& context);
const char* to_string(CyclicMode m);

class CyclicLR {
 public:
  // Throws Error when step_size < 1, a rate is negative, or gamma is not in (0, 1].
  CyclicLR(CyclicMode mode, double base_lr, double max_lr, int64_t step_size, double gamma = 1.0);

  // Rate for iteration `step` (0-based):
  //   cycle = floor(1 + step / (2 step_size)),  x = |step / step_size - 2 cycle + 1|
  //   lr = base + (max - base) * max(0, 1 - x) * scale
  // scale: triangular 1, triangular2 1 / 2^(cycle-1), exp_range gamma^step;
  // constant: base_lr at every step.
  double lr(int64_t step) const;

  CyclicMode mode() const { return mode_; }

 private:
  CyclicMode mode_;
  double base_, max_;
  int64_t step_size_;
  double gamma_;
};

}  // namespace doppel
