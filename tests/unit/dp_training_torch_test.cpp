// DP training: the budget stops training before it is exceeded, σ is calibrated for the
// planned steps, resume keeps ε (and the whole trajectory) exactly, --init-from starts a
// fresh accountant, and the privacy metadata is written.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "doppel/logging/checkpoint_policy.hpp"
#include "doppel/error.hpp"
#include "doppel/privacy/privacy_engine.hpp"
#include "doppel/train/trainer.hpp"
#include "test_util.hpp"
#include "synthetic_source.hpp"

using namespace doppel;
namespace fs = std::filesystem;

namespace {

InMemorySource make_source(int64_t n) { return doppel_test::mixed_source(n, 23, false); }

Config dp_config(std::vector<std::string> extra) {
  std::vector<std::string> v{"privacy.enabled=true", "privacy.seed=42",  "train.vis_freq=0",
                             "train.log_every=1000", "train.checkpoint_every=1000"};
  v.insert(v.end(), extra.begin(), extra.end());
  return Config::load(std::string(DOPPEL_SOURCE_DIR) + "/configs/tiny.toml", v);
}

}  // namespace

TEST(DpTraining, StopsBeforeTheBudgetIsExceeded) {
  doppel_test::TempDir dir;
  auto source = make_source(100);  // batch 10: q = 0.1
  auto comm = make_single_process_communicator();
  // σ fixed at 1.5, target 4: reached after some tens of steps, far before max_steps.
  Trainer t(dp_config({"train.max_steps=500", "privacy.noise_multiplier=1.5", "privacy.target_epsilon=4"}), source,
            *comm, dir.path());
  t.train();
  const auto* engine = t.privacy();
  ASSERT_NE(engine, nullptr);
  EXPECT_LT(t.global_step(), 500);
  EXPECT_GT(t.global_step(), 0);
  EXPECT_EQ(engine->accountant().total_steps(), 2 * t.global_step());  // d_rounds = 2 accounted steps each
  // Independent reference: the accountant's closed-form composition.
  // (step-by-step composition vs T·RDP: equal up to float summation order)
  EXPECT_NEAR(engine->epsilon(), compute_epsilon(0.1, 1.5, 2 * t.global_step(), 1e-5), 1e-12);
  EXPECT_LE(engine->epsilon(), 4.0);
  EXPECT_GT(compute_epsilon(0.1, 1.5, 2 * (t.global_step() + 1), 1e-5), 4.0);
  EXPECT_FALSE(t.budget_allows_step());
  // privacy.json written with the checkpoint
  std::ifstream in(dir.file("privacy.json"));
  ASSERT_TRUE(in.good());
  auto j = nlohmann::json::parse(in);
  EXPECT_DOUBLE_EQ(j.at("epsilon").get<double>(), engine->epsilon());
  EXPECT_EQ(j.at("accounted_steps").get<int64_t>(), 2 * t.global_step());
}

TEST(DpTraining, CalibratedSigmaSpendsAtMostTheTarget) {
  doppel_test::TempDir dir;
  auto source = make_source(100);
  auto comm = make_single_process_communicator();
  Trainer t(dp_config({"train.max_steps=6", "privacy.target_epsilon=2"}), source, *comm, dir.path());
  EXPECT_DOUBLE_EQ(t.privacy()->noise_multiplier(), calibrate_sigma(0.1, 12, 1e-5, 2.0));
  t.train();
  EXPECT_EQ(t.global_step(), 6);
  EXPECT_LE(t.privacy()->epsilon(), 2.0);
  EXPECT_GT(t.privacy()->epsilon(), 2.0 - 0.02);
}

TEST(DpTraining, ResumeKeepsEpsilonAndTrajectoryExactly) {
  auto source = make_source(60);
  auto comm = make_single_process_communicator();
  const std::vector<std::string> cfg{"train.max_steps=6", "privacy.noise_multiplier=1.1",
                                     "privacy.target_epsilon=1000"};
  doppel_test::TempDir straight_dir, split_dir;
  Trainer straight(dp_config(cfg), source, *comm, straight_dir.path());
  straight.train();
  {
    Trainer first(dp_config(cfg), source, *comm, split_dir.path());
    for (int i = 0; i < 3; ++i) first.step();
    first.save_checkpoint();
  }
  Trainer second(dp_config(cfg), source, *comm, split_dir.path());
  ASSERT_TRUE(second.resume());
  EXPECT_EQ(second.privacy()->accountant().total_steps(), 6);
  second.train();
  EXPECT_EQ(second.privacy()->accountant().to_json(), straight.privacy()->accountant().to_json());
  EXPECT_EQ(second.privacy()->epsilon(), straight.privacy()->epsilon());  // bit for bit
  auto a = straight.named_state(), b = second.named_state();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;

  // A private checkpoint cannot silently continue without DP.
  auto nonprivate = Config::load(std::string(DOPPEL_SOURCE_DIR) + "/configs/tiny.toml", {"train.max_steps=6"});
  Trainer plain(nonprivate, source, *comm, split_dir.path());
  EXPECT_NE(doppel_test::error_of([&] { plain.resume(); }).find("privacy.enabled = false"), std::string::npos);
  // Nor with a different σ.
  Trainer other(dp_config({"train.max_steps=6", "privacy.noise_multiplier=2", "privacy.target_epsilon=1000"}), source, *comm, split_dir.path());
  EXPECT_NE(doppel_test::error_of([&] { other.resume(); }).find("noise multiplier"), std::string::npos);
}

TEST(DpTraining, InitFromCopiesWeightsWithAFreshAccountant) {
  auto source = make_source(60);
  auto comm = make_single_process_communicator();
  doppel_test::TempDir pub, priv;
  Trainer pretrain(Config::load(std::string(DOPPEL_SOURCE_DIR) + "/configs/tiny.toml",
                                {"train.max_steps=3", "train.vis_freq=0", "train.seed=9"}),
                   source, *comm, pub.path());
  pretrain.train();
  const std::string ckpt = newest_checkpoint(pub.path());
  Trainer fine(dp_config({"train.max_steps=4", "privacy.noise_multiplier=1", "privacy.target_epsilon=1000"}), source, *comm, priv.path());
  fine.init_from(ckpt);
  auto a = pretrain.named_state(), b = fine.named_state();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
  EXPECT_EQ(fine.global_step(), 0);
  EXPECT_EQ(fine.privacy()->accountant().total_steps(), 0);
  fine.train();
  EXPECT_EQ(fine.global_step(), 4);
  EXPECT_EQ(fine.privacy()->accountant().total_steps(), 8);
}

TEST(DpTraining, RequiresPackingOne) {
  auto source = make_source(60);
  auto comm = make_single_process_communicator();
  doppel_test::TempDir dir;
  auto msg = doppel_test::error_of(
      [&] { Trainer t(dp_config({"model.packing=2", "privacy.noise_multiplier=1"}), source, *comm, dir.path()); });
  EXPECT_NE(msg.find("model.packing = 1"), std::string::npos) << msg;
}
