// The RDP accountant against independent references: Opacus's values
// (tests/data/rdp_reference.csv), closed forms (q = 1; order 2), the sigma table of
// shared/privacy/README.md, and the algebra of composition.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "doppel/error.hpp"
#include "doppel/privacy/rdp_accountant.hpp"
#include "test_util.hpp"

using doppel::RdpAccountant;

namespace {

struct ReferenceRow {
  double q, sigma;
  long long steps;
  double delta, eps, best_alpha;
};

std::vector<ReferenceRow> read_reference() {
  const std::string path = std::string(DOPPEL_SOURCE_DIR) + "/tests/data/rdp_reference.csv";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "q,sigma,steps,delta,eps,best_alpha");
  std::vector<ReferenceRow> rows;
  while (std::getline(in, line)) {
    ReferenceRow r;
    EXPECT_EQ(std::sscanf(line.c_str(), "%lf,%lf,%lld,%lf,%lf,%lf", &r.q, &r.sigma, &r.steps, &r.delta,
                          &r.eps, &r.best_alpha),
              6)
        << line;
    rows.push_back(r);
  }
  return rows;
}

using doppel_test::error_of;

}  // namespace

TEST(RdpAccountant, DefaultOrdersAreOpacusGrid) {
  auto o = doppel::default_rdp_orders();
  ASSERT_EQ(o.size(), 151u);
  EXPECT_EQ(o.front(), 1.1);
  EXPECT_EQ(o[98], 10.9);
  EXPECT_EQ(o[99], 12.0);
  EXPECT_EQ(o.back(), 63.0);
  for (double a : o) EXPECT_NE(a, 11.0);
}

TEST(RdpAccountant, MatchesOpacusReferenceTable) {
  auto rows = read_reference();
  ASSERT_EQ(rows.size(), 36u);
  double worst = 0;
  for (const auto& r : rows) {
    double alpha = 0;
    double eps = doppel::compute_epsilon(r.q, r.sigma, r.steps, r.delta, &alpha);
    double rel = std::fabs(eps - r.eps) / r.eps;
    worst = std::max(worst, rel);
    // A 1 % tolerance is allowed; the implementation follows the same series, so it agrees
    // to rounding (worst seen: 4.5e-12, on the 10,000-step rows).
    EXPECT_LT(rel, 1e-9) << "q=" << r.q << " sigma=" << r.sigma << " steps=" << r.steps << " eps=" << eps
                         << " reference=" << r.eps;
    EXPECT_EQ(alpha, r.best_alpha) << "q=" << r.q << " sigma=" << r.sigma << " steps=" << r.steps;
  }
  std::printf("worst relative error against Opacus: %.3g\n", worst);
}

TEST(RdpAccountant, OrderTwoClosedForm) {
  // A_2 = (1−q)² + 2q(1−q) + q² e^{1/σ²} = 1 + q² (e^{1/σ²} − 1): RDP(2) = log A_2.
  for (double q : {0.001, 0.01, 0.3, 0.9})
    for (double sigma : {0.5, 1.0, 3.0}) {
      double expected = std::log1p(q * q * std::expm1(1.0 / (sigma * sigma)));
      // The log-space sum (terms whose sum is ≈ 1) is exact to ~1e-16 absolute, which
      // is what ε needs; tiny RDP values are therefore only ~1e-10 relative.
      EXPECT_NEAR(doppel::subsampled_gaussian_rdp(q, sigma, 2.0), expected, 1e-12 * expected + 1e-17)
          << q << " " << sigma;
    }
}

