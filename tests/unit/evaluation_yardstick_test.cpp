// The evaluation must be able to fail. On the shipped traffic data, held out by time:
// the real-trained forecaster beats the naive ones (so the utility ratio measures
// something), real training windows written as a synthetic file score like real data, and
// the same windows with their 8-step blocks shuffled — right marginals, wrong dynamics — are
// caught by every yardstick: utility, discriminative score, cell-boundary diagnostic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include "../../src/cli/learned_metrics_hook.hpp"
#include "doppel/data/batch_source.hpp"
#include "doppel/config/config.hpp"
#include "doppel/data/csv_reader.hpp"
#include "doppel/data/dataset.hpp"
#include "doppel/eval/evaluate_files.hpp"
#include "doppel/eval/learned_metrics.hpp"
#include "doppel/data/prepare.hpp"
#include "test_util.hpp"

using namespace doppel;
using doppel_test::TempDir;

namespace {

constexpr int kCell = 8;
const char* kTestFrom = "2017-07-01 00:00:00";

// Prepared once for the whole suite: weekly windows every 4 hours, test split from July 2017.
class EvaluationYardstick : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    Config c = Config::load(std::string(DOPPEL_SOURCE_DIR) + "/configs/traffic.toml",
                            {"data.input=" + std::string(DOPPEL_SOURCE_DIR) +
                                 "/data/metro_traffic/Metro_Interstate_Traffic_Volume.csv.gz",
                             "data.stride=4", std::string("data.test_from=\"") + kTestFrom + "\""});
    report_ = new nlohmann::json(nlohmann::json::parse(prepare_dataset(c, real()).report_json));
    write_copy(file("copy.h5"), false);
    write_copy(file("shuffled.h5"), true);
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete report_;
  }
  static std::string file(const std::string& name) { return dir_->file(name); }
  static std::string real() { return file("real.h5"); }

  // The real training windows as a synthetic file (what `generate` writes: kind
  // "sequences", a stored config with model.sample_len), optionally with the 21 blocks of
  // 8 steps of every window in a random order.
  static void write_copy(const std::string& path, bool shuffle_blocks) {
    FileSource train(real(), 0);
    Schema schema = train.schema();
    schema.kind = "sequences";
    DatasetWriter w(path, schema);
    std::mt19937_64 rng(7);
    const int64_t L = schema.max_len, F = int64_t(schema.feature_width());
    std::vector<int64_t> blocks(size_t(L / kCell));
    for (int64_t begin = 0; begin < train.size(); begin += 512) {
      std::vector<int64_t> idx;
      for (int64_t i = begin; i < std::min(train.size(), begin + 512); ++i) idx.push_back(i);
      Batch b = train.read_indices(idx);
      for (int64_t i = 0; i < b.n; ++i) {
        const float* src = b.features.data() + i * L * F;
        std::vector<float> out(src, src + L * F);
        if (shuffle_blocks) {
          for (size_t k = 0; k < blocks.size(); ++k) blocks[k] = int64_t(k);
          std::shuffle(blocks.begin(), blocks.end(), rng);
          for (size_t k = 0; k < blocks.size(); ++k)
            std::copy(src + blocks[k] * kCell * F, src + (blocks[k] + 1) * kCell * F, out.begin() + int64_t(k) * kCell * F);
        }
        w.append_sequence(b.attributes.data() + i * b.A, out.data(), int32_t(L), 0, b.start_time[size_t(i)]);
      }
    }
    w.set_metadata("generated_from", "evaluation_yardstick_test");
    w.set_metadata("config", Config::defaults({"model.sample_len=" + std::to_string(kCell)}).to_toml());
    w.finish();
  }

  static nlohmann::json evaluate_against_real(const std::string& synthetic, const std::string& out) {
    Config config = Config::defaults();
    auto options = eval::EvaluateOptions::from_config(config);
    attach_learned_metrics(options, config);
    return eval::evaluate_files(real(), synthetic, file(out), options, false);
  }

  static TempDir* dir_;
  static nlohmann::json* report_;
};
TempDir* EvaluationYardstick::dir_ = nullptr;
nlohmann::json* EvaluationYardstick::report_ = nullptr;

}  // namespace

