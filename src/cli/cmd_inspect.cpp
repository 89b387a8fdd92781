// `doppel inspect FILE.h5`: what a data set holds (kind, counts, lengths, schema,
// metadata) and per-column summaries in original units, computed by streaming the
// file in blocks so files larger than memory can be inspected.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "doppel/cli/args.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/data/dataset.hpp"
#include "doppel/error.hpp"

namespace doppel {

namespace {

using nlohmann::json;

constexpr int64_t kItemBlock = 4096;     // items per read while streaming
constexpr int64_t kSeriesBlock = 65536;  // series rows per read (windows)
constexpr size_t kTop = 5;               // categories / bins listed per discrete column

// Running summary of one column: min/mean/max of decoded values for continuous
// columns, counts per category or bin for discrete ones.
struct ColumnSummary {
  const ColumnSchema* col;
  int64_t n = 0;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
  std::vector<int64_t> counts;

  explicit ColumnSummary(const ColumnSchema* c) : col(c), counts(c->discrete() ? c->width() : 0) {}

  void add(const float* encoded) {
    ++n;
    if (col->discrete()) {
      ++counts[col->decode_index(encoded)];
      return;
    }
    double v = col->decode_number(encoded);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }

  std::string label(size_t i) const {
    if (col->encoding == Encoding::Categorical) return col->categories[i];
    std::ostringstream o;
    o << "[" << col->edges[i] << ", " << col->edges[i + 1] << (i + 2 == col->edges.size() ? "]" : ")");
    return o.str();
  }

  // Indices of the most frequent categories / bins, most frequent first.
  std::vector<size_t> top() const {
    std::vector<size_t> order(counts.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return counts[a] > counts[b]; });
    order.resize(std::min(order.size(), kTop));
    return order;
  }

  json to_json() const {
    json j = {{"name", col->name}, {"count", n}};
    if (col->discrete()) {
      j["top"] = json::array();
      for (size_t i : top())
        j["top"].push_back({{"value", label(i)},
                            {"count", counts[i]},
                            {"fraction", n ? double(counts[i]) / double(n) : 0.0}});
    } else if (n > 0) {
      j["min"] = lo;
      j["mean"] = sum / double(n);
      j["max"] = hi;
    }
    return j;
  }