TEST(RdpAccountant, FractionalSeriesMeetsIntegerSum) {
  // Two different formulas (the two-sided erfc series, the binomial sum) must agree
  // where they meet; small σ drives the erfc arguments past where std::erfc underflows.
  for (double sigma : {0.1, 0.3, 0.5, 2.0})
    for (double alpha : {2.0, 3.0, 10.0, 40.0}) {
      double at = doppel::subsampled_gaussian_rdp(0.01, sigma, alpha);
      double above = doppel::subsampled_gaussian_rdp(0.01, sigma, alpha + 1e-9);
      double below = doppel::subsampled_gaussian_rdp(0.01, sigma, alpha - 1e-9);
      EXPECT_NEAR(above, at, 1e-7 * at) << sigma << " " << alpha;
      EXPECT_NEAR(below, at, 1e-7 * at) << sigma << " " << alpha;
      EXPECT_LE(below, at * (1 + 1e-12));
      EXPECT_LE(at, above * (1 + 1e-12));
      // RDP is non-decreasing in the order.
      double next = doppel::subsampled_gaussian_rdp(0.01, sigma, alpha + 0.5);
      EXPECT_GE(next, at) << sigma << " " << alpha;
      EXPECT_TRUE(std::isfinite(next));
    }
}

TEST(RdpAccountant, FullBatchIsPlainGaussian) {
  // q = 1: RDP(α) = α/(2σ²) per step, and ε is the minimum of the conversion formula.
  const double sigma = 1.3, delta = 1e-6;
  const long long steps = 250;
  EXPECT_DOUBLE_EQ(doppel::subsampled_gaussian_rdp(1.0, sigma, 7.5), 7.5 / (2 * sigma * sigma));
  double expected = INFINITY;
  for (double a : doppel::default_rdp_orders())
    expected = std::min(expected, steps * a / (2 * sigma * sigma) - (std::log(delta) + std::log(a)) / (a - 1) +
                                      std::log((a - 1) / a));
  EXPECT_NEAR(doppel::compute_epsilon(1.0, sigma, steps, delta), expected, 1e-12 * expected);
  EXPECT_EQ(doppel::subsampled_gaussian_rdp(0.0, sigma, 5.0), 0.0);
}

TEST(RdpAccountant, HugeNoiseGivesTinyEpsilon) {
  double eps_big = doppel::compute_epsilon(0.01, 1e4, 1000, 1e-5);
  double eps_zero_q = doppel::compute_epsilon(0.0, 1.0, 1000, 1e-5);
  // With zero RDP, ε is the conversion's floor for the order grid (≈ 0.103 at α = 63).
  EXPECT_GE(eps_big, eps_zero_q);
  EXPECT_LT(eps_big - eps_zero_q, 1e-6);
  EXPECT_NEAR(eps_zero_q, -(std::log(1e-5) + std::log(63.0)) / 62 + std::log(62.0 / 63), 1e-12);
}

TEST(RdpAccountant, CompositionIsAdditiveAndMonotone) {
  RdpAccountant once, single, mixed_a, mixed_b, mixed;
  once.step(0.02, 1.1, 500);
  for (int i = 0; i < 500; ++i) single.step(0.02, 1.1);
  ASSERT_EQ(once.rdp().size(), single.rdp().size());
  for (size_t k = 0; k < once.rdp().size(); ++k)
    EXPECT_NEAR(once.rdp()[k], single.rdp()[k], 1e-12 * once.rdp()[k]);
  EXPECT_EQ(single.total_steps(), 500);
  ASSERT_EQ(single.history().size(), 1u);  // consecutive identical steps merge
  EXPECT_EQ(single.history()[0].steps, 500);

  double prev = 0;
  for (long long t : {1, 10, 100, 1000, 10000}) {
    double e = doppel::compute_epsilon(0.01, 1.0, t, 1e-5);
    EXPECT_GT(e, prev) << t;
    prev = e;
  }

  // Mixed sampling rates: RDP adds per order.
  mixed_a.step(0.01, 1.0, 300);
  mixed_b.step(0.05, 2.0, 70);
  mixed.step(0.01, 1.0, 100);
  mixed.step(0.05, 2.0, 70);
  mixed.step(0.01, 1.0, 200);
  for (size_t k = 0; k < mixed.rdp().size(); ++k)
    EXPECT_NEAR(mixed.rdp()[k], mixed_a.rdp()[k] + mixed_b.rdp()[k], 1e-12 * mixed.rdp()[k]);
  EXPECT_EQ(mixed.history().size(), 3u);
  EXPECT_GT(mixed.epsilon(1e-5), mixed_a.epsilon(1e-5));
  EXPECT_EQ(mixed.total_steps(), 370);
}

