// Shortest decimal text that reads back as the same double (1.1, not 1.1000000000000001):
// for messages and JSON that must round-trip exactly.
#pragma once
#include <cstdlib>
#include <sstream>
#include <string>

namespace doppel {

inline std::string shortest_number_text(double x) {
  std::string s;
  for (int p = 1; p <= 17; ++p) {
    std::ostringstream o;
    o.precision(p);
    o << x;
    s = o.str();
    if (std::strtod(s.c_str(), nullptr) == x) break;
  }
  return s;
}

}  // namespace doppel