  std::string to_text() const {
    std::ostringstream o;
    if (n == 0) return "no values";
    if (col->discrete()) {
      std::vector<size_t> t = top();
      for (size_t k = 0; k < t.size(); ++k) {
        char pct[32];
        std::snprintf(pct, sizeof pct, "%.1f%%", 100.0 * double(counts[t[k]]) / double(n));
        o << (k ? ", " : "") << label(t[k]) << " " << pct;
      }
      if (counts.size() > t.size()) o << ", ... (" << counts.size() << " in all)";
    } else {
      o << "min " << lo << ", mean " << sum / double(n) << ", max " << hi;
    }
    return o.str();
  }
};

json column_json(const ColumnSchema& c) {
  json j = {{"name", c.name},
            {"role", to_string(c.role)},
            {"encoding", to_string(c.encoding)},
            {"width", c.width()}};
  if (!c.source.empty()) j["source"] = c.source;
  switch (c.encoding) {
    case Encoding::Categorical: j["categories"] = c.categories.size(); break;
    case Encoding::Binned: j["bins"] = c.width(); break;
    default:
      j["min"] = c.min;
      j["max"] = c.max;
      j["integer"] = c.integer;
  }
  return j;
}

std::string padded(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string column_text(const ColumnSchema& c, size_t name_width) {
  std::ostringstream o;
  o << padded(c.name, name_width) << "  " << padded(to_string(c.encoding), 12) << "  width "
    << c.width();
  switch (c.encoding) {
    case Encoding::Categorical: o << "  " << c.categories.size() << " categories"; break;
    case Encoding::Binned:
      o << "  " << c.width() << " bins [" << c.edges.front() << ", " << c.edges.back() << "]";
      break;
    default: o << "  range [" << c.min << ", " << c.max << "]" << (c.integer ? " integer" : "");
  }
  if (!c.source.empty() && c.source != c.name) o << "  (from " << c.source << ")";
  return o.str();
}

// Everything inspect reports: the JSON form plus the summaries the text form prints.
struct Report {
  json j;
  std::vector<ColumnSummary> attrs, feats;
  int64_t feature_steps = 0;
};

Report inspect(const DatasetReader& r) {
  const Schema& s = r.schema();
  bool windows = s.kind == "windows";
  Report rep;
  json& j = rep.j;
  j["file"] = r.path();
  j["kind"] = s.kind;
  j["max_len"] = r.max_len();
  j["items"] = r.size();
  int64_t counts[3] = {0, 0, 0};  // train, test, public
  for (uint8_t v : r.split()) {
    if (v > 2) throw Error(r.path() + ": /split holds " + std::to_string(v) + ", expected 0 (train), 1 (test) or 2 (public)");
    counts[v]++;
  }
  j["train"] = counts[0];
  j["test"] = counts[1];
  if (counts[2] > 0) j["public"] = counts[2];
  if (windows) j["series_rows"] = r.series_rows();
  std::vector<int32_t> lens = r.lengths();
  if (!lens.empty()) {
    double sum = 0;
    for (int32_t l : lens) sum += l;
    j["length"] = {{"min", *std::min_element(lens.begin(), lens.end())},
                   {"mean", sum / double(lens.size())},
                   {"max", *std::max_element(lens.begin(), lens.end())}};
  }
  j["schema"] = json::array();
  for (const auto& c : s.attributes) j["schema"].push_back(column_json(c));
  for (const auto& c : s.features) j["schema"].push_back(column_json(c));
  j["metadata_keys"] = r.metadata_keys();
  // What prepare's policies did (duplicates, gaps, splits): shown so users can check them.
  std::string report = r.metadata("prepare_report");
  if (!report.empty()) j["prepare_report"] = json::parse(report);

  std::vector<ColumnSummary>& attrs = rep.attrs;
  std::vector<ColumnSummary>& feats = rep.feats;
  for (const auto& c : s.attributes) attrs.emplace_back(&c);
  for (const auto& c : s.features) feats.emplace_back(&c);
  const int64_t A = int64_t(s.attribute_width()), F = int64_t(s.feature_width());
  int64_t& steps = rep.feature_steps;
  auto add_features = [&](const float* row) {
    for (size_t i = 0; i < feats.size(); ++i) feats[i].add(row + s.feature_offset(i));
    ++steps;
  };
  for (int64_t b = 0; b < r.size(); b += kItemBlock) {
    Batch batch = r.read(b, std::min(r.size(), b + kItemBlock));
    for (int64_t k = 0; k < batch.n; ++k) {
      const float* a = batch.attributes.data() + k * A;
      for (size_t i = 0; i < attrs.size(); ++i) attrs[i].add(a + s.attribute_offset(i));
      if (!windows)  // sequences: pool features over valid steps
        for (int64_t t = 0; t < batch.lengths[size_t(k)]; ++t)
          add_features(batch.features.data() + (k * batch.L + t) * F);
    }
  }
  if (windows)  // windows overlap: summarise each series row once instead
    for (int64_t b = 0; b < r.series_rows(); b += kSeriesBlock) {
      int64_t e = std::min(r.series_rows(), b + kSeriesBlock);
      std::vector<float> rows = r.read_series(b, e);
      for (int64_t k = 0; k < e - b; ++k) add_features(rows.data() + k * F);
    }
  j["summary"]["attributes"] = json::array();
  for (const auto& a : attrs) j["summary"]["attributes"].push_back(a.to_json());
  j["summary"]["features"] = json::array();
  for (const auto& f : feats) j["summary"]["features"].push_back(f.to_json());
  j["summary"]["feature_steps"] = steps;
  return rep;
}

void print_text(const Report& rep, const DatasetReader& r) {
  const Schema& s = r.schema();
  const json& j = rep.j;
  std::ostream& o = std::cout;
  size_t nw = 4;
  for (const auto& c : s.attributes) nw = std::max(nw, c.name.size());
  for (const auto& c : s.features) nw = std::max(nw, c.name.size());
  o << "file:      " << j["file"].get<std::string>() << "\n";
  o << "kind:      " << j["kind"].get<std::string>() << " (max_len " << j["max_len"] << ")\n";
  o << "items:     " << j["items"] << " (train " << j["train"] << ", test " << j["test"];
  if (j.contains("public")) o << ", public " << j["public"];
  o << ")\n";
  if (j.contains("series_rows")) o << "series:    " << j["series_rows"] << " rows\n";
  if (j.contains("length"))
    o << "length:    min " << j["length"]["min"] << ", mean " << j["length"]["mean"].get<double>()
      << ", max " << j["length"]["max"] << "\n";
  o << "metadata:  ";
  const auto& keys = j["metadata_keys"];
  if (keys.empty()) o << "(none)";
  for (size_t i = 0; i < keys.size(); ++i) o << (i ? ", " : "") << keys[i].get<std::string>();
  if (j.contains("prepare_report")) {
    o << "\nprepare:   ";
    bool first = true;
    for (const auto& [k, v] : j["prepare_report"].items()) {
      if (k == "long_gaps") continue;
      o << (first ? "" : ", ") << k << " " << v.dump();
      first = false;
    }
    if (j["prepare_report"].contains("long_gaps"))
      for (const auto& g : j["prepare_report"]["long_gaps"])
        o << "\n           series split at a gap of " << g["missing_steps"] << " steps: " << g["from"].get<std::string>()
          << " -> " << g["to"].get<std::string>();
  }
  o << "\n\nattributes (encoded width " << s.attribute_width() << "):\n";
  for (const auto& c : s.attributes) o << "  " << column_text(c, nw) << "\n";
  o << "features (encoded width " << s.feature_width() << "):\n";
  for (const auto& c : s.features) o << "  " << column_text(c, nw) << "\n";
  o << "\nattribute summaries (" << j["items"] << " items):\n";
  for (const auto& a : rep.attrs)
    o << "  " << padded(a.col->name + ":", nw + 1) << "  " << a.to_text() << "\n";
  o << "feature summaries (" << rep.feature_steps
    << (s.kind == "windows" ? " series rows" : " valid steps") << "):\n";
  for (const auto& f : rep.feats)
    o << "  " << padded(f.col->name + ":", nw + 1) << "  " << f.to_text() << "\n";
}

}  // namespace

int cmd_inspect(int argc, char** argv) {
  Args args("doppel inspect",
            "Describe a doppel HDF5 data set: kind, counts, lengths, schema, metadata and "
            "per-column summaries in original units.");
  args.positional("file", "data set written by 'doppel prepare' (.h5)")
      .flag("json", "print the same information as JSON");
  if (!args.parse(argc, argv)) return 0;
  DatasetReader r(args.get("file"));
  Report rep = inspect(r);
  if (args.get_flag("json")) std::cout << rep.j.dump(2) << "\n";
  else print_text(rep, r);
  return 0;
}

}  // namespace doppel
