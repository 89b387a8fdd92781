// Connects the learned metrics (utility, discriminative score) to the
// torch-free evaluation driver, configured by the [eval] keys.
#pragma once
#include "doppel/config/config.hpp"
#include "doppel/eval/evaluate.hpp"

namespace doppel {

// Sets options.learned (unless eval.learned = false, which records the reason).
void attach_learned_metrics(eval::EvaluateOptions& options, const Config& config);

}  // namespace doppel
