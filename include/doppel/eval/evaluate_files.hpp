// Evaluation of HDF5 files as `doppel evaluate` and `doppel compare` do it: the real
// file's training split (split 0) against every item of the synthetic file, with the
// real file's test split handed to the learned metrics; writes DIR/metrics.json,
// DIR/report.md and (unless plots is false) the plots.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "doppel/eval/evaluate.hpp"

namespace doppel::eval {

// Throws Error for a missing, empty, non-HDF5 or CSV input (CSV is not supported yet)
// and for a schema mismatch (naming both files and the first differing column).
nlohmann::json evaluate_files(const std::string& real_path, const std::string& synthetic_path,
                              const std::string& out_dir, const EvaluateOptions& options, bool plots);

}  // namespace doppel::eval
