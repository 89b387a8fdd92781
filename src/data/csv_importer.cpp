#include <algorithm>

#include "doppel/data/csv_reader.hpp"
#include "doppel/error.hpp"
#include "doppel/data/export.hpp"

namespace doppel {

int64_t import_csv(const std::string& csv_path, const Schema& schema, const std::string& h5_path) {
  CsvReader csv(csv_path);
  std::vector<int> attr_col, feat_col;
  for (const auto& c : schema.attributes) attr_col.push_back(csv.column(c.name));
  for (const auto& c : schema.features) feat_col.push_back(csv.column(c.name));
  int step_col = csv.column("step");
  Schema out_schema = schema;
  out_schema.kind = "sequences";
  DatasetWriter writer(h5_path, out_schema);
  const size_t A = schema.attribute_width(), F = schema.feature_width();
  const int64_t L = schema.max_len;
  std::vector<float> attrs(A), feats(size_t(L) * F);
  std::string current;
  int64_t len = 0, count = 0;
  bool open = false;
  const std::string fmt = schema.time_format.empty() ? "%Y-%m-%d %H:%M:%S" : schema.time_format;

  auto encode = [&](const ColumnSchema& c, int col, float* out) {
    const std::string& text = csv.field(col);
    if (c.encoding == Encoding::Categorical) c.encode_category(text, out, csv.where(col));
    else if (c.source == "@start_time") c.encode_number(double(parse_time(text, fmt, csv.where(col))), out);
    else c.encode_number(csv.number(col), out);
  };
  auto flush = [&]() {
    if (!open) return;
    writer.append_sequence(attrs.data(), feats.data(), int32_t(len), 0, 0);
    ++count;
  };
  while (csv.next()) {
    const std::string& id = csv.field(0);
    if (!open || id != current) {
      flush();
      current = id;
      open = true;
      len = 0;
      std::fill(feats.begin(), feats.end(), 0.0f);
      size_t o = 0;
      for (size_t i = 0; i < schema.attributes.size(); ++i) {
        encode(schema.attributes[i], attr_col[i], attrs.data() + o);
        o += schema.attributes[i].width();
      }
    }
    double step = csv.number(step_col);
    if (step != double(len))
      throw Error(csv.where(step_col) + ": expected step " + std::to_string(len) + " of sequence '" + id +
                  "' (rows of a sequence must be contiguous and in step order)");
    if (len >= L)
      throw Error(csv.where(step_col) + ": sequence '" + id + "' is longer than the schema's max_len " +
                  std::to_string(L));
    size_t o = 0;
    for (size_t i = 0; i < schema.features.size(); ++i) {
      encode(schema.features[i], feat_col[i], feats.data() + size_t(len) * F + o);
      o += schema.features[i].width();
    }
    ++len;
  }
  flush();
  if (count == 0) throw Error(csv_path + ": no data rows (only a header)");
  writer.set_metadata("source", "imported from " + csv_path);
  writer.finish();
  return count;
}

}  // namespace doppel
