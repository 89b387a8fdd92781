// DoppelGANger networks, model-space conversion and WGAN-GP against independent references.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

#include "doppel/config/config.hpp"
#include "doppel/error.hpp"
#include "doppel/model/attribute_generator.hpp"
#include "doppel/model/example_random.hpp"
#include "doppel/model/generator.hpp"
#include "doppel/model/model_space.hpp"
#include "doppel/model/output_activation.hpp"
#include "doppel/model/packing.hpp"
#include "doppel/model/wgan_gp.hpp"
#include "synthetic_source.hpp"

using namespace doppel;

namespace {

using doppel_test::test_column;

// Attributes: categorical(3) + zero_one; features: zero_one, minusone_one, categorical(3).
Schema mixed_schema(int64_t L = 12) {
  Schema s;
  s.kind = "sequences";
  s.max_len = L;
  s.attributes = {test_column("kind", Role::Attribute, Encoding::Categorical, 3),
                  test_column("size", Role::Attribute, Encoding::ZeroOne)};
  s.features = {test_column("u", Role::Feature, Encoding::ZeroOne),
                test_column("v", Role::Feature, Encoding::MinusOneOne),
                test_column("cat", Role::Feature, Encoding::Categorical, 3)};
  return s;
}

ModelOptions small_options() {
  ModelOptions o;
  o.attribute_units = o.minmax_units = 16;
  o.lstm_units = 16;
  o.disc_units = o.attr_disc_units = 16;
  o.disc_layers = o.attr_disc_layers = 2;
  o.sample_len = 3;
  return o;
}

// Two attribute generators with the same weights (same seed) and different output options.
std::pair<AttributeGenerator, AttributeGenerator> twin_attribute_generators(const ModelOptions& a, const ModelOptions& b) {
  auto layout = ModelLayout::from(mixed_schema(), a);
  torch::manual_seed(3);
  AttributeGenerator first(layout, a);
  torch::manual_seed(3);
  AttributeGenerator second(layout, b);
  return {first, second};
}

// A valid encoded batch: one-hot discrete values, continuous in range, zeros after lengths.
Batch random_batch(const Schema& s, int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u01(0, 1);
  Batch b;
  b.n = n;
  b.L = s.max_len;
  b.A = int64_t(s.attribute_width());
  b.F = int64_t(s.feature_width());
  b.attributes.assign(n * b.A, 0.0f);
  b.features.assign(n * b.L * b.F, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    float* a = b.attributes.data() + i * b.A;
    a[rng() % 3] = 1.0f;
    a[3] = u01(rng);
    int32_t len = int32_t(1 + rng() % b.L);
    b.lengths.push_back(len);
    b.split.push_back(0);
    b.start_time.push_back(0);
    b.index.push_back(i);
    for (int32_t t = 0; t < len; ++t) {
      float* f = b.features.data() + (i * b.L + t) * b.F;
      f[0] = u01(rng);
      f[1] = 2 * u01(rng) - 1;
      f[2 + rng() % 3] = 1.0f;
    }
  }
  return b;
}

}  // namespace

TEST(ModelLayout, WidthsForMixedSchema) {
  auto layout = ModelLayout::from(mixed_schema(), small_options());
  EXPECT_EQ(layout.A, 4);
  EXPECT_EQ(layout.M, 4);  // two continuous features × (mid, half)
  EXPECT_EQ(layout.F, 5);
  EXPECT_EQ(layout.step_width(), 7);
  EXPECT_EQ(layout.cells, 4);
  auto o = small_options();
  o.sample_len = 5;
  EXPECT_THROW(ModelLayout::from(mixed_schema(), o), Error);
  o.sample_len = 3;
  o.use_minmax = false;
  EXPECT_EQ(ModelLayout::from(mixed_schema(), o).M, 0);
}

