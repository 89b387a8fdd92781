// Per-example gradients, clipping, noise and Poisson sampling of the privacy engine, each
// against an independent computation (one autograd backward per example; sample moments).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "doppel/error.hpp"
#include "doppel/model/discriminator.hpp"
#include "doppel/privacy/per_example_gradients.hpp"
#include "doppel/privacy/privacy_engine.hpp"

using namespace doppel;

namespace {

// Naive: example i's gradient of loss_sign · Σ_k D_k(x_k[i]) by its own backward pass,
// flattened per critic in parameter order.
std::vector<torch::Tensor> naive_per_example(std::vector<Discriminator>& critics, const std::vector<torch::Tensor>& xs,
                                             int64_t i, double sign) {
  std::vector<torch::Tensor> per_critic;
  for (size_t k = 0; k < critics.size(); ++k) {
    critics[k]->zero_grad();
    auto out = sign * critics[k]->forward(xs[k].narrow(0, i, 1)).sum();
    out.backward();
    std::vector<torch::Tensor> parts;
    for (auto& p : critics[k]->parameters()) parts.push_back(p.grad().reshape(-1).clone());
    per_critic.push_back(torch::cat(parts));
  }
  return per_critic;
}

PrivacyOptions options(double clip, bool joint, std::vector<double> groups = {}) {
  PrivacyOptions o;
  o.clip_norm = clip;
  o.joint_clipping = joint;
  o.group_clip_norms = std::move(groups);
  o.noise_multiplier = 1.5;
  return o;
}

std::vector<torch::Tensor> flatten_per_critic(const std::vector<torch::Tensor>& params, std::vector<size_t> counts) {
  std::vector<torch::Tensor> out;
  size_t at = 0;
  for (size_t n : counts) {
    std::vector<torch::Tensor> parts;
    for (size_t j = 0; j < n; ++j) parts.push_back(params[at + j].reshape(-1));
    out.push_back(torch::cat(parts));
    at += n;
  }
  return out;
}

struct Fixture {
  std::vector<Discriminator> critics;
  std::vector<torch::Tensor> xs;
  Fixture(int64_t B) {
    torch::manual_seed(5);
    critics = {Discriminator(9, 6, 2), Discriminator(4, 5, 1)};
    xs = {torch::randn({B, 9}), torch::randn({B, 4})};
  }
  std::vector<torch::nn::Module*> modules() { return {critics[0].ptr().get(), critics[1].ptr().get()}; }
};

}  // namespace

TEST(DpPerExample, MatchesOneBackwardPerExample) {
  Fixture f(7);
  for (double sign : {-1.0, 1.0}) {
    for (size_t k = 0; k < 2; ++k) {
      auto layers = mlp_linear_layers(*f.critics[k]);
      ASSERT_EQ(layers.size(), k == 0 ? 3u : 2u);
      auto trace = trace_mlp(layers, f.xs[k], sign);
      EXPECT_TRUE(torch::allclose(trace.output, f.critics[k]->forward(f.xs[k]), 1e-5, 1e-6));
      for (int64_t i = 0; i < 7; ++i) {
        auto naive = naive_per_example(f.critics, f.xs, i, sign)[k];
        std::vector<torch::Tensor> parts;
        for (size_t l = 0; l < layers.size(); ++l)
          for (auto& t : layer_per_example(trace, l)) parts.push_back(t[i].reshape(-1));
        auto fast = torch::cat(parts);
        ASSERT_EQ(fast.numel(), naive.numel());
        EXPECT_TRUE(torch::allclose(fast, naive, 1e-5, 1e-6)) << "critic " << k << " example " << i;
        // the norm shortcut ||g||²(||a||² + 1) agrees with the materialised gradient
        double sq = 0;
        for (size_t l = 0; l < layers.size(); ++l) sq += layer_sq_norms(trace, l)[i].item<double>();
        EXPECT_NEAR(sq, naive.pow(2).sum().item<double>(), 1e-5 * (1 + sq));
      }
    }
  }
}

