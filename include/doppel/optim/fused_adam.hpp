// torch::optim::Adam with one fused pass per parameter instead of eight tensor ops (each
// with its scalar wrapped into a tensor): the same update, state and serialization, so
// checkpoints are interchangeable with torch::optim::Adam. Falls back to Adam::step for
// what the fused pass does not cover (amsgrad, weight decay, non-float32/CPU/contiguous
// tensors, a closure, parameters without state yet: the first step).
#pragma once
#include <torch/optim/adam.h>

namespace doppel {

class FusedAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace doppel
