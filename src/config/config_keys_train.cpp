// Documented configuration keys of the train area (see docs/config.md).
#include "doppel/config.hpp"

namespace doppel {

std::vector<KeySpec> train_key_specs() {
  return {};
}

}  // namespace doppel