TEST(DpPerExample, RejectsNonMlpModules) {
  torch::nn::Sequential s(torch::nn::Linear(3, 4), torch::nn::Tanh(), torch::nn::Linear(4, 1));
  EXPECT_THROW(mlp_linear_layers(*s), Error);
  torch::nn::Sequential two_out(torch::nn::Linear(3, 4), torch::nn::ReLU(), torch::nn::Linear(4, 2));
  EXPECT_THROW(mlp_linear_layers(*two_out), Error);
}

// Clipped sums against naive clipping of the naive per-example gradients, for every mode.
TEST(DpPerExample, ClippedSumMatchesNaiveClipping) {
  const int64_t B = 6;
  Fixture f(B);
  const std::vector<size_t> counts{6, 4};  // parameters per critic
  struct Mode {
    PrivacyOptions o;
    const char* name;
  };
  std::vector<Mode> modes{{options(0.05, true), "joint"},
                          {options(0.05, false), "per critic"},
                          {options(1, true, {0.02, 0.05, 1e3, 0.03, 0.01}), "per layer"}};
  for (auto& m : modes) {
    PrivacyEngine engine(m.o, f.modules(), 0.1, 10, 7);
    torch::Tensor norms;
    auto fast = flatten_per_critic(engine.clipped_gradient_sum(f.xs, -1.0, &norms), counts);
    std::vector<torch::Tensor> expect{torch::zeros_like(fast[0]), torch::zeros_like(fast[1])};
    for (int64_t i = 0; i < B; ++i) {
      auto g = naive_per_example(f.critics, f.xs, i, -1.0);
      // split the example's gradient into the engine's groups, clip each, add
      std::vector<std::vector<torch::Tensor>> pieces(2);  // per critic: per-layer flat pieces
      std::vector<int> group_of_piece;
      int layer = 0;
      std::vector<double> sq(engine.group_bounds().size(), 0.0);
      std::vector<std::vector<int>> piece_group(2);
      for (size_t k = 0; k < 2; ++k) {
        int64_t off = 0;
        for (size_t p = 0; p < counts[k]; p += 2, ++layer) {
          auto w = f.critics[k]->parameters()[p].numel(), b = f.critics[k]->parameters()[p + 1].numel();
          auto piece = g[k].narrow(0, off, w + b);
          off += w + b;
          pieces[k].push_back(piece);
          int grp = engine.layer_groups()[layer];
          piece_group[k].push_back(grp);
          sq[grp] += piece.pow(2).sum().item<double>();
        }
      }
      for (size_t grp = 0; grp < sq.size(); ++grp)
        EXPECT_NEAR(norms[i][grp].item<double>(), std::sqrt(sq[grp]), 1e-5) << m.name;
      for (size_t k = 0; k < 2; ++k) {
        std::vector<torch::Tensor> clipped;
        for (size_t j = 0; j < pieces[k].size(); ++j) {
          int grp = piece_group[k][j];
          double c = std::min(1.0, engine.group_bounds()[grp] / (std::sqrt(sq[grp]) + 1e-6));
          clipped.push_back(pieces[k][j] * c);
        }
        expect[k] += torch::cat(clipped);
      }
    }
    for (size_t k = 0; k < 2; ++k) EXPECT_TRUE(torch::allclose(fast[k], expect[k], 1e-4, 1e-6)) << m.name;
  }
}

// One example at a time: the clipped gradient never exceeds the bound of its group, and a
// gradient already inside the bound is left unchanged.
TEST(DpPerExample, ClippingBoundRespected) {
  const int64_t B = 20;
  Fixture f(B);
  for (double clip : {1e-3, 0.1, 1e3}) {
    PrivacyEngine joint(options(clip, true), f.modules(), 0.1, 10, 7);
    PrivacyEngine separate(options(clip, false), f.modules(), 0.1, 10, 7);
    for (int64_t i = 0; i < B; ++i) {
      std::vector<torch::Tensor> one{f.xs[0].narrow(0, i, 1), f.xs[1].narrow(0, i, 1)};
      torch::Tensor norms;
      auto j = flatten_per_critic(joint.clipped_gradient_sum(one, -1.0, &norms), {6, 4});
      const double total = torch::cat(j).norm().item<double>();
      EXPECT_LE(total, clip * (1 + 1e-5));
      if (norms[0][0].item<double>() < clip) {
        EXPECT_NEAR(total, norms[0][0].item<double>(), 1e-5 * (1 + total));
      } else {
        EXPECT_NEAR(total, clip, 1e-4 * clip);  // a larger gradient is clipped onto the bound
      }
      auto s = flatten_per_critic(separate.clipped_gradient_sum(one, -1.0), {6, 4});
      for (auto& part : s) EXPECT_LE(part.norm().item<double>(), clip * (1 + 1e-5));
    }
  }
}

