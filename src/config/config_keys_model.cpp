// Documented configuration keys of the model area (see docs/config.md).
#include "doppel/config.hpp"

namespace doppel {

std::vector<KeySpec> model_key_specs() {
  return {};
}

}  // namespace doppel
