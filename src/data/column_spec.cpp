#include "column_spec.hpp"

#include <set>

#include "doppel/error.hpp"

namespace doppel {

std::vector<ColumnSpec> column_specs_from_config(const Config& c, const std::string& kind) {
  static const std::set<std::string> derived = {"@delta", "@start_time", "@start_dayofweek",
                                                "@start_month", "@start_hour"};
  std::vector<ColumnSpec> out;
  std::set<std::string> names;
  size_t n = c.count("columns");
  if (n == 0) throw Error(c.origin() + ": no [[columns]] given");
  for (size_t i = 0; i < n; ++i) {
    std::string p = "columns[" + std::to_string(i) + "].";
    std::string ctx = c.origin() + ": " + p.substr(0, p.size() - 1);
    ColumnSpec s;
    if (!c.has(p + "name")) throw Error(ctx + ": missing key 'name'");
    s.name = c.string(p + "name");
    if (!names.insert(s.name).second) throw Error(ctx + ": duplicate column name '" + s.name + "'");
    s.source = c.string(p + "source");
    if (s.source.empty()) s.source = s.name;
    s.derived = s.source[0] == '@';
    if (s.derived && !derived.count(s.source))
      throw Error(ctx + ": unknown derived source '" + s.source + "'");
    s.role = role_from_string(c.string(p + "role"), ctx);
    s.encoding = encoding_from_string(c.string(p + "encoding"), ctx);
    s.integer = c.boolean(p + "integer");
    s.bins = int(c.integer(p + "bins"));
    if (s.encoding == Encoding::Binned && s.bins < 2) throw Error(ctx + ": bins must be >= 2");
    std::string edges = c.string(p + "bin_edges");
    if (edges != "uniform" && edges != "quantile")
      throw Error(ctx + ": bin_edges must be 'uniform' or 'quantile', got '" + edges + "'");
    s.quantile = edges == "quantile";
    s.summary = c.string(p + "summary");
    bool any = s.summary.rfind("any:", 0) == 0;
    if (kind == "sequences") {
      if (s.source == "@delta" && s.role != Role::Feature)
        throw Error(ctx + ": @delta is a per-step value: role must be 'feature'");
      if (s.role == Role::Attribute && s.summary != "first" && s.summary != "last")
        throw Error(ctx + ": sequence attributes take summary 'first' or 'last', got '" + s.summary + "'");
    } else {
      if (s.source == "@delta") throw Error(ctx + ": @delta is only defined for kind = \"sequences\"");
      static const std::set<std::string> num = {"first", "mean", "max", "min", "sum"};
      if (s.role == Role::Attribute && !s.derived) {
        if (s.categorical() && s.summary != "first" && s.summary != "mode" && !any)
          throw Error(ctx + ": categorical attributes take summary first, mode or any:<default>, got '" +
                      s.summary + "'");
        if (!s.categorical() && !num.count(s.summary))
          throw Error(ctx + ": numeric attributes take summary first, mean, max, min or sum, got '" +
                      s.summary + "'");
      }
    }
    if (s.derived && s.source.rfind("@start", 0) == 0 && s.role != Role::Attribute)
      throw Error(ctx + ": " + s.source + " is a per-sequence value: role must be 'attribute'");
    out.push_back(s);
  }
  bool feature = false;
  for (const auto& s : out) feature |= s.role == Role::Feature;
  if (!feature) throw Error(c.origin() + ": no column has role = \"feature\"");
  return out;
}

}  // namespace doppel