// Noise std σ·√k·C_l per coordinate (k groups), measured over ~10^5 draws with a fixed seed.
TEST(DpPerExample, NoiseStdIsSigmaTimesBound) {
  Fixture f(1);
  struct Case {
    PrivacyOptions o;
    std::vector<double> expect_per_param;  // std of each parameter tensor's noise
  };
  auto o1 = options(0.7, true);
  auto o2 = options(0.7, false);
  auto o3 = options(1, true, {0.1, 0.2, 0.3, 0.4, 0.5});
  const double s = 1.5;
  std::vector<Case> cases{
      {o1, std::vector<double>(10, s * 0.7)},
      {o2, std::vector<double>(10, s * std::sqrt(2.0) * 0.7)},
      {o3, {}},
  };
  for (double b : {0.1, 0.2, 0.3, 0.4, 0.5}) {
    cases[2].expect_per_param.push_back(s * std::sqrt(5.0) * b);
    cases[2].expect_per_param.push_back(s * std::sqrt(5.0) * b);
  }
  for (auto& c : cases) {
    PrivacyEngine engine(c.o, f.modules(), 0.1, 10, 11);
    std::vector<std::vector<torch::Tensor>> draws(10);
    for (int r = 0; r < 2000; ++r) {
      auto n = engine.draw_noise();
      for (size_t p = 0; p < n.size(); ++p) draws[p].push_back(n[p].reshape(-1));
    }
    // Group parameters by expected std, pool their draws and compare sample moments.
    for (size_t p = 0; p < 10; p += 2) {
      auto all = torch::cat({torch::cat(draws[p]), torch::cat(draws[p + 1])}).to(torch::kDouble);
      const double sd = all.std().item<double>(), mean = all.mean().item<double>();
      const double n = double(all.numel());
      // std error of the sample std ≈ sd/√(2n); allow 5 of them plus nothing else.
      EXPECT_NEAR(sd, c.expect_per_param[p], 5 * c.expect_per_param[p] / std::sqrt(2 * n)) << "param " << p;
      EXPECT_NEAR(mean, 0.0, 5 * c.expect_per_param[p] / std::sqrt(n));
    }
  }
}

TEST(DpPerExample, PoissonSampleRateAndShards) {
  Fixture f(1);
  const double q = 0.03;
  const int64_t N = 20000;
  PrivacyEngine whole(options(1, true), f.modules(), q, 10, 99), rank0(options(1, true), f.modules(), q, 10, 99),
      rank1(options(1, true), f.modules(), q, 10, 99);
  double total = 0;
  const int rounds = 20;
  for (int r = 0; r < rounds; ++r) {
    auto all = whole.poisson_sample(N, 0, N);
    auto a = rank0.poisson_sample(N, 0, N / 2), b = rank1.poisson_sample(N, N / 2, N);
    a.insert(a.end(), b.begin(), b.end());
    EXPECT_EQ(all, a);  // the shards' union is the one global Poisson sample
    total += double(all.size());
  }
  // E = q·N per round; binomial sd √(N q (1-q)) per round.
  const double expect = q * N * rounds, sd = std::sqrt(N * q * (1 - q) * rounds);
  EXPECT_NEAR(total, expect, 5 * sd);
}

TEST(DpPerExample, ConfigErrorsNameTheKey) {
  Fixture f(1);
  auto bad = options(1, true, {0.1, 0.2});  // 2 bounds for 5 layers
  try {
    PrivacyEngine e(bad, f.modules(), 0.1, 10, 3);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("group_clip_norms"), std::string::npos) << e.what();
  }
  EXPECT_THROW(PrivacyEngine(options(1, true), f.modules(), 0.0, 10, 3), Error);
}
