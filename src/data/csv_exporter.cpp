#include <cmath>
#include <iomanip>

#include "doppel/config/atomic_file.hpp"
#include "doppel/data/csv_reader.hpp"
#include "doppel/error.hpp"
#include "doppel/data/export.hpp"
#include "doppel/config/file_output_stream.hpp"

namespace doppel {

namespace {
std::string quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
std::string time_format(const Schema& s) {
  return s.time_format.empty() ? std::string("%Y-%m-%d %H:%M:%S") : s.time_format;
}
}  // namespace

CsvExporter::CsvExporter(const Schema& schema, std::ostream& out) : schema_(schema), out_(out) {
  for (size_t i = 0; i < schema.attributes.size(); ++i) {
    if (schema.attributes[i].source == "@start_time") start_attr_ = int(i);
    if (!schema.balance_column.empty() && schema.attributes[i].name == schema.balance_initial) bal_attr_ = int(i);
  }
  for (size_t i = 0; i < schema.features.size(); ++i) {
    if (schema.features[i].source == "@delta") delta_feat_ = int(i);
    if (!schema.balance_column.empty() && schema.features[i].name == schema.balance_amount) bal_feat_ = int(i);
  }
  bool windows = schema.kind == "windows";
  out_ << (windows ? "window_id" : (schema.id_column.empty() ? "sequence_id" : schema.id_column)) << ",step";
  bool has_time = windows ? schema.step_seconds > 0 : (start_attr_ >= 0 && delta_feat_ >= 0);
  if (has_time) out_ << "," << (schema.time_column.empty() ? "time" : schema.time_column);
  else start_attr_ = -1;
  for (const auto& c : schema.attributes) out_ << "," << quote(c.name);
  for (const auto& c : schema.features) out_ << "," << quote(c.name);
  if (bal_attr_ >= 0 && bal_feat_ >= 0) out_ << "," << quote(schema.balance_column);
  out_ << "\n";
}

void CsvExporter::write(const Batch& b) {
  const bool windows = schema_.kind == "windows";
  const std::string fmt = time_format(schema_);
  std::vector<std::string> attr_text(schema_.attributes.size());
  for (int64_t i = 0; i < b.n; ++i) {
    const float* a = b.attributes.data() + i * b.A;
    size_t o = 0;
    for (size_t k = 0; k < schema_.attributes.size(); ++k) {
      const auto& c = schema_.attributes[k];
      attr_text[k] = c.source == "@start_time" ? format_time(int64_t(std::llround(c.decode_number(a + o))), fmt)
                                               : quote(c.decode_text(a + o));
      o += c.width();
    }
    int64_t t = 0;
    if (windows) t = b.start_time.empty() ? 0 : b.start_time[i];
    else if (start_attr_ >= 0)
      t = int64_t(std::llround(schema_.attributes[start_attr_].decode_number(a + schema_.attribute_offset(start_attr_))));
    double balance = bal_attr_ >= 0 ? schema_.attributes[bal_attr_].decode_number(a + schema_.attribute_offset(bal_attr_)) : 0;
    int64_t id = b.index.empty() ? rows_ : b.index[i];
    for (int32_t s = 0; s < b.lengths[i]; ++s) {
      const float* f = b.features.data() + (i * b.L + s) * b.F;
      out_ << id << "," << s;
      if (windows && schema_.step_seconds > 0) {
        out_ << "," << format_time(t + s * schema_.step_seconds, fmt);
      } else if (start_attr_ >= 0) {
        t += int64_t(std::llround(schema_.features[delta_feat_].decode_number(f + schema_.feature_offset(delta_feat_))));
        out_ << "," << format_time(t, fmt);
      }
      for (const auto& txt : attr_text) out_ << "," << txt;
      size_t fo = 0;
      for (const auto& c : schema_.features) {
        out_ << "," << quote(c.decode_text(f + fo));
        fo += c.width();
      }
      if (bal_attr_ >= 0 && bal_feat_ >= 0) {
        balance += schema_.features[bal_feat_].decode_number(f + schema_.feature_offset(bal_feat_));
        out_ << "," << std::fixed << std::setprecision(2) << balance << std::defaultfloat;
      }
      out_ << "\n";
    }
  }
  rows_ += b.n;
}

int64_t export_csv(const std::string& h5_path, const std::string& csv_path) {
  DatasetReader reader(h5_path);
  AtomicFile file(csv_path);
  int64_t steps = 0;
  {
    FileOutputStream out(file.temp_path());
    out << std::setprecision(10);
    CsvExporter exporter(reader.schema(), out);
    const int64_t block = 4096;
    for (int64_t b = 0; b < reader.size(); b += block) {
      Batch batch = reader.read(b, std::min(reader.size(), b + block));
      for (auto l : batch.lengths) steps += l;
      exporter.write(batch);
    }
    out.close(csv_path);
  }
  file.commit();
  return steps;
}

}  // namespace doppel
