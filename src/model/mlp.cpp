#include "doppel/model/mlp.hpp"

namespace doppel {

torch::nn::Sequential make_hidden_layers(int64_t in, int64_t units, int64_t layers) {
  torch::nn::Sequential s;
  int64_t width = in;
  for (int64_t i = 0; i < layers; ++i) {
    s->push_back(torch::nn::Linear(width, units));
    s->push_back(torch::nn::ReLU());
    width = units;
  }
  return s;
}

torch::nn::Sequential make_mlp(int64_t in, int64_t units, int64_t layers, int64_t out) {
  auto s = make_hidden_layers(in, units, layers);
  s->push_back(torch::nn::Linear(layers > 0 ? units : in, out));
  return s;
}

}  // namespace doppel
