// The LSTM baseline's network: an LSTM over a window of encoded steps whose last hidden
// state is joined with the sequence's attributes (through one dense layer) before a
// linear head. Internal to the torch eval files.
#pragma once
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "doppel/data/batch_source.hpp"
#include "doppel/eval/sampling.hpp"

namespace doppel {

struct LstmWithAttributesImpl : torch::nn::Module {
  LstmWithAttributesImpl(int64_t in, int64_t hidden, int64_t layers, int64_t attrs,
                         int64_t attr_hidden, int64_t out)
      : lstm(register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(in, hidden)
                                                         .num_layers(layers)
                                                         .batch_first(true)))),
        head(register_module("head", torch::nn::Linear(hidden + (attrs > 0 ? attr_hidden : 0), out))) {
    if (attrs > 0) attr = register_module("attr", torch::nn::Linear(attrs, attr_hidden));
  }

  // x [B, T, in], a [B, attrs]: the hidden state after the final step, joined with the attributes.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& a) {
    auto out = std::get<0>(lstm->forward(x));  // [B, T, H]
    torch::Tensor h = out.select(1, out.size(1) - 1);
    if (attr) h = torch::cat({h, torch::relu(attr->forward(a))}, 1);
    return head->forward(h);
  }

  torch::nn::LSTM lstm;
  torch::nn::Linear head;
  torch::nn::Linear attr{nullptr};
};
TORCH_MODULE(LstmWithAttributes);

}  // namespace doppel
