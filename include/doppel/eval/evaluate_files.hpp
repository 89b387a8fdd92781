// Evaluation of HDF5 files as `doppel evaluate` and `doppel compare` do it: the real
// file's training split (split 0) against every item of the synthetic file, with the
// real file's test split handed to the learned metrics; writes DIR/metrics.json,
// DIR/report.md and (unless plots is false) the plots.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "doppel/eval/evaluate.hpp"

namespace doppel::eval {

// The generator's cell length (model.sample_len of the stored config) of a file written by
// `doppel generate`; 0 for any other file (prepared data, baselines, CSV). The cell-boundary
// diagnostic uses it when eval.cell_length is 0.
int generator_cell_length(const std::string& path);

// Throws Error for a missing, empty or unreadable input and for a schema mismatch (naming
// both files and the first differing column).
nlohmann::json evaluate_files(const std::string& real_path, const std::string& synthetic_path,
                              const std::string& out_dir, const EvaluateOptions& options, bool plots);

}  // namespace doppel::eval
