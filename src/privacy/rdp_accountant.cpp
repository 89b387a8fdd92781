// RDP of the Poisson-subsampled Gaussian mechanism and its composition.
// The numerics follow Opacus's accountants/analysis/rdp.py step for step (log-space
// sums, the same series and stopping rule), so ε agrees with that library to
// rounding; tests/unit/rdp_accountant_test.cpp checks against its values.
#include "doppel/privacy/rdp_accountant.hpp"
#include "number_text.hpp"

#include <cmath>
#include <limits>
#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

#include "doppel/error.hpp"

namespace doppel {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string num(double x) { return shortest_number_text(x); }

// log(exp(a) + exp(b)) without overflow.
double log_add(double a, double b) {
  double lo = std::min(a, b), hi = std::max(a, b);
  if (lo == -kInf) return hi;
  return std::log1p(std::exp(lo - hi)) + hi;
}

// log(exp(a) − exp(b)), a ≥ b.
double log_sub(double a, double b, double alpha) {
  if (a < b)
    throw Error("RDP series at order " + num(alpha) +
                ": negative partial sum (log-space subtraction " + num(a) + " - " + num(b) + ")");
  if (b == -kInf) return a;
  if (a == b) return -kInf;
  double d = a - b;
  // expm1 overflows for d > ~709; then exp(b) is negligible next to exp(a).
  if (d > 700) return a;
  return std::log(std::expm1(d)) + b;
}

// log(erfc(x)). std::erfc underflows past x ≈ 26.5 and loses relative precision in
// the subnormal range before that, so large x use the asymptotic expansion
// erfc(x) = exp(−x²)/(x√π) · Σ_k (−1)^k (2k−1)!! / (2x²)^k, whose terms at x ≥ 20
// shrink below 1e-17 long before they start to grow again (at k ≈ x²).
double log_erfc(double x) {
  if (x < 20.0) return std::log(std::erfc(x));
  const double x2 = x * x;
  double term = 1.0, sum = 1.0;
  for (int k = 1; k < 60; ++k) {
    term *= -(2.0 * k - 1.0) / (2.0 * x2);
    sum += term;
    if (std::fabs(term) < 1e-17) break;
  }
  return -x2 - std::log(x) - 0.5 * std::log(M_PI) + std::log(sum);
}

// log A_α for integer α: the binomial sum
// A_α = Σ_{i=0..α} C(α,i) q^i (1−q)^(α−i) exp((i²−i)/(2σ²)), summed in log space.
double log_a_integer(double q, double sigma, int alpha) {
  double log_a = -kInf;
  const double lq = std::log(q), l1q = std::log1p(-q), two_s2 = 2.0 * sigma * sigma;
  const double lg_a1 = std::lgamma(alpha + 1.0);
  for (int i = 0; i <= alpha; ++i) {
    double log_coef = lg_a1 - std::lgamma(i + 1.0) - std::lgamma(alpha - i + 1.0) + i * lq +
                      (alpha - i) * l1q;
    double s = log_coef + (double(i) * i - i) / two_s2;
    log_a = log_add(log_a, s);
  }
  return log_a;
}

// log A_α for fractional α: the two-sided series of Mironov, Talwar & Zhang 2019
// §3.3, split at z0 = σ² log(1/q − 1) + 1/2, summed until both new terms fall below
// e^−30. C(α, i) for real α changes sign past i > α, so it is carried as a sign and
// a log-magnitude, updated by the ratio (α − i + 1)/i.
double log_a_fractional(double q, double sigma, double alpha) {
  double log_a0 = -kInf, log_a1 = -kInf;
  const double z0 = sigma * sigma * std::log(1.0 / q - 1.0) + 0.5;
  const double lq = std::log(q), l1q = std::log1p(-q), two_s2 = 2.0 * sigma * sigma;
  const double sqrt2_sigma = std::sqrt(2.0) * sigma, log_half = std::log(0.5);
  double log_coef = 0.0;  // log|C(α, 0)|
  int sign = 1;
  for (int i = 0;; ++i) {
    if (i > 0) {
      double ratio = (alpha - i + 1.0) / i;
      if (ratio < 0) sign = -sign;
      log_coef += std::log(std::fabs(ratio));
    }
    const double j = alpha - i;
    const double log_t0 = log_coef + i * lq + j * l1q;
    const double log_t1 = log_coef + j * lq + i * l1q;
    const double log_e0 = log_half + log_erfc((i - z0) / sqrt2_sigma);
    const double log_e1 = log_half + log_erfc((z0 - j) / sqrt2_sigma);
    const double log_s0 = log_t0 + (double(i) * i - i) / two_s2 + log_e0;
    const double log_s1 = log_t1 + (j * j - j) / two_s2 + log_e1;
    if (sign > 0) {
      log_a0 = log_add(log_a0, log_s0);
      log_a1 = log_add(log_a1, log_s1);
    } else {
      log_a0 = log_sub(log_a0, log_s0, alpha);
      log_a1 = log_sub(log_a1, log_s1, alpha);
    }
    if (std::max(log_s0, log_s1) < -30.0) break;
    if (i > 10000000)
      throw Error("RDP series at order " + num(alpha) + " (q=" + num(q) + ", sigma=" + num(sigma) +
                  ") did not converge");
  }
  return log_add(log_a0, log_a1);
}

void check_orders(const std::vector<double>& orders, const std::string& where) {
  if (orders.empty()) throw Error(where + ": no RDP orders");
  for (size_t k = 0; k < orders.size(); ++k) {
    if (!std::isfinite(orders[k]) || orders[k] <= 1.0)
      throw Error(where + ": RDP order " + num(orders[k]) + " (index " + std::to_string(k) +
                  ") must be finite and > 1");
    for (size_t m = 0; m < k; ++m)
      if (orders[m] == orders[k])
        throw Error(where + ": RDP order " + num(orders[k]) + " is listed twice");
  }
}

void check_delta(double delta) {
  if (!(delta > 0.0 && delta < 1.0))
    throw Error("privacy: delta must be in (0, 1), got " + num(delta));
}

}  // namespace

