// prepare: pass 1 fits the schema from the same values pass 2 encodes.
#include "doppel/data/prepare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <set>

#include "doppel/data/csv_reader.hpp"
#include "doppel/data/dataset.hpp"
#include "doppel/error.hpp"
#include "prepare_internal.hpp"

namespace doppel {

namespace {

// Statistics of one column for fitting: range, labels, a reservoir sample for
// quantile edges (bounded memory whatever the row count).
struct ColumnStats {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::set<std::string> labels;
  std::vector<double> sample;
  int64_t seen = 0;
  size_t capacity;
  std::mt19937_64 rng;
  explicit ColumnStats(size_t cap) : capacity(cap), rng(12345) {}

  void add(const Cell& c, bool categorical) {
    if (categorical) {
      labels.insert(c.text);
      return;
    }
    min = std::min(min, c.num);
    max = std::max(max, c.num);
    ++seen;
    if (sample.size() < capacity) {
      sample.push_back(c.num);
    } else {
      uint64_t j = rng() % uint64_t(seen);
      if (j < capacity) sample[j] = c.num;
    }
  }

  ColumnSchema finish(const ColumnSpec& s, const std::string& origin) {
    ColumnSchema col;
    col.name = s.name;
    col.source = s.source;
    col.role = s.role;
    col.encoding = s.encoding;
    col.integer = s.integer;
    col.summary = s.summary;
    if (s.categorical()) {
      if (labels.empty()) throw Error(origin + ": column '" + s.name + "' has no values");
      // Calendar attributes get their whole domain, not the values this data happens to have:
      // a schema fitted on windows that all start at one hour must still encode later data
      // that starts at any hour, and the list then says nothing about the data.
      static const std::map<std::string, std::pair<int, int>> kCalendar{
          {"@start_dayofweek", {0, 6}}, {"@start_month", {1, 12}}, {"@start_hour", {0, 23}}};
      if (auto domain = kCalendar.find(s.source); domain != kCalendar.end())
        for (int v = domain->second.first; v <= domain->second.second; ++v) labels.insert(std::to_string(v));
      col.categories.assign(labels.begin(), labels.end());
      // Integer-looking labels (day of week, month) sort numerically.
      bool numeric = std::all_of(col.categories.begin(), col.categories.end(), [](const std::string& x) {
        return !x.empty() && x.find_first_not_of("-0123456789") == std::string::npos && x.size() < 18;
      });
      if (numeric)
        std::sort(col.categories.begin(), col.categories.end(),
                  [](const std::string& a, const std::string& b) { return std::stoll(a) < std::stoll(b); });
      return col;
    }
    if (seen == 0) throw Error(origin + ": column '" + s.name + "' has no values");
    col.min = min;
    col.max = max;
    // Encodings divide by max − min: a span past the largest double would write NaN features
    // and null bin edges that no later stage can read.
    if (!std::isfinite(max - min)) {
      char span[80];
      std::snprintf(span, sizeof span, "[%g, %g]", min, max);
      throw Error(origin + ": column '" + s.name + "': its values span " + span +
                  ", a range too wide to encode (max − min overflows a double)");
    }
    if (s.encoding == Encoding::Binned) {
      std::vector<double> edges;
      if (s.quantile) {
        std::sort(sample.begin(), sample.end());
        for (int k = 0; k <= s.bins; ++k) {
          double pos = double(k) * double(sample.size() - 1) / double(s.bins);
          size_t lo = size_t(pos);
          double frac = pos - double(lo);
          double v = lo + 1 < sample.size() ? sample[lo] * (1 - frac) + sample[lo + 1] * frac : sample[lo];
          edges.push_back(v);
        }
        edges.front() = min;
        edges.back() = max;
        // Ties (many equal values) collapse edges: keep strictly increasing ones.
        edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
      } else {
        for (int k = 0; k <= s.bins; ++k) edges.push_back(min + (max - min) * double(k) / s.bins);
        edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
      }
      if (edges.size() < 2) edges = {min, min + 1.0};
      col.edges = edges;
    }
    return col;
  }
};

class FitSink : public PrepareSink {
 public:
  FitSink(const Traversal& t, size_t cap) : t_(t) {
    for (size_t i = 0; i < t.attributes.size(); ++i) attrs_.emplace_back(cap);
    for (size_t i = 0; i < t.features.size(); ++i) feats_.emplace_back(cap);
  }
  void sequence(const std::vector<Cell>& a, const std::vector<std::vector<Cell>>& steps, uint8_t,
                int64_t) override {
    add_attrs(a);
    for (const auto& row : steps) add_feats(row);
    max_len_ = std::max<int64_t>(max_len_, int64_t(steps.size()));
  }
  int64_t series(const std::vector<std::vector<Cell>>& rows) override {
    for (const auto& row : rows) add_feats(row);
    return 0;
  }
  void window(const std::vector<Cell>& a, int64_t, uint8_t, int64_t) override {
    add_attrs(a);
    ++windows_;
  }
  void fill(Schema& schema, const std::string& origin) {
    for (size_t i = 0; i < attrs_.size(); ++i) schema.attributes.push_back(attrs_[i].finish(t_.attributes[i], origin));
    for (size_t i = 0; i < feats_.size(); ++i) schema.features.push_back(feats_[i].finish(t_.features[i], origin));
  }
  int64_t windows_ = 0, max_len_ = 0;

