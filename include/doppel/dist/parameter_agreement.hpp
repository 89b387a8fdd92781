// Detecting ranks whose parameters drifted apart (a bug, or non-deterministic reductions):
// a cheap checksum per tensor, compared against rank 0's.
#pragma once
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "doppel/dist/communicator.hpp"

namespace doppel {

// [sum, position-weighted sum] of the tensor's values in double: equal tensors give equal
// checksums bit for bit; a changed or moved value changes them.
torch::Tensor tensor_checksum(const torch::Tensor& t);

// Broadcasts rank 0's checksums of `named`; every rank compares them with its own and, when
// any rank differs, every rank throws doppel::Error naming the step, the first differing
// tensor and the two values (collective: call on every rank with the same names).
void check_parameters_agree(const std::vector<std::pair<std::string, torch::Tensor>>& named, Communicator& comm,
                            int64_t step);

// Sends `bytes` of rank `root` to every rank (two broadcasts: length, then content).
void broadcast_bytes(std::string& bytes, Communicator& comm, int root);

}  // namespace doppel
