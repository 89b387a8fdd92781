#include "doppel/eval/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "doppel/error.hpp"

namespace doppel::eval {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double total(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

void check_same_size(const std::vector<double>& a, const std::vector<double>& b, const char* what) {
  if (a.size() != b.size())
    throw Error(std::string(what) + ": histograms have different bin counts (" +
                std::to_string(a.size()) + " vs " + std::to_string(b.size()) + ")");
}
}  // namespace

double histogram_overlap(const std::vector<double>& a, const std::vector<double>& b) {
  check_same_size(a, b, "histogram overlap");
  double ta = total(a), tb = total(b);
  if (ta <= 0 || tb <= 0) return kNaN;
  double s = 0;
  for (size_t k = 0; k < a.size(); ++k) s += std::min(a[k] / ta, b[k] / tb);
  return s;
}

double JointInformation::nmi() const {
  if (hx <= 0 || hy <= 0) return 0.0;
  return mi / std::sqrt(hx * hy);
}

JointInformation joint_information(const std::vector<double>& joint, size_t nx, size_t ny) {
  if (joint.size() != nx * ny) throw Error("joint_information: table size does not match nx × ny");
  JointInformation r;
  double n = total(joint);
  if (n <= 0) return r;
  std::vector<double> px(nx, 0.0), py(ny, 0.0);
  for (size_t i = 0; i < nx; ++i)
    for (size_t j = 0; j < ny; ++j) {
      px[i] += joint[i * ny + j] / n;
      py[j] += joint[i * ny + j] / n;
    }
  for (double p : px)
    if (p > 0) r.hx -= p * std::log(p);
  for (double p : py)
    if (p > 0) r.hy -= p * std::log(p);
  for (size_t i = 0; i < nx; ++i)
    for (size_t j = 0; j < ny; ++j) {
      double p = joint[i * ny + j] / n;
      if (p > 0) r.mi += p * std::log(p / (px[i] * py[j]));
    }
  r.mi = std::max(0.0, r.mi);  // rounding can make an exact 0 slightly negative
  return r;
}

double wasserstein1(const std::vector<double>& a, const std::vector<double>& b,
                    const std::vector<double>& midpoints) {
  check_same_size(a, b, "Wasserstein-1");
  if (midpoints.size() != a.size()) throw Error("Wasserstein-1: midpoints do not match the bins");
  double ta = total(a), tb = total(b);
  if (ta <= 0 || tb <= 0) return kNaN;
  double fa = 0, fb = 0, w = 0;
  for (size_t k = 0; k + 1 < a.size(); ++k) {
    fa += a[k] / ta;
    fb += b[k] / tb;
    w += std::fabs(fa - fb) * (midpoints[k + 1] - midpoints[k]);
  }
  return w;
}

double kolmogorov_smirnov(const std::vector<double>& a, const std::vector<double>& b) {
  check_same_size(a, b, "Kolmogorov-Smirnov");
  double ta = total(a), tb = total(b);
  if (ta <= 0 || tb <= 0) return kNaN;
  double fa = 0, fb = 0, d = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    fa += a[k] / ta;
    fb += b[k] / tb;
    d = std::max(d, std::fabs(fa - fb));
  }
  return d;
}

std::vector<double> autocorrelation(const double* x, size_t n, int max_lag) {
  std::vector<double> r(size_t(std::max(0, max_lag)), kNaN);
  if (n < 3) return r;
  double m = 0;
  for (size_t t = 0; t < n; ++t) m += x[t];
  m /= double(n);
  double v = 0;
  for (size_t t = 0; t < n; ++t) v += (x[t] - m) * (x[t] - m);
  v /= double(n);
  // Relative threshold: a constant series decodes to equal doubles, but its mean may
  // differ from them in the last bit.
  if (!(v > 1e-12 * std::max(1.0, m * m))) return r;
  for (int tau = 1; tau <= max_lag; ++tau) {
    if (n < size_t(tau) + 2) break;
    double s = 0;
    for (size_t t = 0; t + tau < n; ++t) s += (x[t] - m) * (x[t + tau] - m);
    r[tau - 1] = s / (double(n - tau) * v);
  }
  return r;
}

double autocorrelation_score(const std::vector<double>& real, const std::vector<double>& syn) {
  size_t n = std::min(real.size(), syn.size());
  double num = 0, den = 0;
  bool any = false;
  for (size_t k = 0; k < n; ++k) {
    if (!std::isfinite(real[k]) || !std::isfinite(syn[k])) continue;
    any = true;
    num += (real[k] - syn[k]) * (real[k] - syn[k]);
    den += real[k] * real[k];
  }
  if (!any || den <= 0) return kNaN;
  return 1.0 - num / den;
}

double acf_mse(const std::vector<double>& real, const std::vector<double>& syn) {
  size_t n = std::min(real.size(), syn.size());
  double s = 0;
  size_t c = 0;
  for (size_t k = 0; k < n; ++k) {
    if (!std::isfinite(real[k]) || !std::isfinite(syn[k])) continue;
    s += (real[k] - syn[k]) * (real[k] - syn[k]);
    ++c;
  }
  return c ? s / double(c) : kNaN;
}

double mean_finite(const std::vector<double>& v) {
  double s = 0;
  size_t c = 0;
  for (double x : v)
    if (std::isfinite(x)) {
      s += x;
      ++c;
    }
  return c ? s / double(c) : kNaN;
}

}  // namespace doppel::eval
