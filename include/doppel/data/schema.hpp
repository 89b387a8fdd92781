// The schema: the list of encoded outputs (attributes and features), fitted once
// by `prepare`, stored inside every HDF5 file, and used by every later stage to
// encode and decode. Nothing downstream re-derives it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace doppel {

enum class Role { Attribute, Feature };
enum class Encoding { ZeroOne, MinusOneOne, Categorical, Binned };

const char* to_string(Role r);
const char* to_string(Encoding e);
Role role_from_string(const std::string& s, const std::string& context);
Encoding encoding_from_string(const std::string& s, const std::string& context);

struct ColumnSchema {
  std::string name;    // output column name
  std::string source;  // input column or derived value (@delta, @start_time, ...)
  Role role = Role::Feature;
  Encoding encoding = Encoding::ZeroOne;
  bool integer = false;                 // continuous: decode rounds
  double min = 0.0, max = 1.0;          // continuous: fitted range
  std::vector<std::string> categories;  // categorical: one-hot order
  std::vector<double> edges;            // binned: bins+1 increasing edges
  std::string summary = "first";        // how the attribute is summarised

  bool discrete() const { return encoding == Encoding::Categorical || encoding == Encoding::Binned; }
  size_t width() const;  // number of encoded floats

  // Continuous: value -> [0,1] or [-1,1] (clamped); discrete: index -> one-hot.
  void encode_number(double value, float* out) const;
  // Categorical: category -> one-hot; throws Error naming `context` if unseen.
  void encode_category(const std::string& value, float* out, const std::string& context) const;
  // Binned: value -> its bin index (clamped to the edges).
  size_t bin_of(double value) const;
  // Decoding: continuous -> original units; binned -> bin midpoint; categorical ->
  // argmax index (use categories[i] for the label).
  double decode_number(const float* in) const;
  size_t decode_index(const float* in) const;
  std::string decode_text(const float* in) const;  // the value as written in CSVs
};

// What a model needs to know about one output block.
struct OutputSpec {
  std::string name;
  size_t width;
  bool discrete;     // softmax; else sigmoid (zero_one) or tanh (minusone_one)
  bool minus_one;    // continuous in [-1, 1]
};

struct Schema {
  std::string kind = "sequences";  // "sequences" or "windows"
  int64_t max_len = 100;           // sequence length L (window length for windows)
  std::string id_column, time_column, time_format;
  int64_t step_seconds = 0;
  std::vector<ColumnSchema> attributes, features;
  std::string balance_column, balance_initial, balance_amount;

  size_t attribute_width() const;
  size_t feature_width() const;
  std::vector<OutputSpec> attribute_outputs() const;
  std::vector<OutputSpec> feature_outputs() const;
  // Offset of column i's block inside the encoded attribute / feature vector.
  size_t attribute_offset(size_t i) const;
  size_t feature_offset(size_t i) const;
  const ColumnSchema* find_attribute(const std::string& name) const;  // nullptr if absent
  const ColumnSchema* find_feature(const std::string& name) const;

  std::string to_json() const;
  static Schema from_json(const std::string& text, const std::string& context);
  bool same_layout(const Schema& other) const;  // same outputs, widths and encodings
};

}  // namespace doppel
