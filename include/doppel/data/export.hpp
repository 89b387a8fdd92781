// Decoding to the long CSV format shared by `doppel export`, `doppel generate
// --out x.csv` and `doppel evaluate`: one row per valid time step with
//   windows:   window_id, step, <time>, attributes..., features...
//   sequences: <id column or sequence_id>, step, <time>, attributes..., features..., <balance>
// attributes repeated on every row of their sequence, all in original units. <time>
// appears when it can be rebuilt: windows from start_time + step × step_seconds;
// sequences from an @start_time attribute + cumulative @delta feature. <balance>
// (sequences with data.balance_column) is initial balance + cumulative amounts.
#pragma once
#include <ostream>
#include <string>

#include "doppel/data/dataset.hpp"

namespace doppel {

class CsvExporter {
 public:
  CsvExporter(const Schema& schema, std::ostream& out);  // writes the header line
  void write(const Batch& batch);
  int64_t rows() const { return rows_; }

 private:
  const Schema& schema_;
  std::ostream& out_;
  int64_t rows_ = 0;
  int start_attr_ = -1, delta_feat_ = -1, bal_attr_ = -1, bal_feat_ = -1;
};

// Decodes the whole HDF5 data set to `csv_path` (atomically), streaming in blocks.
int64_t export_csv(const std::string& h5_path, const std::string& csv_path);

}  // namespace doppel

namespace doppel {

// The inverse of export: reads a long CSV in the export format (rows grouped by the
// first column, steps 0, 1, ... in order; attribute and feature columns named as in
// `schema`, extra columns such as time or balance ignored) and writes an HDF5 data set
// of kind "sequences" with that schema, streaming (one sequence in memory). Values are
// re-encoded with the schema: unseen categories, non-numbers, steps out of order or
// sequences longer than schema.max_len are errors naming the file, line and column.
// Every item gets split 0 (the CSV carries no split). Returns the number of sequences.
int64_t import_csv(const std::string& csv_path, const Schema& schema, const std::string& h5_path);

}  // namespace doppel
