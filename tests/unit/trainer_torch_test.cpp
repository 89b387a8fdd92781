// Training loop: exact resume, checkpoint rotation, logs, data order.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "doppel/logging/checkpoint_policy.hpp"
#include "doppel/error.hpp"
#include "doppel/logging/tensorboard_writer.hpp"
#include "doppel/train/generate.hpp"
#include "doppel/train/trainer.hpp"
#include "synthetic_source.hpp"

using namespace doppel;
namespace fs = std::filesystem;

namespace {

InMemorySource make_source(int64_t n) { return doppel_test::mixed_source(n, 17, true); }

Config tiny_config(const std::vector<std::string>& extra) {
  auto c = Config::load(std::string(DOPPEL_SOURCE_DIR) + "/configs/tiny.toml", extra);
  return c;
}

std::string fresh_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("doppel_trainer_test_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

}  // namespace

TEST(Trainer, ResumeIsBitForBit) {
  auto source = make_source(30);  // 3 steps per epoch: the split falls inside epoch 1
  auto comm = make_single_process_communicator();
  const std::vector<std::string> common{"train.vis_freq=0", "train.checkpoint_every=100", "train.log_every=100",
                                        "train.attr_d_extra_rounds=1", "train.g_ema_decay=0.9",
                                        "model.attribute_output=\"gumbel\""};
  auto with = [&](std::vector<std::string> more) {
    auto v = common;
    v.insert(v.end(), more.begin(), more.end());
    return tiny_config(v);
  };

  Trainer straight(with({"train.max_steps=8"}), source, *comm, fresh_dir("straight"));
  straight.train();
  ASSERT_EQ(straight.global_step(), 8);

  const std::string dir = fresh_dir("split");
  {
    Trainer first(with({"train.max_steps=4"}), source, *comm, dir);
    first.train();
    ASSERT_EQ(first.epoch(), 1);
  }
  ASSERT_TRUE(fs::exists(fs::path(dir) / checkpoint_name(4)));
  Trainer second(with({"train.max_steps=8"}), source, *comm, dir);
  ASSERT_TRUE(second.resume());
  ASSERT_EQ(second.global_step(), 4);
  second.train();

  Trainer untrained(with({"train.max_steps=8"}), source, *comm, fresh_dir("untrained"));
  auto a = straight.named_state(), b = second.named_state(), u = untrained.named_state();
  ASSERT_EQ(a.size(), b.size());
  bool any_moved = false;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].first, b[i].first);
    EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
    any_moved |= !torch::equal(a[i].second, u[i].second);
    // same initial weights for the same seed
  }
  EXPECT_TRUE(any_moved);
}

TEST(Trainer, CheckpointRotationLogsAndSamples) {
  auto source = make_source(25);
  auto comm = make_single_process_communicator();
  const std::string dir = fresh_dir("rotation");
  Trainer t(tiny_config({"train.max_steps=5", "train.checkpoint_every=1", "train.keep_checkpoints=2",
                         "train.extra_checkpoint_freq=2", "train.log_every=2", "train.vis_freq=3"}),
            source, *comm, dir);
  t.train();
  EXPECT_EQ(list_checkpoints(dir), (std::vector<int64_t>{2, 4, 5}));
  EXPECT_TRUE(fs::exists(fs::path(dir) / "samples" / "samples-00000003.csv"));
  std::string events;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("events.out.tfevents", 0) == 0) events = e.path().string();
  ASSERT_FALSE(events.empty());
  std::set<std::string> tags;
  std::set<int64_t> steps;
  for (auto& s : read_tensorboard_scalars(events)) {
    tags.insert(s.tag);
    steps.insert(s.step);
    EXPECT_TRUE(std::isfinite(s.value)) << s.tag;
  }
  EXPECT_EQ(tags, (std::set<std::string>{"d_loss", "d_attr_loss", "g_loss", "gp", "gp_attr", "wasserstein",
                                         "g_lr", "d_lr"}));
  EXPECT_EQ(steps, (std::set<int64_t>{2, 4, 5}));

  // The checkpoint generates: lengths in range, deterministic for a seed.
  auto model = load_generator(list_checkpoints(dir).empty() ? "" : (fs::path(dir) / checkpoint_name(5)).string());
  EXPECT_EQ(model.step, 5);
  std::vector<Batch> runs[2];
  for (int r = 0; r < 2; ++r)
    generate_sequences(model, 7, 3, 42, nullptr, [&](const Batch& b) { runs[r].push_back(b); });
  ASSERT_EQ(runs[0].size(), 3u);
  EXPECT_EQ(runs[0][2].n, 1);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(runs[0][k].features, runs[1][k].features);
    for (auto len : runs[0][k].lengths) EXPECT_TRUE(len >= 1 && len <= 10);
  }
  // conditional generation keeps the given attributes
  std::vector<float> given(7 * 4, 0.0f);
  for (int i = 0; i < 7; ++i) {
    given[i * 4 + 2] = 1;
    given[i * 4 + 3] = 0.5f;
  }
  std::vector<Batch> cond;
  generate_sequences(model, 7, 7, 1, &given, [&](const Batch& b) { cond.push_back(b); });
  EXPECT_EQ(cond[0].attributes, given);
}