TEST(RdpAccountant, TwoMechanismsOnOneSampleAreSigmaOverSqrt2) {
  // Full batch: two Gaussian mechanisms of σ on the same data are exactly one of σ/√2.
  RdpAccountant two, joint;
  two.step(1.0, 2.0, 2);
  joint.step(1.0, 2.0 / std::sqrt(2.0), 1);
  for (size_t k = 0; k < two.rdp().size(); ++k) EXPECT_NEAR(two.rdp()[k], joint.rdp()[k], 1e-14 * two.rdp()[k]);
  // Subsampled: treating them as two independently sampled steps would undercount.
  RdpAccountant independent, same_sample;
  independent.step(0.01, 1.0, 2000);
  same_sample.step(0.01, 1.0 / std::sqrt(2.0), 1000);
  EXPECT_GT(same_sample.epsilon(1e-5), independent.epsilon(1e-5));
}

TEST(RdpAccountant, EdgeOrderWarning) {
  RdpAccountant edge, inner;
  edge.step(0.01, 4.0, 100);  // reference row: best α = 63, the largest order
  inner.step(0.01, 1.0, 1000);
  EXPECT_TRUE(edge.best_order_at_edge(1e-5));
  EXPECT_NE(edge.edge_warning(1e-5).find("largest"), std::string::npos) << edge.edge_warning(1e-5);
  EXPECT_FALSE(inner.best_order_at_edge(1e-5));
  EXPECT_EQ(inner.edge_warning(1e-5), "");
  RdpAccountant small;
  small.step(0.1, 0.5, 10000);  // best α = 1.1, the smallest
  EXPECT_NE(small.edge_warning(1e-5).find("smallest"), std::string::npos);
}

TEST(RdpAccountant, BadArgumentsThrow) {
  RdpAccountant acc;
  EXPECT_NE(error_of([&] { acc.epsilon(0.0); }).find("delta"), std::string::npos);
  EXPECT_NE(error_of([&] { acc.epsilon(1.0); }).find("delta"), std::string::npos);
  EXPECT_NE(error_of([&] { acc.epsilon(-1e-5); }).find("delta"), std::string::npos);
  EXPECT_NE(error_of([&] { acc.step(1.5, 1.0); }).find("sampling rate"), std::string::npos);
  EXPECT_NE(error_of([&] { acc.step(-0.1, 1.0); }).find("sampling rate"), std::string::npos);
  EXPECT_NE(error_of([&] { acc.step(0.1, 0.0); }).find("sigma"), std::string::npos);
  EXPECT_NE(error_of([&] { acc.step(0.1, -1.0); }).find("sigma"), std::string::npos);
  EXPECT_NE(error_of([&] { acc.step(0.1, NAN); }).find("sigma"), std::string::npos);
  EXPECT_NE(error_of([&] { acc.step(0.1, 1.0, -1); }).find("steps"), std::string::npos);
  EXPECT_NE(error_of([] { RdpAccountant bad({0.5, 2.0}); }).find("order"), std::string::npos);
  EXPECT_NE(error_of([] { RdpAccountant bad({2.0, 2.0}); }).find("twice"), std::string::npos);
  EXPECT_EQ(acc.total_steps(), 0);  // failed calls changed nothing
  for (double r : acc.rdp()) EXPECT_EQ(r, 0.0);
}

TEST(RdpAccountant, CustomOrders) {
  RdpAccountant acc({2.0, 8.0, 32.0});
  acc.step(0.01, 1.0, 1000);
  double alpha = 0;
  double e = acc.epsilon(1e-5, &alpha);
  EXPECT_EQ(alpha, 8.0);
  EXPECT_NEAR(e, doppel::rdp_to_epsilon(1000 * doppel::subsampled_gaussian_rdp(0.01, 1.0, 8.0), 8.0, 1e-5), 1e-12);
  EXPECT_GE(e, doppel::compute_epsilon(0.01, 1.0, 1000, 1e-5));  // fewer orders: no tighter
}

