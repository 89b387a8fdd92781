#include "doppel/optim/cyclic_lr.hpp"

#include <cmath>

#include "doppel/error.hpp"

namespace doppel {

CyclicMode cyclic_mode_from_string(const std::string& s, const std::string& context) {
  if (s == "constant") return CyclicMode::Constant;
  if (s == "triangular") return CyclicMode::Triangular;
  if (s == "triangular2") return CyclicMode::Triangular2;
  if (s == "exp_range") return CyclicMode::ExpRange;
  throw Error(context + ": unknown learning-rate schedule '" + s +
              "' (expected constant, triangular, triangular2 or exp_range)");
}

const char* to_string(CyclicMode m) {
  switch (m) {
    case CyclicMode::Constant: return "constant";
    case CyclicMode::Triangular: return "triangular";
    case CyclicMode::Triangular2: return "triangular2";
    case CyclicMode::ExpRange: return "exp_range";
  }
  return "?";
}

CyclicLR::CyclicLR(CyclicMode mode, double base_lr, double max_lr, int64_t step_size, double gamma)
    : mode_(mode), base_(base_lr), max_(max_lr), step_size_(step_size), gamma_(gamma) {
  if (base_lr < 0 || max_lr < 0)
    throw Error("cyclic learning rate: rates must be >= 0 (base " + std::to_string(base_lr) +
                ", max " + std::to_string(max_lr) + ")");
  if (mode != CyclicMode::Constant && step_size < 1)
    throw Error("cyclic learning rate: step_size must be >= 1, got " + std::to_string(step_size));
  if (mode == CyclicMode::ExpRange && !(gamma > 0 && gamma <= 1))
    throw Error("cyclic learning rate: exp_range needs gamma in (0, 1], got " + std::to_string(gamma));
}

double CyclicLR::lr(int64_t step) const {
  if (mode_ == CyclicMode::Constant) return base_;
  const double it = double(step);
  const double cycle = std::floor(1.0 + it / (2.0 * double(step_size_)));
  const double x = std::fabs(it / double(step_size_) - 2.0 * cycle + 1.0);
  double scale = 1.0;
  if (mode_ == CyclicMode::Triangular2) scale = 1.0 / std::pow(2.0, cycle - 1.0);
  if (mode_ == CyclicMode::ExpRange) scale = std::pow(gamma_, it);
  return base_ + (max_ - base_) * std::max(0.0, 1.0 - x) * scale;
}

}  // namespace doppel
