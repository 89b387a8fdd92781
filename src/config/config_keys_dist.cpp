// Documented configuration keys of the dist area (see docs/config.md).
#include "doppel/config.hpp"

namespace doppel {

std::vector<KeySpec> dist_key_specs() {
  return {};
}

}  // namespace doppel
