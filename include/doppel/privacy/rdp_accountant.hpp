// Rényi-DP ("moments") accountant for the Poisson-subsampled Gaussian mechanism.
//
// Conventions match Opacus's RDP analysis (see docs/privacy.md and
// tests/data/README.md): RDP of one step from Mironov, Talwar & Zhang 2019
// (arXiv:1908.10530), conversion to (ε, δ) from Balle et al. 2020
// (arXiv:1905.09982, Thm 21), minimised over a fixed grid of orders α.
// Torch-free: the training loop, the CLI and the sweep all use this one class.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace doppel {

// 1.1, 1.2, …, 10.9 (99 orders) then 12, 13, …, 63 (52 orders): 151 orders.
std::vector<double> default_rdp_orders();

// RDP at order `alpha` (> 1) of ONE step of the Gaussian mechanism with noise
// multiplier `sigma` (> 0) applied to a Poisson sample of rate `q` ∈ [0, 1].
// q = 0 gives 0, q = 1 gives α / (2σ²). Throws doppel::Error on bad arguments.
double subsampled_gaussian_rdp(double q, double sigma, double alpha);

// Balle et al. 2020 conversion at one order: RDP(α) − (log δ + log α)/(α−1) + log((α−1)/α).
double rdp_to_epsilon(double rdp, double alpha, double delta);

class RdpAccountant {
 public:
  // Empty `orders` = default_rdp_orders(). Orders must be finite, > 1, distinct.
  explicit RdpAccountant(std::vector<double> orders = {});

  // Composes `steps` steps of the subsampled Gaussian mechanism (q, σ). Steps with
  // different (q, σ) may be mixed freely: RDP adds per order. Two Gaussian
  // mechanisms of multiplier σ on the same sample per step = one step at σ/√2.
  // Throws doppel::Error for q ∉ [0,1], σ ≤ 0 (or not finite), steps < 0.
  void step(double q, double sigma, int64_t steps = 1);

  // Smallest ε over the orders for this δ ∈ (0, 1); the minimising order goes to
  // *best_order when given. Throws doppel::Error for δ outside (0, 1).
  double epsilon(double delta, double* best_order = nullptr) const;

  // True when the minimising order for δ is the smallest or the largest order:
  // ε is still a valid bound, but a wider order range might give a smaller one.
  bool best_order_at_edge(double delta) const;
  // A one-line warning saying so, or "" when the best order is interior.
  std::string edge_warning(double delta) const;

  const std::vector<double>& orders() const { return orders_; }
  const std::vector<double>& rdp() const { return rdp_; }  // accumulated, per order
  int64_t total_steps() const { return total_steps_; }

  // Checkpoint state as JSON (orders, accumulated RDP, step history). Every double
  // survives to_json → from_json bit for bit. from_json throws doppel::Error
  // naming the field when the text is not such a state.
  std::string to_json() const;
  static RdpAccountant from_json(const std::string& json_text);

  // One record per run of consecutive steps with the same (q, σ): informational
  // (the accumulated RDP is the state), kept for reports.
  struct HistoryEntry {
    double q;
    double sigma;
    int64_t steps;
  };
  const std::vector<HistoryEntry>& history() const { return history_; }

 private:
  std::vector<double> orders_;
  std::vector<double> rdp_;
  int64_t total_steps_ = 0;
  std::vector<HistoryEntry> history_;
  // Per-step RDP of the last (q, σ) seen: the training loop calls step() with the
  // same pair every d_round, and the series per order are not free.
  double cached_q_ = -1.0, cached_sigma_ = -1.0;
  std::vector<double> cached_rdp_;
};

// ε after `steps` steps of (q, σ) at δ, with the default orders.
double compute_epsilon(double q, double sigma, int64_t steps, double delta,
                       double* best_order = nullptr);

// Noise multiplier for which `steps` steps at sampling rate q spend at most
// `target_epsilon` at δ (default orders). Opacus's scheme: bracket [0, 20·2^k],
// doubling the upper end until ε(upper) ≤ target, then bisect while
// target − ε(upper) > tol; returns the upper end, so ε(σ) ≤ target always.
// Throws doppel::Error when the target is unreachable (≤ 0, or needs σ > 1e6).
double calibrate_sigma(double q, int64_t steps, double delta, double target_epsilon,
                       double tol = 0.01);

}  // namespace doppel