 private:
  void add_attrs(const std::vector<Cell>& a) {
    for (size_t i = 0; i < a.size(); ++i) attrs_[i].add(a[i], t_.attributes[i].categorical());
  }
  void add_feats(const std::vector<Cell>& r) {
    for (size_t i = 0; i < r.size(); ++i) feats_[i].add(r[i], t_.features[i].categorical());
  }
  const Traversal& t_;
  std::vector<ColumnStats> attrs_, feats_;
};

class EncodeSink : public PrepareSink {
 public:
  // `context`: the input file; `fixed_origin`: where a given schema came from ("" = fitted).
  EncodeSink(const Schema& s, DatasetWriter& w, std::string context, std::string fixed_origin)
      : schema_(s), writer_(w), context_(std::move(context)), fixed_origin_(std::move(fixed_origin)) {}
  void sequence(const std::vector<Cell>& a, const std::vector<std::vector<Cell>>& steps, uint8_t split,
                int64_t start) override {
    where_ = start;
    encode_attrs(a);
    feat_buf_.assign(steps.size() * schema_.feature_width(), 0.0f);
    for (size_t k = 0; k < steps.size(); ++k) encode_feats(steps[k], feat_buf_.data() + k * schema_.feature_width());
    writer_.append_sequence(attr_buf_.data(), feat_buf_.data(), int32_t(steps.size()), split, start);
    (split == 1 ? test : split == 2 ? public_items : train)++;
  }
  int64_t series(const std::vector<std::vector<Cell>>& rows) override {
    const size_t F = schema_.feature_width();
    feat_buf_.assign(rows.size() * F, 0.0f);
    for (size_t k = 0; k < rows.size(); ++k) encode_feats(rows[k], feat_buf_.data() + k * F);
    return writer_.append_series(feat_buf_.data(), int64_t(rows.size()));
  }
  void window(const std::vector<Cell>& a, int64_t start_row, uint8_t split, int64_t start) override {
    where_ = start;
    encode_attrs(a);
    writer_.append_window(attr_buf_.data(), start_row, split, start);
    (split == 1 ? test : split == 2 ? public_items : train)++;
  }
  int64_t train = 0, test = 0, public_items = 0;
  std::map<std::string, int64_t> outside_range;  // column -> values clamped to a given schema's range

