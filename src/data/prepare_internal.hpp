// Shared pieces of `prepare`: the row traversals (sequences, windows) feed a sink
// twice — once to fit the schema, once to encode and write — so both passes see
// exactly the same values.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "column_spec.hpp"

namespace doppel {

class PrepareSink {
 public:
  virtual ~PrepareSink() = default;
  // attrs: one Cell per attribute spec; steps: per step, one Cell per feature spec.
  virtual void sequence(const std::vector<Cell>& attrs, const std::vector<std::vector<Cell>>& steps,
                        uint8_t split, int64_t start_time) = 0;
  // Windows: rows of a regular segment; returns the row index of its first row.
  virtual int64_t series(const std::vector<std::vector<Cell>>& rows) = 0;
  virtual void window(const std::vector<Cell>& attrs, int64_t start_row, uint8_t split,
                      int64_t start_time) = 0;
};

struct Traversal {
  const Config& config;
  std::vector<ColumnSpec> attributes, features;  // in schema order
  std::function<void(const std::string&)> log;
  std::string pass;  // "1/2 (fit)" or "2/2 (encode)", for progress lines
};

// Both return a report of what the policies did; throw Error naming file/line/column.
nlohmann::json traverse_sequences(const Traversal& t, PrepareSink& sink);
nlohmann::json traverse_windows(const Traversal& t, PrepareSink& sink);

// Derived per-sequence value of `source` ("@start_time", "@start_dayofweek", ...) at time t.
Cell derived_start_cell(const std::string& source, int64_t t);
// Stable hash of an id for the test split: uniform in [0, 1).
double split_hash(const std::string& id, uint64_t seed);

// Progress line every so many rows.
class RowProgress {
 public:
  RowProgress(const Traversal& t) : t_(t) {}
  void tick(int64_t rows);
  void done(int64_t rows);

 private:
  const Traversal& t_;
  int64_t next_ = 1000000;
  double start_ = now();
  static double now();
};

}  // namespace doppel