TEST(Trainer, EpochOrderIsASeededPermutation) {
  auto a = epoch_order(50, 3, 0), b = epoch_order(50, 3, 0), c = epoch_order(50, 3, 1);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(sorted[i], i);
}

TEST(Trainer, RejectsBatchLargerThanData) {
  auto source = make_source(5);
  auto comm = make_single_process_communicator();
  auto build = [&] { Trainer t(tiny_config({}), source, *comm, fresh_dir("small")); };
  EXPECT_THROW(build(), doppel::Error);
}

TEST(Trainer, ExtraAttributeCriticRoundsTrainOnlyTheAttributeCritic) {
  // Same seed, one step: the joint critic rounds come first and draw the same numbers, so the
  // feature critic ends equal; the extra rounds move the attribute critic (and through it
  // the generator's step).
  auto source = make_source(30);
  auto comm = make_single_process_communicator();
  auto run = [&](const std::string& extra, const std::string& name) {
    Trainer t(tiny_config({"train.max_steps=1", "train.vis_freq=0", "train.checkpoint_every=100",
                           "train.attr_d_extra_rounds=" + extra}),
              source, *comm, fresh_dir(name));
    t.train();
    return t.named_state();
  };
  auto none = run("0", "extra0"), two = run("2", "extra2");
  ASSERT_EQ(none.size(), two.size());
  bool attr_critic_moved = false, generator_moved = false;
  for (size_t i = 0; i < none.size(); ++i) {
    const auto& name = none[i].first;
    const bool same = torch::equal(none[i].second, two[i].second);
    if (name.rfind("critic.", 0) == 0) EXPECT_TRUE(same) << name;
    if (name.rfind("attr_critic.", 0) == 0) attr_critic_moved |= !same;
    if (name.rfind("generator.", 0) == 0) generator_moved |= !same;
  }
  EXPECT_TRUE(attr_critic_moved);
  EXPECT_TRUE(generator_moved);
}

TEST(Trainer, AttributeGeneratorCanLearnFromTheAttributeCriticAlone) {
  // With the attribute critic's weight in the generator loss at 0, the only gradient the
  // attribute generator gets is the feature critic's, through the attributes it judges:
  // cutting it must leave the attribute generator's weights exactly where they started,
  // while the min/max and feature generators (and, by default, the attribute generator) move.
  auto source = make_source(30);
  auto comm = make_single_process_communicator();
  for (const char* output : {"softmax", "gumbel_hard"}) {
    auto moved = [&](const std::string& from_feature_critic) {
      Trainer t(tiny_config({"train.max_steps=3", "train.vis_freq=0", "train.checkpoint_every=100",
                             "train.g_attr_d_coe=0", "model.attribute_output=\"" + std::string(output) + "\"",
                             "train.attribute_gradient_from_feature_critic=" + from_feature_critic}),
                source, *comm, fresh_dir(std::string("attr_grad_") + output + from_feature_critic));
      auto before = t.named_state();  // the live tensors: keep copies
      for (auto& kv : before) kv.second = kv.second.detach().clone();
      t.train();
      auto after = t.named_state();
      std::map<std::string, bool> part_moved;
      for (size_t i = 0; i < before.size(); ++i) {
        const auto& name = before[i].first;
        for (const char* part : {"generator.attribute.", "generator.minmax.", "generator.feature."})
          if (name.rfind(part, 0) == 0) part_moved[part] = part_moved[part] || !torch::equal(before[i].second, after[i].second);
      }
      return part_moved;
    };
    auto cut = moved("false"), joint = moved("true");
    EXPECT_FALSE(cut["generator.attribute."]) << output;
    EXPECT_TRUE(cut["generator.minmax."]) << output;
    EXPECT_TRUE(cut["generator.feature."]) << output;
    EXPECT_TRUE(joint["generator.attribute."]) << output;
  }
}