 private:
  void encode(const ColumnSchema& c, const Cell& v, float* out) {
    if (c.encoding == Encoding::Categorical) {
      if (!fixed_origin_.empty() && std::find(c.categories.begin(), c.categories.end(), v.text) == c.categories.end())
        throw Error(context_ + ": the " + std::string(schema_.kind == "windows" ? "window" : "sequence") +
                    " starting " + format_time(where_, "%Y-%m-%d %H:%M:%S") + ": column '" + c.name +
                    "': category '" + v.text + "' is not in the schema of " + fixed_origin_ +
                    " (it knows " + std::to_string(c.categories.size()) + ": " + join_some(c.categories) +
                    "); that schema cannot encode it");
      c.encode_category(v.text, out, context_);
      return;
    }
    if (!fixed_origin_.empty()) {
      const double lo = c.encoding == Encoding::Binned ? c.edges.front() : c.min;
      const double hi = c.encoding == Encoding::Binned ? c.edges.back() : c.max;
      if (v.num < lo || v.num > hi) ++outside_range[c.name];
    }
    c.encode_number(v.num, out);
  }
  static std::string join_some(const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < 12; ++i) s += (i ? ", " : "") + v[i];
    return v.size() > 12 ? s + ", ..." : s;
  }
  void encode_attrs(const std::vector<Cell>& a) {
    attr_buf_.assign(schema_.attribute_width(), 0.0f);
    size_t o = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      encode(schema_.attributes[i], a[i], attr_buf_.data() + o);
      o += schema_.attributes[i].width();
    }
  }
  void encode_feats(const std::vector<Cell>& r, float* out) {
    size_t o = 0;
    for (size_t i = 0; i < r.size(); ++i) {
      encode(schema_.features[i], r[i], out + o);
      o += schema_.features[i].width();
    }
  }
  const Schema& schema_;
  DatasetWriter& writer_;
  std::vector<float> attr_buf_, feat_buf_;
  std::string context_, fixed_origin_;
  int64_t where_ = 0;  // start time of the item being encoded, for messages
};

// "" when the config's columns are those of `s` (names, roles, encodings, order), else the
// first difference.
std::string column_difference(const std::vector<ColumnSpec>& specs, const std::vector<ColumnSchema>& cols,
                              const char* role) {
  for (size_t i = 0; i < std::max(specs.size(), cols.size()); ++i) {
    if (i >= specs.size()) return std::string(role) + " '" + cols[i].name + "' is in the schema but not in the config";
    if (i >= cols.size()) return std::string(role) + " '" + specs[i].name + "' is in the config but not in the schema";
    if (specs[i].name != cols[i].name)
      return std::string(role) + " " + std::to_string(i) + " is '" + specs[i].name + "' in the config, '" +
             cols[i].name + "' in the schema";
    if (specs[i].encoding != cols[i].encoding)
      return std::string(role) + " '" + specs[i].name + "': encoding " + to_string(specs[i].encoding) +
             " in the config, " + to_string(cols[i].encoding) + " in the schema";
  }
  return "";
}

}  // namespace

