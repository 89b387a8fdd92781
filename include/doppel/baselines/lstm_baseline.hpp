// The LSTM baseline generator (`doppel baseline lstm`): an autoregressive LSTM over the
// previous steps with the attributes joined to its last hidden layer, trained on the real
// training split; attributes of generated sequences are resampled from real rows. This
// header is torch-free: the model lives behind the pimpl. Details: docs/baselines.md.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>

#include "doppel/data/batch_source.hpp"
#include "doppel/eval/sampling.hpp"

namespace doppel {

// `doppel baseline lstm`: train the LSTM baseline on a prepared file's train split and
// write synthetic sequences (arguments after "lstm").
int cmd_baseline_lstm(int argc, char** argv);

// ---- LSTM baseline generator ------------------------------------------------------
struct LstmBaselineOptions {
  int window = 30;                 // previous steps the model sees (zero-padded at the start)
  int hidden = 100;
  int layers = 2;
  int attribute_hidden = 32;       // width of the dense layer the attributes pass through
  int steps = 2000;                // Adam steps
  int batch = 64;
  double learning_rate = 1e-3;
  int64_t pool_sequences = 2048;   // training sequences held in memory at once
  int pool_refresh = 200;          // steps between pool redraws (large sources only)
  int64_t attribute_pool = 10000;  // training attribute rows generation resamples from
  uint64_t seed = 0;
};

class LstmBaseline {
 public:
  LstmBaseline(const Schema& schema, const LstmBaselineOptions& opt);
  ~LstmBaseline();
  LstmBaseline(const LstmBaseline&) = delete;
  LstmBaseline& operator=(const LstmBaseline&) = delete;

  // Trains on `train` (same layout as the schema); returns the final smoothed loss.
  double train(const BatchSource& train, const ProgressFn& progress = {});
  // Generates n sequences in chunks, handing each chunk to `sink` (Batch of ≤ chunk
  // items, L = schema.max_len, zero after each length, split 0).
  void generate(int64_t n, uint64_t seed, const std::function<void(const Batch&)>& sink,
                int64_t chunk = 512, const ProgressFn& progress = {}) const;
  Batch generate(int64_t n, uint64_t seed) const;  // all at once (small n)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace doppel
