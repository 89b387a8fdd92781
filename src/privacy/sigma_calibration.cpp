// ε for a fixed training schedule, and the noise multiplier that meets a target ε.
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "doppel/error.hpp"
#include "doppel/privacy/rdp_accountant.hpp"
#include "number_text.hpp"

namespace doppel {
namespace {

std::string num(double x) { return shortest_number_text(x); }

// Opacus gives up past this σ; so do we (the target then sits below the floor
// that the order grid and δ put under ε even for σ → ∞).
constexpr double kMaxSigma = 1e6;

}  // namespace

double compute_epsilon(double q, double sigma, int64_t steps, double delta, double* best_order) {
  RdpAccountant acc;
  acc.step(q, sigma, steps);
  return acc.epsilon(delta, best_order);
}

double calibrate_sigma(double q, int64_t steps, double delta, double target_epsilon, double tol) {
  if (!(q > 0.0 && q <= 1.0))
    throw Error("privacy: sampling rate q must be in (0, 1] to calibrate sigma, got " + num(q) +
                (q == 0.0 ? " (q = 0 touches no data: no noise is needed)" : ""));
  if (steps <= 0) throw Error("privacy: steps must be > 0 to calibrate sigma, got " + std::to_string(steps));
  if (!(delta > 0.0 && delta < 1.0)) throw Error("privacy: delta must be in (0, 1), got " + num(delta));
  if (!(target_epsilon > 0.0) || !std::isfinite(target_epsilon))
    throw Error("privacy: target epsilon must be finite and > 0, got " + num(target_epsilon));
  if (!(tol > 0.0) || !std::isfinite(tol))
    throw Error("privacy: epsilon tolerance must be finite and > 0, got " + num(tol));

  // Opacus's get_noise_multiplier, reproduced exactly so σ values agree: bracket
  // [0, 10], double the upper end (first probe 20) until ε(upper) ≤ target, then
  // bisect while target − ε(upper) > tol. The upper end always satisfies
  // ε ≤ target, so returning it never overspends the budget.
  double sigma_low = 0.0, sigma_high = 10.0, eps_high = INFINITY;
  while (eps_high > target_epsilon) {
    sigma_high *= 2.0;
    eps_high = compute_epsilon(q, sigma_high, steps, delta);
    if (sigma_high > kMaxSigma)
      throw Error("privacy: target epsilon " + num(target_epsilon) + " is unreachable at delta " +
                  num(delta) + ": even sigma " + num(sigma_high) + " gives epsilon " + num(eps_high) +
                  " (the RDP conversion has a floor above 0 for any finite order range)");
  }
  for (int iter = 0; target_epsilon - eps_high > tol; ++iter) {
    if (iter > 200)
      throw Error("privacy: sigma calibration did not converge (bracket [" + num(sigma_low) + ", " +
                  num(sigma_high) + "])");
    double sigma = 0.5 * (sigma_low + sigma_high);
    double eps = compute_epsilon(q, sigma, steps, delta);
    if (eps < target_epsilon) {
      sigma_high = sigma;
      eps_high = eps;
    } else {
      sigma_low = sigma;
    }
  }
  return sigma_high;
}

}  // namespace doppel