PrepareResult prepare_dataset(const Config& c, const std::string& out_path,
                              const std::function<void(const std::string&)>& log, const FixedSchema* fixed) {
  std::string kind = c.string("data.kind");
  if (kind != "sequences" && kind != "windows")
    throw Error(c.origin() + ": data.kind must be 'sequences' or 'windows', got '" + kind + "'");
  if (c.string("data.input").empty()) throw Error(c.origin() + ": data.input is empty (the CSV to prepare)");
  double tf = c.number("data.test_fraction");
  if (tf < 0 || tf >= 1) throw Error(c.origin() + ": data.test_fraction must be in [0, 1)");
  double pf = c.number("data.public_fraction");
  if (pf < 0 || pf >= 1) throw Error(c.origin() + ": data.public_fraction must be in [0, 1)");
  const bool test_by_time = !c.string("data.test_from").empty();
  if (test_by_time && kind != "windows")
    throw Error(c.origin() + ": data.test_from splits windows by time; for sequences use data.test_fraction");
  if (!test_by_time && tf + pf >= 1)
    throw Error(c.origin() + ": data.test_fraction + data.public_fraction must be < 1 (nothing would be left to train on)");
  auto specs = column_specs_from_config(c, kind);
  Traversal t{c, {}, {}, log, "1/2 (fit)"};
  for (const auto& s : specs) (s.role == Role::Attribute ? t.attributes : t.features).push_back(s);

  PrepareResult result;
  Schema& schema = result.schema;
  schema.kind = kind;
  schema.id_column = c.string("data.id_column");
  schema.time_column = c.string("data.time_column");
  schema.time_format = c.string("data.time_format");
  schema.balance_column = c.string("data.balance_column");
  schema.balance_initial = c.string("data.balance_initial");
  schema.balance_amount = c.string("data.balance_amount");
  if (!schema.balance_column.empty()) {
    bool ok = false;
    for (const auto& s : t.attributes) ok |= s.name == schema.balance_initial && !s.categorical();
    bool ok2 = false;
    for (const auto& s : t.features) ok2 |= s.name == schema.balance_amount && !s.categorical();
    if (!ok || !ok2)
      throw Error(c.origin() + ": data.balance_column needs data.balance_initial to name a numeric attribute "
                  "and data.balance_amount a numeric feature");
  }

  nlohmann::json report;
  if (fixed) {
    if (fixed->schema.kind != kind)
      throw Error(fixed->origin + ": its schema is for data.kind '" + fixed->schema.kind + "', the config says '" + kind + "'");
    std::string diff = column_difference(t.attributes, fixed->schema.attributes, "attribute");
    if (diff.empty()) diff = column_difference(t.features, fixed->schema.features, "feature");
    if (!diff.empty()) throw Error("the config's columns do not match the schema of " + fixed->origin + ": " + diff);
    if (kind == "windows" && (c.integer("data.window") != fixed->schema.max_len ||
                              c.integer("data.step_seconds") != fixed->schema.step_seconds))
      throw Error("data.window / data.step_seconds (" + std::to_string(c.integer("data.window")) + " / " +
                  std::to_string(c.integer("data.step_seconds")) + ") differ from the schema of " + fixed->origin +
                  " (" + std::to_string(fixed->schema.max_len) + " / " + std::to_string(fixed->schema.step_seconds) + ")");
    schema = fixed->schema;
    t.pass = "1/1 (encode with the schema of " + fixed->origin + ")";
  } else {
    FitSink fit(t, size_t(std::max<long long>(1000, c.integer("data.quantile_sample"))));
    report = kind == "sequences" ? traverse_sequences(t, fit) : traverse_windows(t, fit);
    if (kind == "windows") {
      schema.max_len = c.integer("data.window");
      schema.step_seconds = c.integer("data.step_seconds");
      if (fit.windows_ == 0)
        throw Error(c.string("data.input") + ": no window of " + std::to_string(schema.max_len) +
                    " steps fits in any gap-free segment (see data.window, data.max_gap_fill)");
    } else {
      schema.max_len = c.integer("data.max_len");
    }
    fit.fill(schema, c.string("data.input"));
    t.pass = "2/2 (encode)";
  }

  DatasetWriter writer(out_path, schema, int(c.integer("data.compression")), c.integer("data.chunk"));
  EncodeSink enc(schema, writer, c.string("data.input"), fixed ? fixed->origin : "");
  nlohmann::json encoded = kind == "sequences" ? traverse_sequences(t, enc) : traverse_windows(t, enc);
  if (fixed) {
    report = encoded;
    report["schema_from"] = fixed->origin;
    report["values_outside_schema_range"] = enc.outside_range;
    for (const auto& [column, count] : enc.outside_range)
      if (log) log("prepare: warning: " + std::to_string(count) + " values of '" + column + "' lie outside the range of the schema of " +
                   fixed->origin + " and were clamped to it");
  }
  result.rows = report.value("rows", int64_t(0));
  result.items = enc.train + enc.test + enc.public_items;
  result.train = enc.train;
  result.test = enc.test;
  result.public_items = enc.public_items;
  report["items"] = result.items;
  report["train"] = result.train;
  report["test"] = result.test;
  report["public"] = result.public_items;
  result.report_json = report.dump(1);
  writer.set_metadata("prepare_report", result.report_json);
  writer.set_metadata("config", c.to_toml());
  writer.finish();
  return result;
}

}  // namespace doppel
