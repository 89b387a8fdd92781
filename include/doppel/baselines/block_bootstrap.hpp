// The block-bootstrap baseline: synthetic sequences made by resampling real ones.
// Each synthetic sequence takes the attributes and length of a uniformly drawn real
// training sequence and rebuilds its features from blocks of `block` consecutive
// steps copied from that same sequence at uniformly random offsets (a moving-block
// bootstrap within the sequence), so marginals and short-range dependence are kept
// and longer-range order is broken. Values are copied in encoded form.
#pragma once
#include <cstdint>
#include <functional>

#include "doppel/data/batch_source.hpp"

namespace doppel::eval {

struct BootstrapOptions {
  int64_t n = 1000;     // synthetic sequences
  int64_t block = 24;   // steps per block
  uint64_t seed = 0;
  int64_t read_block = 4096;  // synthetic sequences built per read of the source
};

// Called once per synthetic sequence: encoded attributes [A], features [length × F].
using SequenceSink = std::function<void(const float* attributes, const float* features, int32_t length)>;

// Throws Error when `source` is empty or block < 1.
void block_bootstrap(const BatchSource& source, const BootstrapOptions& options, const SequenceSink& sink);

}  // namespace doppel::eval
