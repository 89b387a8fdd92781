#include "doppel/model/example_random.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <string>

#include "doppel/error.hpp"

namespace doppel {

torch::Generator make_cpu_generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

namespace {
std::vector<int64_t> global_shape(int64_t global, int64_t offset, int64_t local,
                                  const std::vector<int64_t>& tail) {
  if (offset < 0 || local < 0 || offset + local > global)
    throw Error("example slice [" + std::to_string(offset) + ", " + std::to_string(offset + local) +
                ") outside the global batch of " + std::to_string(global));
  std::vector<int64_t> shape{global};
  shape.insert(shape.end(), tail.begin(), tail.end());
  return shape;
}
}  // namespace

torch::Tensor example_normal(torch::Generator& gen, int64_t global, int64_t offset, int64_t local,
                             const std::vector<int64_t>& tail) {
  auto all = torch::randn(global_shape(global, offset, local, tail), gen);
  return local == global ? all : all.narrow(0, offset, local).contiguous();
}

torch::Tensor example_uniform(torch::Generator& gen, int64_t global, int64_t offset, int64_t local,
                              const std::vector<int64_t>& tail) {
  auto all = torch::rand(global_shape(global, offset, local, tail), gen);
  return local == global ? all : all.narrow(0, offset, local).contiguous();
}

}  // namespace doppel