TEST(Trainer, ExtraAttributeCriticRoundsAreRejectedUnderPrivacyAndWhenNegative) {
  auto source = make_source(30);
  auto comm = make_single_process_communicator();
  auto build = [&](std::vector<std::string> sets) { Trainer t(tiny_config(sets), source, *comm, fresh_dir("reject")); };
  EXPECT_THROW(build({"train.attr_d_extra_rounds=-1"}), doppel::Error);
  try {
    build({"train.attr_d_extra_rounds=1", "privacy.enabled=true", "privacy.noise_multiplier=1", "model.packing=1"});
    ADD_FAILURE() << "no error";
  } catch (const doppel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("attr_d_extra_rounds"), std::string::npos) << e.what();
  }
}

TEST(Trainer, GeneratorMovingAverageFollowsItsRecursionAndLeavesTrainingUnchanged) {
  auto source = make_source(30);
  auto comm = make_single_process_communicator();
  const double d = 0.75;
  auto config = [&](double decay) {
    return tiny_config({"train.max_steps=100", "train.vis_freq=0", "train.checkpoint_every=100",
                        "train.g_ema_decay=" + std::to_string(decay)});
  };
  Trainer plain(config(0), source, *comm, fresh_dir("ema_off"));
  Trainer t(config(d), source, *comm, fresh_dir("ema_on"));
  auto params = [](Generator& g) {
    std::vector<torch::Tensor> out;
    for (const auto& p : g->parameters()) out.push_back(p.detach().clone());
    return out;
  };
  // Independent bookkeeping: the average starts at the initial weights.
  auto expected = params(t.generator());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_TRUE(torch::equal(expected[i], params(t.generator_for_sampling())[i]));
  for (int step = 0; step < 3; ++step) {
    plain.step();
    t.step();
    auto live = params(t.generator());
    for (size_t i = 0; i < expected.size(); ++i) expected[i] = d * expected[i] + (1 - d) * live[i];
  }
  auto got = params(t.generator_for_sampling()), live = params(t.generator()), plain_live = params(plain.generator());
  bool differs_from_live = false;
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(torch::allclose(got[i], expected[i], 1e-6, 1e-7)) << i;
    differs_from_live |= !torch::equal(got[i], live[i]);
    EXPECT_TRUE(torch::equal(live[i], plain_live[i])) << "the average must not change training, parameter " << i;
  }
  EXPECT_TRUE(differs_from_live);

  // The checkpoint holds both; generation loads the average.
  const std::string path = t.save_checkpoint();
  LoadedGenerator m = load_generator(path);
  EXPECT_TRUE(m.moving_average);
  auto loaded = params(m.generator);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(torch::equal(loaded[i], got[i])) << i;
  EXPECT_FALSE(load_generator(plain.save_checkpoint()).moving_average);

  // Resuming with the average on from a checkpoint without one is refused, naming the key.
  Trainer again(config(d), source, *comm, fresh_dir("ema_resume"));
  try {
    again.load_checkpoint(plain.save_checkpoint());
    ADD_FAILURE() << "no error";
  } catch (const doppel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("g_ema_decay"), std::string::npos) << e.what();
  }
  for (const char* bad : {"-0.1", "1", "1.5"})
    EXPECT_THROW(Trainer(tiny_config({"train.g_ema_decay=" + std::string(bad)}), source, *comm, fresh_dir("ema_bad")),
                 doppel::Error)
        << bad;
}
