#include "learned_metrics_hook.hpp"

#include <cmath>
#include <iostream>
#include <map>
#include <memory>

#include "doppel/error.hpp"
#include "doppel/eval/learned_metrics.hpp"

namespace doppel {

namespace {

// Checked here, before the (long) similarity part of an evaluation runs.
long long at_least(const Config& c, const char* key, long long lo) {
  const long long v = c.integer(key);
  if (v < lo) throw Error(std::string(key) + " must be at least " + std::to_string(lo) + ", got " + std::to_string(v));
  return v;
}

}  // namespace

void attach_learned_metrics(eval::EvaluateOptions& options, const Config& c) {
  if (!c.boolean("eval.learned")) {
    options.learned = nullptr;
    options.learned_skip_reason = "eval.learned = false";
    return;
  }
  eval::BoostingOptions trees;
  trees.max_rounds = int(at_least(c, "eval.learned_max_rounds", 1));
  trees.threads = int(at_least(c, "eval.learned_threads", 0));
  UtilityOptions u;
  u.window = int(at_least(c, "eval.utility_window", 1));
  u.period = int(at_least(c, "eval.utility_period", 1));
  u.max_windows = at_least(c, "eval.utility_max_windows", 1);
  u.repeats = int(at_least(c, "eval.utility_repeats", 1));
  u.target = c.string("eval.utility_target");
  u.horizons.clear();
  for (double h : c.numbers("eval.utility_horizons")) {
    if (!(h >= 1) || h != std::floor(h))
      throw Error("eval.utility_horizons must hold whole numbers >= 1, got " + std::to_string(h));
    u.horizons.push_back(int(h));
  }
  if (u.horizons.empty()) throw Error("eval.utility_horizons is empty: give at least one horizon, e.g. [1]");
  u.seed = uint64_t(c.integer("eval.seed"));
  u.boosting = trees;
  DiscriminativeOptions d;
  d.max_sequences = at_least(c, "eval.discriminative_max_sequences", 10);
  d.seed = uint64_t(c.integer("eval.seed"));
  d.boosting = trees;
  // One cache for every file this hook evaluates (`doppel compare`: several synthetic files,
  // one real file, so the real forecasters are trained once).
  auto cache = std::make_shared<RealForecasterCache>();
  auto floor = std::make_shared<std::map<std::pair<int64_t, int64_t>, nlohmann::json>>();
  options.learned = [u, d, cache, floor](const BatchSource& train, const BatchSource& test, const BatchSource& syn) {
    auto progress = [](const std::string& line) { std::cerr << line << "\n"; };
    nlohmann::json out;
    out["utility"] = utility_score(train, test, syn, u, progress, cache.get());
    // Against the real training data: what the generator could learn. Against the later test
    // data too, beside the score of the real training data itself against it (the drift
    // between the periods, which no generator of the training data can beat); that floor
    // depends on the real data only and is computed once per process.
    nlohmann::json disc = discriminative_score(train, syn, d, progress);
    if (test.size() > 0) {
      const nlohmann::json later = discriminative_score(test, syn, d, progress);
      const auto key = std::make_pair(train.size(), test.size());
      if (!floor->count(key)) (*floor)[key] = discriminative_score(test, train, d, progress);
      disc["later"] = {{"score", later["score"]}, {"accuracy", later["accuracy"]},
                       {"real_training_score", (*floor)[key]["score"]}};
    }
    out["discriminative"] = disc;
    return out;
  };
}

}  // namespace doppel
