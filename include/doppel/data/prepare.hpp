// `doppel prepare`: CSV -> schema fit (pass 1) -> encoded HDF5 data set (pass 2).
// Both passes stream the input: memory holds one entity (sequences) or one series
// (windows) at a time, plus bounded samples for quantile bin edges.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "doppel/config/config.hpp"
#include "doppel/data/schema.hpp"

namespace doppel {

struct PrepareResult {
  Schema schema;
  int64_t rows = 0;         // CSV data rows read (one pass)
  int64_t items = 0;        // sequences or windows written
  int64_t train = 0, test = 0;
  int64_t public_items = 0;  // split 2 (data.public_fraction)
  std::string report_json;  // what the policies did (also stored as metadata "prepare_report")
};

// An existing schema to encode with instead of fitting one (`prepare --schema-from`): a
// later month or another site encoded exactly like the training data, so that models and
// evaluations of the first file read the second. `origin` names where it came from.
struct FixedSchema {
  Schema schema;
  std::string origin;
};

// Progress messages go to `log` (e.g. stderr); may be empty. With `fixed`, the config's
// columns must match its columns (name, role, encoding, in order); a category it does not
// know is refused, naming the column, the value and where it occurs; numbers outside its
// range are clamped to it and counted per column in the report
// (`values_outside_schema_range`).
PrepareResult prepare_dataset(const Config& config, const std::string& out_path,
                              const std::function<void(const std::string&)>& log = {},
                              const FixedSchema* fixed = nullptr);

}  // namespace doppel
