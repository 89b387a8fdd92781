// The [[columns]] of a config, checked, with the input column each one reads.
#pragma once
#include <string>
#include <vector>

#include "doppel/config/config.hpp"
#include "doppel/data/schema.hpp"

namespace doppel {

struct ColumnSpec {
  std::string name, source, summary;
  Role role;
  Encoding encoding;
  bool integer = false;
  int bins = 20;
  bool quantile = true;
  bool derived = false;  // source starts with '@'
  int csv_column = -1;   // input column index (not derived)
  bool categorical() const { return encoding == Encoding::Categorical; }
};

// Reads and validates config columns; `kind` is "sequences" or "windows".
std::vector<ColumnSpec> column_specs_from_config(const Config& config, const std::string& kind);

// One raw value: a number, or a label for categorical columns.
struct Cell {
  double num = 0;
  std::string text;
};

}  // namespace doppel
