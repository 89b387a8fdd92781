// The formulas behind the evaluation metrics, on histograms and series that callers
// have already accumulated (docs/metrics.md states each one). Undefined results
// (an empty histogram, a zero denominator) are NaN, which metrics.json writes as null
// and the averaging helpers skip.
#pragma once
#include <cstddef>
#include <vector>

namespace doppel::eval {

// Σ_b min(p_b, q_b) of the two histograms normalised to probabilities.
double histogram_overlap(const std::vector<double>& a, const std::vector<double>& b);

// Entropies and mutual information (nats) of a joint count table [nx × ny], row-major.
struct JointInformation {
  double hx = 0, hy = 0, mi = 0;
  // I / sqrt(H(X) H(Y)); 0 when either entropy is 0.
  double nmi() const;
};
JointInformation joint_information(const std::vector<double>& joint, size_t nx, size_t ny);

// Distances between two histograms over the same ordered bins with the given
// midpoints: W1 = Σ_b |F_a(b) − F_b(b)| (m_{b+1} − m_b), KS = max_b |F_a(b) − F_b(b)|.
double wasserstein1(const std::vector<double>& a, const std::vector<double>& b,
                    const std::vector<double>& midpoints);
double kolmogorov_smirnov(const std::vector<double>& a, const std::vector<double>& b);

// Autocorrelation of x[0..n) at lags 1..max_lag with the series' own mean m and
// variance v = (1/n) Σ (x_t − m)²: A(τ) = Σ_{t<n−τ} (x_t − m)(x_{t+τ} − m) / ((n − τ) v).
// Lags with n < τ + 2, or all lags when v is 0, are NaN. Result index τ − 1.
std::vector<double> autocorrelation(const double* x, size_t n, int max_lag);

// AC = 1 − Σ_τ (A_real(τ) − A_syn(τ))² / Σ_τ A_real(τ)² over lags where both are defined.
double autocorrelation_score(const std::vector<double>& real, const std::vector<double>& syn);
// mean_τ (A_real(τ) − A_syn(τ))² over lags where both are defined (the DoppelGANger ACF MSE).
double acf_mse(const std::vector<double>& real, const std::vector<double>& syn);

// Mean of the finite values; NaN when there are none.
double mean_finite(const std::vector<double>& v);

}  // namespace doppel::eval