std::vector<double> default_rdp_orders() {
  std::vector<double> orders;
  // Written as 1 + x/10 (not accumulated 0.1 steps) so each order is the double
  // nearest its decimal value, as in Opacus's DEFAULT_ALPHAS.
  for (int x = 1; x < 100; ++x) orders.push_back(1.0 + x / 10.0);
  for (int a = 12; a < 64; ++a) orders.push_back(a);
  return orders;
}

double subsampled_gaussian_rdp(double q, double sigma, double alpha) {
  if (!(q >= 0.0 && q <= 1.0)) throw Error("privacy: sampling rate q must be in [0, 1], got " + num(q));
  if (!(sigma > 0.0) || !std::isfinite(sigma))
    throw Error("privacy: noise multiplier sigma must be finite and > 0, got " + num(sigma));
  if (!(alpha > 1.0) || !std::isfinite(alpha))
    throw Error("privacy: RDP order must be finite and > 1, got " + num(alpha));
  if (q == 0.0) return 0.0;
  if (q == 1.0) return alpha / (2.0 * sigma * sigma);
  double log_a = (alpha == std::floor(alpha) && alpha < 2147483647.0)
                     ? log_a_integer(q, sigma, static_cast<int>(alpha))
                     : log_a_fractional(q, sigma, alpha);
  // A_α ≥ 1 exactly (it is a moment of a likelihood ratio); for huge σ the log-space
  // sum of a probability distribution can round to a hair below 0, which is not a
  // privacy gain: report the exact lower bound instead.
  return std::max(0.0, log_a / (alpha - 1.0));
}

double rdp_to_epsilon(double rdp, double alpha, double delta) {
  return rdp - (std::log(delta) + std::log(alpha)) / (alpha - 1.0) + std::log((alpha - 1.0) / alpha);
}

RdpAccountant::RdpAccountant(std::vector<double> orders)
    : orders_(orders.empty() ? default_rdp_orders() : std::move(orders)) {
  check_orders(orders_, "RdpAccountant");
  rdp_.assign(orders_.size(), 0.0);
}

void RdpAccountant::step(double q, double sigma, int64_t steps) {
  if (steps < 0) throw Error("privacy: steps must be >= 0, got " + std::to_string(steps));
  if (!(q >= 0.0 && q <= 1.0)) throw Error("privacy: sampling rate q must be in [0, 1], got " + num(q));
  if (!(sigma > 0.0) || !std::isfinite(sigma))
    throw Error("privacy: noise multiplier sigma must be finite and > 0, got " + num(sigma));
  if (steps == 0) return;
  if (q != cached_q_ || sigma != cached_sigma_ || cached_rdp_.size() != orders_.size()) {
    cached_rdp_.resize(orders_.size());
    for (size_t k = 0; k < orders_.size(); ++k) cached_rdp_[k] = subsampled_gaussian_rdp(q, sigma, orders_[k]);
    cached_q_ = q;
    cached_sigma_ = sigma;
  }
  for (size_t k = 0; k < orders_.size(); ++k) rdp_[k] += static_cast<double>(steps) * cached_rdp_[k];
  total_steps_ += steps;
  if (!history_.empty() && history_.back().q == q && history_.back().sigma == sigma)
    history_.back().steps += steps;
  else
    history_.push_back({q, sigma, steps});
}

double RdpAccountant::epsilon(double delta, double* best_order) const {
  check_delta(delta);
  double best = kInf, best_alpha = std::numeric_limits<double>::quiet_NaN();
  for (size_t k = 0; k < orders_.size(); ++k) {
    double e = rdp_to_epsilon(rdp_[k], orders_[k], delta);
    // Strict < keeps the first minimiser, as numpy's nanargmin does.
    if (e < best) {
      best = e;
      best_alpha = orders_[k];
    }
  }
  if (best_order) *best_order = best_alpha;
  return best;  // +inf when every order's RDP is infinite: no privacy at all
}

