#include "doppel/data/calendar_attribute.hpp"

#include <string>

#include "doppel/error.hpp"

namespace doppel {

int calendar_attribute(const Schema& schema, const std::string& source) {
  for (size_t a = 0; a < schema.attributes.size(); ++a)
    if (schema.attributes[a].encoding == Encoding::Categorical && schema.attributes[a].source == source) return int(a);
  return -1;
}

std::vector<int64_t> calendar_category_numbers(const ColumnSchema& c, int64_t domain) {
  std::vector<int64_t> out;
  for (const auto& label : c.categories) {
    size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(label, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != label.size() || v < 0 || v >= domain)
      throw Error("attribute '" + c.name + "' (" + c.source + ") has a category '" + label +
                  "' that is not a number in 0.." + std::to_string(domain - 1));
    out.push_back(v);
  }
  return out;
}

}  // namespace doppel
