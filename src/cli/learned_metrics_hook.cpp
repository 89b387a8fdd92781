#include "learned_metrics_hook.hpp"

#include <iostream>

#include "doppel/error.hpp"
#include "doppel/eval/learned_metrics.hpp"

namespace doppel {

void attach_learned_metrics(eval::EvaluateOptions& options, const Config& c) {
  if (!c.boolean("eval.learned")) {
    options.learned = nullptr;
    options.learned_skip_reason = "eval.learned = false";
    return;
  }
  UtilityOptions u;
  u.steps = int(c.integer("eval.utility_steps"));
  u.max_windows = c.integer("eval.utility_max_windows");
  u.target = c.string("eval.utility_target");
  u.repeats = int(c.integer("eval.utility_repeats"));
  // Checked here, before the (long) similarity part of an evaluation runs.
  for (const char* key : {"eval.utility_steps", "eval.utility_max_windows", "eval.utility_repeats", "eval.discriminative_steps"})
    if (c.integer(key) < 1) throw Error(std::string(key) + " must be at least 1, got " + std::to_string(c.integer(key)));
  u.seed = uint64_t(c.integer("eval.seed"));
  DiscriminativeOptions d;
  d.steps = int(c.integer("eval.discriminative_steps"));
  d.seed = uint64_t(c.integer("eval.seed"));
  // One cache for every file this hook evaluates (`doppel compare`: several synthetic files,
  // one real file, so the real forecasters are trained once).
  auto cache = std::make_shared<RealForecasterCache>();
  options.learned = [u, d, cache](const BatchSource& train, const BatchSource& test, const BatchSource& syn) {
    auto progress = [](const std::string& line) { std::cerr << line << "\n"; };
    nlohmann::json out;
    out["utility"] = utility_score(train, test, syn, u, progress, cache.get());
    out["discriminative"] = discriminative_score(test.size() > 0 ? test : train, syn, d, progress);
    return out;
  };
}

}  // namespace doppel