bool RdpAccountant::best_order_at_edge(double delta) const {
  double a = 0;
  double e = epsilon(delta, &a);
  if (!std::isfinite(e) || orders_.size() < 2) return false;
  double lo = orders_[0], hi = orders_[0];
  for (double o : orders_) lo = std::min(lo, o), hi = std::max(hi, o);
  return a == lo || a == hi;
}

std::string RdpAccountant::edge_warning(double delta) const {
  if (!best_order_at_edge(delta)) return "";
  double a = 0;
  double e = epsilon(delta, &a);
  double lo = orders_[0], hi = orders_[0];
  for (double o : orders_) lo = std::min(lo, o), hi = std::max(hi, o);
  return "warning: epsilon=" + num(e) + " is attained at the " + (a == lo ? "smallest" : "largest") +
         " RDP order (alpha=" + num(a) + " of " + num(lo) + ".." + num(hi) +
         "): the bound is valid but may not be tight; a wider range of orders may give a smaller "
         "epsilon";
}

std::string RdpAccountant::to_json() const {
  // nlohmann writes doubles in shortest round-trip form and parses them with
  // strtod, so every finite value comes back bit for bit. Infinite RDP (σ so small
  // that exp overflows) has no JSON number: it is written as the string "inf".
  nlohmann::json j;
  j["format"] = "doppel-rdp-accountant";
  j["version"] = 1;
  j["orders"] = orders_;
  nlohmann::json rdp = nlohmann::json::array();
  for (double r : rdp_) {
    if (std::isfinite(r)) rdp.push_back(r);
    else rdp.push_back("inf");
  }
  j["rdp"] = rdp;
  j["total_steps"] = total_steps_;
  nlohmann::json hist = nlohmann::json::array();
  for (const auto& h : history_) hist.push_back({{"q", h.q}, {"sigma", h.sigma}, {"steps", h.steps}});
  j["history"] = hist;
  return j.dump(1);
}

RdpAccountant RdpAccountant::from_json(const std::string& json_text) {
  const std::string where = "RDP accountant state";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const std::exception& e) {
    throw Error(where + ": not valid JSON: " + e.what());
  }
  auto need = [&](const char* key) -> const nlohmann::json& {
    if (!j.is_object() || !j.contains(key)) throw Error(where + ": missing field '" + key + "'");
    return j.at(key);
  };
  if (need("format") != "doppel-rdp-accountant")
    throw Error(where + ": field 'format' is not \"doppel-rdp-accountant\"");
  if (need("version") != 1) throw Error(where + ": unsupported 'version' " + need("version").dump());
  const auto& jo = need("orders");
  const auto& jr = need("rdp");
  if (!jo.is_array() || !jr.is_array() || jo.size() != jr.size())
    throw Error(where + ": 'orders' and 'rdp' must be arrays of the same length");
  std::vector<double> orders;
  for (size_t k = 0; k < jo.size(); ++k) {
    if (!jo[k].is_number()) throw Error(where + ": orders[" + std::to_string(k) + "] is not a number");
    orders.push_back(jo[k].get<double>());
  }
  check_orders(orders, where);
  RdpAccountant acc(orders);
  for (size_t k = 0; k < jr.size(); ++k) {
    double r;
    if (jr[k].is_number()) r = jr[k].get<double>();
    else if (jr[k] == "inf") r = kInf;
    else throw Error(where + ": rdp[" + std::to_string(k) + "] is not a number");
    if (!(r >= 0.0)) throw Error(where + ": rdp[" + std::to_string(k) + "] is negative");
    acc.rdp_[k] = r;
  }
  const auto& jt = need("total_steps");
  if (!jt.is_number_integer() || jt.get<int64_t>() < 0)
    throw Error(where + ": 'total_steps' must be a non-negative integer");
  acc.total_steps_ = jt.get<int64_t>();
  const auto& jh = need("history");
  if (!jh.is_array()) throw Error(where + ": 'history' must be an array");
  for (size_t k = 0; k < jh.size(); ++k) {
    const auto& h = jh[k];
    std::string at = where + ": history[" + std::to_string(k) + "]";
    if (!h.is_object() || !h.contains("q") || !h.contains("sigma") || !h.contains("steps") ||
        !h["q"].is_number() || !h["sigma"].is_number() || !h["steps"].is_number_integer())
      throw Error(at + " needs numbers q, sigma and an integer steps");
    acc.history_.push_back({h["q"].get<double>(), h["sigma"].get<double>(), h["steps"].get<int64_t>()});
  }
  return acc;
}

}  // namespace doppel