TEST(Generator, OutputShapesAndRanges) {
  torch::manual_seed(1);
  auto o = small_options();
  auto layout = ModelLayout::from(mixed_schema(), o);
  Generator g(layout, o);
  auto gen = make_cpu_generator(7);
  auto noise = draw_generator_noise(gen, layout, o, 6, 0, 6);
  auto out = g->forward(noise);
  ASSERT_EQ(out.attributes.sizes(), (std::vector<int64_t>{6, 8}));
  ASSERT_EQ(out.features.sizes(), (std::vector<int64_t>{6, 12, 7}));
  // categorical attribute is a distribution; continuous ones in range
  auto cat = out.attributes.narrow(1, 0, 3).sum(1);
  EXPECT_TRUE(torch::allclose(cat, torch::ones({6}), 1e-5, 1e-5));
  EXPECT_GE(out.attributes.narrow(1, 0, 4).min().item<float>(), 0.0f);
  EXPECT_GE(out.features.select(2, 1).min().item<float>(), -1.0f);
  // critics take them
  Discriminator d(12 * 7 + 8, 16, 2), da(8, 16, 2);
  EXPECT_EQ(d->forward(feature_critic_input(out.features, out.attributes, 1)).sizes(),
            (std::vector<int64_t>{6}));
  EXPECT_EQ(da->forward(out.attributes).sizes(), (std::vector<int64_t>{6}));
  // conditional: given attributes are passed through
  auto given = torch::zeros({6, 4});
  given.select(1, 1).fill_(1.0f);
  given.select(1, 3).fill_(0.25f);
  auto cond = g->forward(noise, given);
  EXPECT_TRUE(torch::equal(cond.attributes.narrow(1, 0, 4), given));
}

TEST(Generator, StraightThroughAttributesAreOneHotWithSoftmaxGradients) {
  auto o = small_options(), st = o;
  st.attribute_straight_through = true;
  auto [soft, hard] = twin_attribute_generators(o, st);
  auto noise = torch::randn({8, o.attribute_noise_dim});
  auto s = soft->forward(noise), h = hard->forward(noise);
  // Forward: the categorical block is the one-hot of the softmax's argmax; continuous unchanged.
  auto cat_s = s.narrow(1, 0, 3), cat_h = h.narrow(1, 0, 3);
  EXPECT_TRUE(torch::equal(cat_h, torch::one_hot(cat_s.argmax(1), 3).to(torch::kFloat)));
  EXPECT_TRUE(torch::allclose(h.narrow(1, 3, 1), s.narrow(1, 3, 1)));
  // Backward: the same gradients as the softmax output (straight-through estimator).
  auto w = torch::randn({8, 4});
  (s * w).sum().backward();
  (h * w).sum().backward();
  auto ps = soft->parameters(), ph = hard->parameters();
  ASSERT_EQ(ps.size(), ph.size());
  for (size_t i = 0; i < ps.size(); ++i) EXPECT_TRUE(torch::allclose(ps[i].grad(), ph[i].grad(), 1e-6, 1e-6)) << i;
}

