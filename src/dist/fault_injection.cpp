#include "doppel/dist/fault_injection.hpp"

#include <cstdlib>
#include <string>

#include "doppel/error.hpp"

namespace doppel {

namespace {
struct Fault {
  int rank = -1;
  int64_t step = -1;
};

Fault parse_fault() {
  const char* v = std::getenv("DOPPEL_FAULT_INJECT");
  Fault f;
  if (!v || !*v) return f;
  const std::string s(v);
  const auto colon = s.find(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument("no colon");
    f.rank = std::stoi(s.substr(0, colon));
    f.step = std::stoll(s.substr(colon + 1));
  } catch (const std::exception&) {
    throw Error("DOPPEL_FAULT_INJECT must be RANK:STEP (e.g. 1:3), got '" + s + "'");
  }
  return f;
}
}  // namespace

void inject_fault_if_requested(int rank, int64_t step) {
  static const Fault fault = parse_fault();
  if (fault.rank == rank && fault.step == step)
    throw Error("injected fault (DOPPEL_FAULT_INJECT=" + std::to_string(rank) + ":" + std::to_string(step) +
                ") on rank " + std::to_string(rank) + " before step " + std::to_string(step));
}

}  // namespace doppel