TEST(RdpAccountant, JsonRoundTripIsExact) {
  RdpAccountant acc({1.5, 2.0, 7.3, 63.0});
  acc.step(0.013, 0.91, 12345);
  acc.step(0.1, 1.0 / 3.0, 7);
  acc.step(1.0, 1e-200, 1);  // RDP overflows to +inf: must survive too
  RdpAccountant back = RdpAccountant::from_json(acc.to_json());
  ASSERT_EQ(back.orders().size(), acc.orders().size());
  for (size_t k = 0; k < acc.orders().size(); ++k) {
    EXPECT_EQ(std::memcmp(&back.orders()[k], &acc.orders()[k], sizeof(double)), 0);
    EXPECT_EQ(std::memcmp(&back.rdp()[k], &acc.rdp()[k], sizeof(double)), 0) << k;
  }
  EXPECT_EQ(back.total_steps(), acc.total_steps());
  ASSERT_EQ(back.history().size(), 3u);
  EXPECT_EQ(back.history()[1].sigma, 1.0 / 3.0);
  EXPECT_EQ(back.to_json(), acc.to_json());

  RdpAccountant def;
  def.step(0.01, 1.1, 999);
  RdpAccountant def_back = RdpAccountant::from_json(def.to_json());
  EXPECT_EQ(def_back.epsilon(1e-5), def.epsilon(1e-5));
  def_back.step(0.01, 1.1, 1);  // resuming continues the same composition
  def.step(0.01, 1.1, 1);
  EXPECT_EQ(def_back.epsilon(1e-5), def.epsilon(1e-5));
}

TEST(RdpAccountant, BadJsonIsNamed) {
  EXPECT_NE(error_of([] { RdpAccountant::from_json("{"); }).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of([] { RdpAccountant::from_json("{}"); }).find("format"), std::string::npos);
  std::string good = RdpAccountant().to_json();
  std::string no_hist = good.substr(0, good.find("\"history\"")) + "\"x\": 0, " +
                        good.substr(good.find("\"orders\""));
  EXPECT_NE(error_of([&] { RdpAccountant::from_json(no_hist); }).find("history"), std::string::npos) << no_hist;
  RdpAccountant acc({2.0, 3.0});
  std::string s = acc.to_json();
  s.replace(s.find("\"rdp\""), 5, "\"rdq\"");
  EXPECT_NE(error_of([&] { RdpAccountant::from_json(s); }).find("'rdp'"), std::string::npos);
}

TEST(SigmaCalibration, ReproducesReadmeTable) {
  // shared/privacy/README.md: q = 0.01, 10,000 steps, δ = 1e-5.
  const std::vector<std::pair<double, double>> table = {
      {0.5, 7.8125}, {1, 4.140625}, {2, 2.28515625}, {4, 1.35986328125}, {8, 0.9173583984375}};
  for (const auto& [target, sigma] : table) {
    double got = doppel::calibrate_sigma(0.01, 10000, 1e-5, target);
    EXPECT_EQ(got, sigma) << "target " << target;
    double eps = doppel::compute_epsilon(0.01, got, 10000, 1e-5);
    EXPECT_LE(eps, target);
    EXPECT_GE(eps, target - 0.01 - 1e-12);
  }
}

TEST(SigmaCalibration, UnreachableTargetsThrow) {
  EXPECT_NE(error_of([] { doppel::calibrate_sigma(0.01, 1000, 1e-5, 0.0); }).find("target epsilon"),
            std::string::npos);
  EXPECT_NE(error_of([] { doppel::calibrate_sigma(0.01, 1000, 1e-5, -1.0); }).find("target epsilon"),
            std::string::npos);
  // Below the conversion's floor (≈ 0.103 at δ = 1e-5 for these orders) no σ works.
  EXPECT_NE(error_of([] { doppel::calibrate_sigma(0.01, 1000, 1e-5, 0.05); }).find("unreachable"),
            std::string::npos);
  EXPECT_NE(error_of([] { doppel::calibrate_sigma(0.0, 1000, 1e-5, 1.0); }).find("sampling rate"),
            std::string::npos);
  EXPECT_NE(error_of([] { doppel::calibrate_sigma(0.01, 0, 1e-5, 1.0); }).find("steps"), std::string::npos);
  EXPECT_NE(error_of([] { doppel::calibrate_sigma(0.01, 1000, 2.0, 1.0); }).find("delta"), std::string::npos);
}