TEST_F(EvaluationYardstick, TestFromHoldsOutTheLaterWindowsAndDropsThoseAcrossIt) {
  const int64_t cut = parse_time(kTestFrom, "%Y-%m-%d %H:%M:%S", "test");
  DatasetReader reader(real());
  Batch all = reader.read(0, reader.size());
  int64_t train = 0, test = 0;
  for (int64_t i = 0; i < all.n; ++i) {
    if (all.split[size_t(i)] == 1) {
      EXPECT_GE(all.start_time[size_t(i)], cut);
      ++test;
    } else {
      EXPECT_LT(all.start_time[size_t(i)] + 167 * 3600, cut);  // ends before the cut
      ++train;
    }
  }
  EXPECT_GT(train, 5000);
  EXPECT_GT(test, 1500);
  // Windows that straddle the cut are dropped: at most those starting in the week before it
  // (fewer where gaps split the series there).
  const int64_t dropped = (*report_)["windows_dropped_at_split"].get<int64_t>();
  EXPECT_GT(dropped, 0);
  EXPECT_LE(dropped, 168 / 4 - 1);
}

TEST_F(EvaluationYardstick, RealTrainedForecasterBeatsPersistenceAndSeasonalNaive) {
  FileSource train(real(), 0), test(real(), 1);
  UtilityOptions opt;  // defaults: 24-step window, horizons 1 and 24, period 24
  auto u = utility_score(train, test, train, opt);
  const auto& next = u["by_horizon"][0];
  const auto& day = u["by_horizon"][1];
  ASSERT_EQ(next["horizon"], 1);
  ASSERT_EQ(day["horizon"], 24);
  // In vehicles per hour: the next hour at least 25 % better than repeating the last value ...
  EXPECT_LT(next["error_real"].get<double>(), 0.75 * next["error_persistence"].get<double>()) << u.dump(1);
  // ... and one day ahead better than the value one day earlier.
  EXPECT_LT(day["error_real"].get<double>(), day["error_seasonal_naive"].get<double>()) << u.dump(1);
  EXPECT_GT(next["error_persistence"].get<double>(), 100.0);  // original units, not [0, 1]
}

TEST_F(EvaluationYardstick, RealWindowsWrittenAsSyntheticScoreLikeRealData) {
  auto m = evaluate_against_real(file("copy.h5"), "eval_copy");
  const double ratio = m["utility"]["ratio"].get<double>();
  EXPECT_NEAR(ratio, 1.0, 0.05) << m["utility"].dump(1);
  EXPECT_NEAR(m["utility"]["by_horizon"][1]["ratio"].get<double>(), 1.0, 0.05) << m["utility"].dump(1);
  const auto& cb = m["cell_boundary"];
  ASSERT_EQ(cb["cell_length"], kCell) << cb.dump(1);  // read from the file's stored config
  EXPECT_FALSE(cb["flagged"].get<bool>()) << cb.dump(1);
  EXPECT_NEAR(cb["excess"].get<double>(), 0.0, 1e-9) << cb.dump(1);
  EXPECT_LT(cb["max_over_min_real"].get<double>(), 1.15) << cb.dump(1);  // real weeks are flat
  // The training windows' own copies cannot be told from them; the later weeks can be, by
  // as much as the real training weeks themselves (the drift between the periods).
  const auto& d = m["discriminative"];
  EXPECT_LT(d["score"].get<double>(), 0.2) << d.dump(1);
  EXPECT_NEAR(d["later"]["score"].get<double>(), d["later"]["real_training_score"].get<double>(), 0.05) << d.dump(1);
}

TEST_F(EvaluationYardstick, BlockShuffledWindowsFailEveryYardstick) {
  auto m = evaluate_against_real(file("shuffled.h5"), "eval_shuffled");
  EXPECT_GE(m["utility"]["ratio"].get<double>(), 2.0) << m["utility"].dump(1);
  EXPECT_GE(m["discriminative"]["score"].get<double>(), 0.8) << m["discriminative"].dump(1);
  EXPECT_TRUE(m["cell_boundary"]["flagged"].get<bool>()) << m["cell_boundary"].dump(1);
  // The marginals are untouched: the histogram overlap alone cannot see the damage.
  EXPECT_GT(m["similarity"]["histogram"].get<double>(), 0.95);
}