TEST(Generator, GumbelAttributesAreTemperedSoftmaxOfLogitsPlusGumbelNoise) {
  auto o = small_options(), g_o = o;
  g_o.attribute_gumbel = true;
  g_o.gumbel_tau = 0.5;
  auto [soft, gumbel] = twin_attribute_generators(o, g_o);
  auto noise = torch::randn({8, o.attribute_noise_dim});
  auto u = torch::rand({8, 4});
  auto s = soft->forward(noise), g = gumbel->forward(noise, u);
  // Independent reference: softmax((log p + G) / tau) with p the plain softmax output and
  // G = -log(-log u) (log p differs from the logits by a per-row constant, which softmax ignores).
  auto G = -torch::log(-torch::log(u.narrow(1, 0, 3)));
  auto expected = torch::softmax((torch::log(s.narrow(1, 0, 3)) + G) / 0.5, 1);
  EXPECT_TRUE(torch::allclose(g.narrow(1, 0, 3), expected, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(g.narrow(1, 3, 1), s.narrow(1, 3, 1)));  // continuous: no noise, no temperature
  // The argmax is a draw from the softmax (Gumbel-max): one noise row, 20,000 Gumbel draws.
  const int64_t n = 20000;
  torch::NoGradGuard ng;
  auto rows = noise.narrow(0, 0, 1).expand({n, o.attribute_noise_dim});
  auto picks = gumbel->forward(rows, torch::rand({n, 4})).narrow(1, 0, 3).argmax(1);
  auto p = s[0].narrow(0, 0, 3);
  for (int64_t k = 0; k < 3; ++k) {
    double freq = picks.eq(k).sum().item<double>() / double(n);
    EXPECT_NEAR(freq, p[k].item<double>(), 0.015) << "category " << k;
  }
  // Without its uniform noise the Gumbel generator refuses to run.
  EXPECT_THROW(gumbel->forward(noise), Error);
  EXPECT_THROW(gumbel->forward(noise, torch::rand({8, 3})), Error);
}

TEST(Generator, HardGumbelAttributesAreOneHotDrawsWithTheSoftGumbelGradients) {
  auto o = small_options();
  o.attribute_gumbel = true;
  auto h_o = o;
  h_o.attribute_straight_through = true;  // model.attribute_output = "gumbel_hard"
  auto [soft, hard] = twin_attribute_generators(o, h_o);
  auto noise = torch::randn({8, o.attribute_noise_dim});
  auto u = torch::rand({8, 4});
  auto s = soft->forward(noise, u), h = hard->forward(noise, u);
  // Forward: exactly the one-hot of the Gumbel-softmax's argmax (the critics see what real rows look like).
  EXPECT_TRUE(torch::equal(h.narrow(1, 0, 3), torch::one_hot(s.narrow(1, 0, 3).argmax(1), 3).to(torch::kFloat)));
  EXPECT_TRUE(torch::allclose(h.narrow(1, 3, 1), s.narrow(1, 3, 1)));
  // Backward: the soft Gumbel-softmax's gradients.
  auto w = torch::randn({8, 4});
  (s * w).sum().backward();
  (h * w).sum().backward();
  auto ps = soft->parameters(), ph = hard->parameters();
  for (size_t i = 0; i < ps.size(); ++i) EXPECT_TRUE(torch::allclose(ps[i].grad(), ph[i].grad(), 1e-6, 1e-6)) << i;
}

TEST(Generator, GumbelNoiseIsDrawnLastSoTheOtherNoiseIsUnchanged) {
  auto o = small_options();
  auto layout = ModelLayout::from(mixed_schema(), o);
  auto r1 = make_cpu_generator(5), r2 = make_cpu_generator(5);
  auto plain = draw_generator_noise(r1, layout, o, 6, 0, 6);
  o.attribute_gumbel = true;
  auto with = draw_generator_noise(r2, layout, o, 6, 0, 6);
  EXPECT_FALSE(plain.gumbel.defined());
  ASSERT_TRUE(with.gumbel.defined());
  EXPECT_EQ(with.gumbel.sizes(), (std::vector<int64_t>{6, layout.A}));
  EXPECT_TRUE(torch::equal(plain.attribute, with.attribute));
  EXPECT_TRUE(torch::equal(plain.feature, with.feature));
  // The whole generator runs with it (attributes near one-hot at tau 0.2, rows still sum to 1).
  torch::manual_seed(1);
  Generator g(layout, o);
  auto out = g->forward(with);
  EXPECT_TRUE(torch::allclose(out.attributes.narrow(1, 0, 3).sum(1), torch::ones({6}), 1e-5, 1e-5));
  // A slice of a global batch gets the slice of the global noise (data-parallel equivalence).
  auto r3 = make_cpu_generator(5);
  auto part = draw_generator_noise(r3, layout, o, 6, 2, 3);
  EXPECT_TRUE(torch::equal(part.gumbel, with.gumbel.narrow(0, 2, 3)));
}

TEST(Generator, AutoregressiveAttributesDrawEachColumnGivenTheColumnsBeforeIt) {
  auto o = small_options();
  o.attribute_autoregressive = true;
  o.attribute_gumbel = o.attribute_straight_through = true;  // gumbel_hard
  o.gumbel_tau = 0.5;
  auto layout = ModelLayout::from(mixed_schema(), o);  // attributes: categorical(3), zero_one
  torch::manual_seed(4);
  AttributeGenerator g(layout, o);
  auto P = g->named_parameters();
  EXPECT_FALSE(P.contains("mlp.0.weight"));
  // Independent reference from the weights: three ReLU layers, then block 0 (the one-hot draw
  // of a Gumbel-softmax) from the hidden layer, then block 1 (sigmoid) from the hidden layer
  // and block 0's draw.
  auto noise = torch::randn({64, o.attribute_noise_dim});
  auto u = torch::rand({64, 4});
  auto h = noise;
  for (int i = 0; i < 3; ++i)
    h = torch::relu(torch::nn::functional::linear(h, P["trunk." + std::to_string(2 * i) + ".weight"],
                                                  P["trunk." + std::to_string(2 * i) + ".bias"]));
  auto l0 = torch::nn::functional::linear(h, P["heads.0.weight"], P["heads.0.bias"]);
  auto a0 = torch::one_hot((l0 - torch::log(-torch::log(u.narrow(1, 0, 3)))).argmax(1), 3).to(torch::kFloat);
  auto a1 = torch::sigmoid(torch::nn::functional::linear(torch::cat({h, a0}, 1), P["heads.1.weight"], P["heads.1.bias"]));
  auto out = g->forward(noise, u);
  EXPECT_TRUE(torch::equal(out.narrow(1, 0, 3), a0));
  EXPECT_TRUE(torch::allclose(out.narrow(1, 3, 1), a1, 1e-5, 1e-5));
  // Block 1 depends on block 0's draw: redrawing block 0 alone (other Gumbel noise in its
  // columns) changes block 1 exactly in the rows whose draw changed.
  auto u2 = u.clone();
  u2.narrow(1, 0, 3).copy_(torch::rand({64, 3}));
  auto out2 = g->forward(noise, u2);
  auto redrawn = out2.narrow(1, 0, 3).argmax(1).ne(out.narrow(1, 0, 3).argmax(1));
  ASSERT_GT(redrawn.sum().item<int64_t>(), 0);
  EXPECT_TRUE(torch::equal(out2.select(1, 3).ne(out.select(1, 3)), redrawn));
  // The gradient of block 1 reaches block 0's output layer through the draw (straight-through).
  out.narrow(1, 3, 1).sum().backward();
  EXPECT_GT(P["heads.0.weight"].grad().abs().sum().item<double>(), 0);
  // Without hidden layers the output layers see the noise itself.
  auto o0 = o;
  o0.attribute_layers = 0;
  AttributeGenerator g0(layout, o0);
  EXPECT_EQ(g0->named_parameters()["heads.1.weight"].size(1), o.attribute_noise_dim + 3);
  EXPECT_EQ(g0->forward(noise, u).sizes(), out.sizes());
}

TEST(ModelOptions, ReadsAndValidatesTheModelSection) {
  auto o = ModelOptions::from_config(Config::parse("[model]\nlstm_units = 7\nattribute_output = \"straight_through\"\n", "m.toml"));
  EXPECT_EQ(o.lstm_units, 7);
  EXPECT_TRUE(o.attribute_straight_through);
  EXPECT_FALSE(ModelOptions::from_config(Config::parse("", "m.toml")).attribute_straight_through);
  auto g = ModelOptions::from_config(Config::parse("[model]\nattribute_output = \"gumbel\"\ngumbel_tau = 0.5\n", "m.toml"));
  EXPECT_TRUE(g.attribute_gumbel);
  EXPECT_FALSE(g.attribute_straight_through);
  EXPECT_DOUBLE_EQ(g.gumbel_tau, 0.5);
  auto gh = ModelOptions::from_config(Config::parse("[model]\nattribute_output = \"gumbel_hard\"\n", "m.toml"));
  EXPECT_TRUE(gh.attribute_gumbel);
  EXPECT_TRUE(gh.attribute_straight_through);
  EXPECT_DOUBLE_EQ(gh.gumbel_tau, 0.2);
  EXPECT_FALSE(gh.attribute_autoregressive);
  EXPECT_TRUE(ModelOptions::from_config(Config::parse("[model]\nattribute_autoregressive = true\n", "m.toml"))
                  .attribute_autoregressive);
  auto fo = ModelOptions::from_config(
      Config::parse("[model]\nfeature_output = \"interpolated\"\nfeature_head_units = 9\n", "m.toml"));
  EXPECT_TRUE(fo.interpolated_feature_output);
  EXPECT_EQ(fo.feature_head_units, 9);
  for (const char* bad : {"[model]\nattribute_output = \"gumbel_soft\"\n", "[model]\nlstm_units = 0\n",
                          "[model]\ngumbel_tau = 0.0\n",
                          "[model]\nfeature_output = \"steps\"\n", "[model]\nfeature_head_units = 0\n"}) {
    try {
      ModelOptions::from_config(Config::parse(bad, "m.toml"));
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("m.toml"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("model."), std::string::npos) << e.what();
    }
  }
}

// The interpolated output against a direct computation: each LSTM cell state mapped to a step
// state, those linearly interpolated with the first cell at step 0 and the last at step L-1,
// then a ReLU, the shared output layer and the output activations.
TEST(FeatureGenerator, InterpolatedOutputMatchesADirectComputation) {
  torch::manual_seed(5);
  auto o = small_options();  // L = 12, sample_len 3: 4 cells
  o.interpolated_feature_output = true;
  o.feature_head_units = 6;
  auto layout = ModelLayout::from(mixed_schema(), o);
  FeatureGenerator fg(layout, o);
  torch::NoGradGuard no_grad;
  auto attributes = torch::rand({2, layout.all_attribute_width()});
  auto noise = torch::randn({2, layout.cells, o.feature_noise_dim});
  auto got = fg->forward(attributes, noise);

  auto children = fg->named_children();
  auto lstm = children["lstm"]->as<torch::nn::LSTM>();
  auto step_state = children["step_state"]->as<torch::nn::Linear>();
  auto out = children["out"]->as<torch::nn::Linear>();
  auto input = torch::cat({attributes.unsqueeze(1).expand({2, layout.cells, attributes.size(1)}), noise}, 2);
  auto cell_states = step_state->forward(std::get<0>(lstm->forward(input)));  // [2, 4, 6]
  std::vector<torch::Tensor> steps;
  for (int64_t t = 0; t < layout.L; ++t) {
    const double at = double(t) * double(layout.cells - 1) / double(layout.L - 1);  // 3/11 cells a step
    const int64_t i = std::min<int64_t>(int64_t(at), layout.cells - 2);
    const double w = at - double(i);
    auto state = cell_states.select(1, i) * (1 - w) + cell_states.select(1, i + 1) * w;
    steps.push_back(out->forward(torch::relu(state)));
  }
  auto expected = activate_and_mask_steps(torch::stack(steps, 1), layout.step_blocks);
  EXPECT_TRUE(torch::allclose(got, expected, 1e-5, 1e-6)) << (got - expected).abs().max().item<float>();
  EXPECT_TRUE(torch::allclose(linear_interpolation_matrix(5, 3).sum(1), torch::ones({5})));
  EXPECT_FLOAT_EQ(linear_interpolation_matrix(5, 3)[1][0].item<float>(), 0.5f);  // step 1: halfway to cell 1
}

// With every cell in the same state, the interpolated output is the same at every step: no
// position inside a cell has weights of its own. DoppelGANger's per-cell output layer gives
// each position its own bias, so the same states still make a pattern that repeats each cell.
TEST(FeatureGenerator, InterpolatedOutputHasNoPositionInTheCell) {
  for (bool interpolated : {true, false}) {
    torch::manual_seed(6);
    auto o = small_options();
    o.interpolated_feature_output = interpolated;
    auto layout = ModelLayout::from(mixed_schema(), o);
    FeatureGenerator fg(layout, o);
    torch::NoGradGuard no_grad;
    for (auto& p : fg->named_children()["lstm"]->parameters()) p.zero_();  // every cell's state: 0
    auto out = fg->named_children()["out"]->as<torch::nn::Linear>();
    out->weight.uniform_(-1, 1);
    out->bias.uniform_(-1, 1);
    const int64_t W = layout.step_width();  // the flag, last 2 of each step's W: "continue" everywhere
    for (int64_t r = 0; r < out->bias.size(0); ++r)
      if (r % W >= W - 2) out->bias[r] = r % W == W - 2 ? 5.0f : -5.0f;
    auto steps = fg->forward(torch::rand({3, layout.all_attribute_width()}),
                             torch::randn({3, layout.cells, o.feature_noise_dim}));
    auto spread = (steps - steps.select(1, 0).unsqueeze(1)).abs().max().item<float>();
    if (interpolated) {
      EXPECT_LT(spread, 1e-6f);
    } else {
      EXPECT_GT(spread, 1e-2f);
      auto cell_shifted = steps.narrow(1, o.sample_len, layout.L - o.sample_len);
      EXPECT_TRUE(torch::allclose(cell_shifted, steps.narrow(1, 0, layout.L - o.sample_len)));
    }
  }
}

// Windows data never end early: with a flag that says "end" at every step, a windows model's
// steps stay unmasked and every generated sequence has length L; a sequences model ends after
// the first step.
TEST(FeatureGenerator, WindowsAreNeverCutShortByTheFlag) {
  for (const char* kind : {"windows", "sequences"}) {
    torch::manual_seed(7);
    auto schema = mixed_schema();
    schema.kind = kind;
    auto o = small_options();
    auto layout = ModelLayout::from(schema, o);
    EXPECT_EQ(layout.fixed_length, std::string(kind) == "windows");
    Generator g(layout, o);
    torch::NoGradGuard no_grad;
    auto out = g->named_children()["feature"]->named_children()["out"]->as<torch::nn::Linear>();
    const int64_t W = layout.step_width();
    for (int64_t r = 0; r < out->bias.size(0); ++r)
      if (r % W >= W - 2) {
        out->weight[r].zero_();
        out->bias[r] = r % W == W - 2 ? -5.0f : 5.0f;  // "end" everywhere
      }
    auto gen = make_cpu_generator(12);
    auto sample = g->forward(draw_generator_noise(gen, layout, o, 4, 0, 4));
    auto batch = from_model_space(sample.attributes, sample.features, layout);
    const auto last = sample.features.select(1, layout.L - 1).narrow(-1, 0, layout.F).abs().sum().item<float>();
    for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(batch.lengths[i], layout.fixed_length ? layout.L : 1) << kind;
    if (layout.fixed_length) EXPECT_GT(last, 0.0f);
    else EXPECT_EQ(last, 0.0f);
  }
}

TEST(Generator, StepsAfterTheFlagEndAreZero) {
  // Hand-made steps: sample 0 ends at t = 2, sample 1 never ends, sample 2 ends at t = 0.
  auto steps = torch::rand({3, 5, 4}) + 0.1;  // every value non-zero
  auto set_flag = [&](int b, int t, float cont, float end) {
    steps[b][t][2] = cont;
    steps[b][t][3] = end;
  };
  for (int b = 0; b < 3; ++b)
    for (int t = 0; t < 5; ++t) set_flag(b, t, 0.9f, 0.1f);
  set_flag(0, 2, 0.3f, 0.7f);
  set_flag(0, 4, 0.2f, 0.8f);  // a later "end" must not matter
  set_flag(2, 0, 0.4f, 0.6f);
  auto masked = mask_after_generation_flag(steps);
  auto lengths = lengths_from_generation_flag(steps);
  EXPECT_EQ(lengths[0].item<int64_t>(), 3);
  EXPECT_EQ(lengths[1].item<int64_t>(), 5);
  EXPECT_EQ(lengths[2].item<int64_t>(), 1);
  for (int b = 0; b < 3; ++b) {
    int64_t len = lengths[b].item<int64_t>();
    for (int t = 0; t < 5; ++t) {
      auto row = masked[b][t];
      if (t < len) EXPECT_TRUE(torch::equal(row, steps[b][t])) << b << "," << t;
      else EXPECT_EQ(row.abs().sum().item<float>(), 0.0f) << b << "," << t;
    }
  }
  // the end step keeps its own flag
  EXPECT_FLOAT_EQ(masked[0][2][3].item<float>(), 0.7f);

  // Generated sequences: zero after the length that from_model_space reports.
  torch::manual_seed(3);
  auto o = small_options();
  auto layout = ModelLayout::from(mixed_schema(), o);
  Generator g(layout, o);
  auto gen = make_cpu_generator(11);
  auto out = g->forward(draw_generator_noise(gen, layout, o, 16, 0, 16));
  auto batch = from_model_space(out.attributes, out.features, layout);
  auto lens = lengths_from_generation_flag(out.features);
  for (int64_t i = 0; i < 16; ++i) {
    ASSERT_EQ(batch.lengths[i], lens[i].item<int64_t>());
    if (batch.lengths[i] < 12)
      EXPECT_EQ(out.features[i].narrow(0, batch.lengths[i], 12 - batch.lengths[i]).abs().sum().item<float>(), 0.0f);
    for (int64_t t = batch.lengths[i]; t < 12; ++t)
      for (int64_t f = 0; f < 5; ++f) EXPECT_EQ(batch.features[(i * 12 + t) * 5 + f], 0.0f);
  }
}

TEST(ModelSpace, RoundTripIsIdentity) {
  auto schema = mixed_schema();
  for (bool minmax : {true, false}) {
    auto o = small_options();
    o.use_minmax = minmax;
    auto layout = ModelLayout::from(schema, o);
    auto real = random_batch(schema, 40, 5);
    auto m = to_model_space(real, layout);
    // normalized continuous features reach their range ends, flags mark the last step
    if (minmax) {
      auto u = m.features.select(2, 0);
      EXPECT_NEAR(u.max().item<float>(), 1.0f, 1e-5);
    }
    for (int64_t i = 0; i < real.n; ++i) {
      int64_t last = real.lengths[i] - 1;
      EXPECT_EQ(m.features[i][last][6].item<float>(), 1.0f);
      EXPECT_EQ(m.features[i][last][5].item<float>(), 0.0f);
      if (last > 0) EXPECT_EQ(m.features[i][0][5].item<float>(), 1.0f);
    }
    auto back = from_model_space(m.attributes, m.features, layout);
    ASSERT_EQ(back.lengths, real.lengths);
    ASSERT_EQ(back.attributes.size(), real.attributes.size());
    for (size_t k = 0; k < real.attributes.size(); ++k) EXPECT_NEAR(back.attributes[k], real.attributes[k], 1e-5);
    for (size_t k = 0; k < real.features.size(); ++k)
      ASSERT_NEAR(back.features[k], real.features[k], 1e-5) << "element " << k << " minmax " << minmax;
  }
}

TEST(ModelSpace, RejectsBadLength) {
  auto schema = mixed_schema();
  auto layout = ModelLayout::from(schema, small_options());
  auto b = random_batch(schema, 3, 1);
  b.lengths[1] = 0;
  EXPECT_THROW(to_model_space(b, layout), Error);
}

TEST(WganGp, GradientNormMatchesFiniteDifferences) {
  torch::manual_seed(4);
  Discriminator d(3, 5, 2);
  d->to(torch::kDouble);
  auto x = torch::randn({4, 3}, torch::kDouble);
  auto norm = critic_gradient_norm(d, x);
  const double h = 1e-6;
  torch::NoGradGuard no_grad;
  for (int64_t i = 0; i < 4; ++i) {
    double sq = 0;
    for (int64_t j = 0; j < 3; ++j) {
      auto xp = x[i].clone().unsqueeze(0), xm = x[i].clone().unsqueeze(0);
      xp[0][j] += h;
      xm[0][j] -= h;
      double g = (d->forward(xp).item<double>() - d->forward(xm).item<double>()) / (2 * h);
      sq += g * g;
    }
    EXPECT_NEAR(norm[i].item<double>(), std::sqrt(sq + 1e-8), 1e-7);  // DoppelGANger's 1e-8
  }
}

TEST(WganGp, GradientNormAndItsWeightGradientsMatchAutogradDoubleBackward) {
  torch::manual_seed(6);
  Discriminator d(7, 9, 3);
  d->to(torch::kDouble);
  auto x = torch::randn({11, 7}, torch::kDouble);
  auto w = torch::randn({11}, torch::kDouble);
  auto grads = [&](bool reference) {
    for (auto& p : d->parameters()) p.mutable_grad() = torch::Tensor();
    auto norm = reference ? critic_gradient_norm_autograd(d, x) : critic_gradient_norm(d, x);
    ((norm - 1).pow(2) * w).sum().backward();
    std::vector<torch::Tensor> out{norm.detach()};
    for (auto& p : d->parameters()) out.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
    return out;
  };
  auto want = grads(true), got = grads(false);
  ASSERT_EQ(want.size(), got.size());
  EXPECT_GT(want[1].abs().max().item<double>(), 0.0);
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_LT((want[i] - got[i]).abs().max().item<double>(), 1e-12) << i;
}

TEST(WganGp, CriticLossUsesInterpolatedPenalty) {
  torch::manual_seed(5);
  Discriminator d(3, 5, 2);
  d->to(torch::kDouble);
  auto real = torch::randn({4, 3}, torch::kDouble), fake = torch::randn({4, 3}, torch::kDouble);
  auto eps = torch::tensor({0.0, 0.25, 0.5, 1.0}, torch::kDouble);
  auto l = critic_loss(d, real, fake, eps, 10.0);
  const double h = 1e-6;
  torch::NoGradGuard no_grad;
  for (int64_t i = 0; i < 4; ++i) {
    double e = eps[i].item<double>();
    auto xh = (e * real[i] + (1 - e) * fake[i]).unsqueeze(0);
    double sq = 0;
    for (int64_t j = 0; j < 3; ++j) {
      auto xp = xh.clone(), xm = xh.clone();
      xp[0][j] += h;
      xm[0][j] -= h;
      double g = (d->forward(xp).item<double>() - d->forward(xm).item<double>()) / (2 * h);
      sq += g * g;
    }
    double pen = (std::sqrt(sq + 1e-8) - 1) * (std::sqrt(sq + 1e-8) - 1);
    EXPECT_NEAR(l.penalty[i].item<double>(), pen, 1e-6);
    double dr = d->forward(real[i].unsqueeze(0)).item<double>();
    double df = d->forward(fake[i].unsqueeze(0)).item<double>();
    EXPECT_NEAR(l.per_example[i].item<double>(), df - dr + 10.0 * pen, 1e-6);
  }
  EXPECT_NEAR(l.mean().item<double>(), l.per_example.sum().item<double>() / 4, 1e-12);
}

TEST(WganGp, PenaltyGradientReachesCriticWeights) {
  torch::manual_seed(6);
  Discriminator d(3, 5, 2);
  auto l = critic_loss(d, torch::randn({4, 3}), torch::randn({4, 3}), torch::rand({4}), 10.0);
  l.penalty.sum().backward();
  double total = 0;
  for (auto& p : d->parameters())  // the last bias does not move the input gradient
    if (p.grad().defined()) total += p.grad().abs().sum().item<double>();
  EXPECT_GT(total, 0.0);
}

TEST(Packing, ConcatenatesConsecutiveSamples) {
  auto x = torch::arange(24, torch::kFloat).reshape({6, 4});
  auto p = pack_examples(x, 2);
  ASSERT_EQ(p.sizes(), (std::vector<int64_t>{3, 8}));
  EXPECT_TRUE(torch::equal(p[1], torch::cat({x[2], x[3]})));
  EXPECT_THROW(pack_examples(x, 4), Error);
  auto f = torch::rand({6, 5, 2}), a = torch::rand({6, 3});
  auto in = feature_critic_input(f, a, 3);
  ASSERT_EQ(in.sizes(), (std::vector<int64_t>{2, 39}));
  EXPECT_TRUE(torch::equal(in[0].narrow(0, 13, 10), f[1].flatten()));
  Discriminator d(39, 8, 1);
  EXPECT_EQ(d->forward(in).sizes(), (std::vector<int64_t>{2}));
}

TEST(ExampleRandom, SliceOfTheGlobalDraw) {
  auto g1 = make_cpu_generator(9), g2 = make_cpu_generator(9);
  auto all = example_normal(g1, 10, 0, 10, {2, 3});
  auto part = example_normal(g2, 10, 4, 3, {2, 3});
  EXPECT_TRUE(torch::equal(part, all.narrow(0, 4, 3)));
  // both generators advanced by the same amount
  EXPECT_TRUE(torch::equal(example_uniform(g1, 5, 0, 5, {}), example_uniform(g2, 5, 0, 5, {})));
  EXPECT_THROW(example_normal(g1, 10, 8, 3, {}), Error);
}
