#include "doppel/data/schema.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "doppel/error.hpp"

namespace doppel {

const char* to_string(Role r) { return r == Role::Attribute ? "attribute" : "feature"; }

const char* to_string(Encoding e) {
  switch (e) {
    case Encoding::ZeroOne: return "zero_one";
    case Encoding::MinusOneOne: return "minusone_one";
    case Encoding::Categorical: return "categorical";
    case Encoding::Binned: return "binned";
  }
  return "?";
}

Role role_from_string(const std::string& s, const std::string& context) {
  if (s == "attribute") return Role::Attribute;
  if (s == "feature") return Role::Feature;
  throw Error(context + ": role must be 'attribute' or 'feature', got '" + s + "'");
}

Encoding encoding_from_string(const std::string& s, const std::string& context) {
  if (s == "zero_one") return Encoding::ZeroOne;
  if (s == "minusone_one") return Encoding::MinusOneOne;
  if (s == "categorical") return Encoding::Categorical;
  if (s == "binned") return Encoding::Binned;
  throw Error(context + ": encoding must be zero_one, minusone_one, categorical or binned, got '" +
              s + "'");
}

size_t ColumnSchema::width() const {
  switch (encoding) {
    case Encoding::Categorical: return categories.size();
    case Encoding::Binned: return edges.size() - 1;
    default: return 1;
  }
}

size_t ColumnSchema::bin_of(double value) const {
  // edges[0..n]; bin i holds [edges[i], edges[i+1]); the last bin includes its top edge.
  if (edges.size() < 2) throw Error("column '" + name + "' is not binned: bin_of is not defined");
  size_t n = edges.size() - 1;
  auto it = std::upper_bound(edges.begin() + 1, edges.end() - 1, value);
  return std::min(n - 1, size_t(it - (edges.begin() + 1)));
}

void ColumnSchema::encode_number(double value, float* out) const {
  switch (encoding) {
    case Encoding::ZeroOne:
    case Encoding::MinusOneOne: {
      double span = max - min;
      double u = span > 0 ? (value - min) / span : 0.5;
      u = std::clamp(u, 0.0, 1.0);
      out[0] = float(encoding == Encoding::ZeroOne ? u : 2.0 * u - 1.0);
      return;
    }
    case Encoding::Binned: {
      std::fill(out, out + width(), 0.0f);
      out[bin_of(value)] = 1.0f;
      return;
    }
    case Encoding::Categorical:
      throw Error("column '" + name + "' is categorical: encode_number is not defined");
  }
}

void ColumnSchema::encode_category(const std::string& value, float* out,
                                   const std::string& context) const {
  auto it = std::find(categories.begin(), categories.end(), value);
  if (it == categories.end())
    throw Error(context + ": column '" + name + "': category '" + value +
                "' was not seen when the schema was fitted");
  std::fill(out, out + width(), 0.0f);
  out[it - categories.begin()] = 1.0f;
}

size_t ColumnSchema::decode_index(const float* in) const {
  return size_t(std::max_element(in, in + width()) - in);
}

double ColumnSchema::decode_number(const float* in) const {
  switch (encoding) {
    case Encoding::ZeroOne:
    case Encoding::MinusOneOne: {
      double u = encoding == Encoding::ZeroOne ? in[0] : (in[0] + 1.0) / 2.0;
      double v = min + u * (max - min);
      return integer ? std::round(v) : v;
    }
    case Encoding::Binned: {
      size_t i = decode_index(in);
      double v = 0.5 * (edges[i] + edges[i + 1]);
      return integer ? std::round(v) : v;
    }
    case Encoding::Categorical: return double(decode_index(in));
  }
  return 0;
}

std::string ColumnSchema::decode_text(const float* in) const {
  if (encoding == Encoding::Categorical) return categories[decode_index(in)];
  double v = decode_number(in);
  std::ostringstream o;
  if (integer) o << (long long)v;
  else o << std::setprecision(10) << v;
  return o.str();
}

size_t Schema::attribute_width() const {
  size_t w = 0;
  for (const auto& c : attributes) w += c.width();
  return w;
}
size_t Schema::feature_width() const {
  size_t w = 0;
  for (const auto& c : features) w += c.width();
  return w;
}

static std::vector<OutputSpec> outputs_of(const std::vector<ColumnSchema>& cols) {
  std::vector<OutputSpec> out;
  for (const auto& c : cols)
    out.push_back({c.name, c.width(), c.discrete(), c.encoding == Encoding::MinusOneOne});
  return out;
}
std::vector<OutputSpec> Schema::attribute_outputs() const { return outputs_of(attributes); }
std::vector<OutputSpec> Schema::feature_outputs() const { return outputs_of(features); }

size_t Schema::attribute_offset(size_t i) const {
  size_t o = 0;
  for (size_t k = 0; k < i; ++k) o += attributes[k].width();
  return o;
}
size_t Schema::feature_offset(size_t i) const {
  size_t o = 0;
  for (size_t k = 0; k < i; ++k) o += features[k].width();
  return o;
}

const ColumnSchema* Schema::find_attribute(const std::string& n) const {
  for (const auto& c : attributes)
    if (c.name == n) return &c;
  return nullptr;
}
const ColumnSchema* Schema::find_feature(const std::string& n) const {
  for (const auto& c : features)
    if (c.name == n) return &c;
  return nullptr;
}

using nlohmann::json;

static json column_to_json(const ColumnSchema& c) {
  json j = {{"name", c.name},         {"source", c.source},   {"role", to_string(c.role)},
            {"encoding", to_string(c.encoding)}, {"integer", c.integer}, {"min", c.min},
            {"max", c.max},           {"summary", c.summary}};
  if (c.encoding == Encoding::Categorical) j["categories"] = c.categories;
  if (c.encoding == Encoding::Binned) j["edges"] = c.edges;
  return j;
}

static ColumnSchema column_from_json(const json& j, const std::string& context) {
  ColumnSchema c;
  c.name = j.at("name").get<std::string>();
  std::string ctx = context + ": column '" + c.name + "'";
  c.source = j.value("source", c.name);
  c.role = role_from_string(j.at("role").get<std::string>(), ctx);
  c.encoding = encoding_from_string(j.at("encoding").get<std::string>(), ctx);
  c.integer = j.value("integer", false);
  c.min = j.value("min", 0.0);
  c.max = j.value("max", 1.0);
  c.summary = j.value("summary", std::string("first"));
  if (c.encoding == Encoding::Categorical) {
    c.categories = j.at("categories").get<std::vector<std::string>>();
    if (c.categories.empty()) throw Error(ctx + ": no categories");
  }
  if (c.encoding == Encoding::Binned) {
    c.edges = j.at("edges").get<std::vector<double>>();
    if (c.edges.size() < 2) throw Error(ctx + ": binned column needs at least 2 edges");
  }
  return c;
}

std::string Schema::to_json() const {
  json j;
  j["kind"] = kind;
  j["max_len"] = max_len;
  j["id_column"] = id_column;
  j["time_column"] = time_column;
  j["time_format"] = time_format;
  j["step_seconds"] = step_seconds;
  j["balance"] = {{"column", balance_column}, {"initial", balance_initial}, {"amount", balance_amount}};
  j["attributes"] = json::array();
  for (const auto& c : attributes) j["attributes"].push_back(column_to_json(c));
  j["features"] = json::array();
  for (const auto& c : features) j["features"].push_back(column_to_json(c));
  return j.dump(1);
}

Schema Schema::from_json(const std::string& text, const std::string& context) {
  Schema s;
  try {
    json j = json::parse(text);
    s.kind = j.at("kind").get<std::string>();
    if (s.kind != "sequences" && s.kind != "windows")
      throw Error(context + ": schema kind must be sequences or windows, got '" + s.kind + "'");
    s.max_len = j.at("max_len").get<int64_t>();
    s.id_column = j.value("id_column", "");
    s.time_column = j.value("time_column", "");
    s.time_format = j.value("time_format", "");
    s.step_seconds = j.value("step_seconds", int64_t(0));
    if (j.contains("balance")) {
      s.balance_column = j["balance"].value("column", "");
      s.balance_initial = j["balance"].value("initial", "");
      s.balance_amount = j["balance"].value("amount", "");
    }
    for (const auto& c : j.at("attributes")) s.attributes.push_back(column_from_json(c, context));
    for (const auto& c : j.at("features")) s.features.push_back(column_from_json(c, context));
  } catch (const json::exception& e) {
    throw Error(context + ": malformed schema: " + e.what());
  }
  if (s.features.empty()) throw Error(context + ": schema has no feature columns");
  return s;
}

bool Schema::same_layout(const Schema& o) const {
  auto same = [](const std::vector<ColumnSchema>& a, const std::vector<ColumnSchema>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].name != b[i].name || a[i].encoding != b[i].encoding || a[i].width() != b[i].width() ||
          a[i].categories != b[i].categories || a[i].edges != b[i].edges)
        return false;
    return true;
  };
  return same(attributes, o.attributes) && same(features, o.features);
}

}  // namespace doppel
