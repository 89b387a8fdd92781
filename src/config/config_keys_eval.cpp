// Documented configuration keys of the eval area (see docs/config.md).
#include "doppel/config.hpp"

namespace doppel {

std::vector<KeySpec> eval_key_specs() {
  return {};
}

}  // namespace doppel
