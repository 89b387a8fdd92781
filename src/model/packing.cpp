#include "doppel/model/packing.hpp"

#include <string>

#include "doppel/error.hpp"

namespace doppel {

torch::Tensor pack_examples(const torch::Tensor& x, int64_t packing) {
  const int64_t B = x.size(0);
  if (packing < 1 || B % packing != 0)
    throw Error("packing " + std::to_string(packing) + " does not divide the batch of " + std::to_string(B));
  if (packing == 1) return x;
  return x.reshape({B / packing, packing * x.size(1)});
}

torch::Tensor feature_critic_input(const torch::Tensor& features, const torch::Tensor& attributes,
                                   int64_t packing) {
  return pack_examples(torch::cat({features.flatten(1), attributes}, 1), packing);
}

}  // namespace doppel
