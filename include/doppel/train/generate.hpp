// Generation from a checkpoint: unconditional, or conditioned on given attributes.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "doppel/config/config.hpp"
#include "doppel/data/dataset.hpp"
#include "doppel/model/generator.hpp"

namespace doppel {

struct LoadedGenerator {
  Config config;  // the resolved config stored in the checkpoint
  Schema schema;  // the schema stored in the checkpoint
  ModelOptions options;
  ModelLayout layout;
  Generator generator{nullptr};
  int64_t step = 0;
  bool moving_average = false;  // the generator holds the run's moving average of its weights
  // The run's privacy summary (JSON: epsilon spent, delta, sigma, q, ...) at this
  // checkpoint; empty for a non-private run. Written into generated files' metadata.
  std::string privacy;
};

// Reads the generator, config and schema of a checkpoint written by Trainer.
LoadedGenerator load_generator(const std::string& checkpoint_path);

// Generates n sequences in batches of `batch` from a generator seeded with `seed`, calling
// `sink` with each encoded Batch (index = position in the output). `given` (optional):
// n × A encoded attributes to condition on. Same checkpoint + seed + threads: same numbers.
void generate_sequences(LoadedGenerator& model, int64_t n, int64_t batch, uint64_t seed,
                        const std::vector<float>* given, const std::function<void(const Batch&)>& sink);

// Encodes the attribute columns of a CSV (header names the schema's attribute columns, values
// in original units) with the schema; n × A floats. Throws Error naming file, line, column.
// Reads what `doppel export` writes: the start-time attribute as a timestamp in the schema's time
// format, or as epoch seconds. A number outside the range the schema was fitted on is clamped to
// it by the encoding: with `strict` that is an Error naming file, line and column; otherwise
// `clamped` (if given) gets one line per affected column, "temperature: 3 values outside [a, b]".
std::vector<float> read_given_attributes(const std::string& csv_path, const Schema& schema, int64_t* rows,
                                         bool strict = false, std::vector<std::string>* clamped = nullptr);

}  // namespace doppel
