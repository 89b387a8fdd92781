// Documented configuration keys of the privacy area (see docs/config.md).
#include "doppel/config.hpp"

namespace doppel {

std::vector<KeySpec> privacy_key_specs() {
  return {};
}

}  // namespace doppel
