#include "doppel/dist/parameter_agreement.hpp"

#include <cstring>
#include <iomanip>
#include <sstream>

#include "doppel/error.hpp"

namespace doppel {

torch::Tensor tensor_checksum(const torch::Tensor& t) {
  torch::NoGradGuard no_grad;
  auto v = t.detach().reshape(-1).to(torch::kDouble);
  // Weights 1..7 repeating: a permutation of values changes the second sum.
  auto w = torch::remainder(torch::arange(v.numel(), torch::kDouble), 7.0) + 1.0;
  return torch::stack({v.sum(), (v * w).sum()});
}

void check_parameters_agree(const std::vector<std::pair<std::string, torch::Tensor>>& named, Communicator& comm,
                            int64_t step) {
  if (comm.world() == 1 || named.empty()) return;
  std::vector<torch::Tensor> parts;
  for (const auto& kv : named) parts.push_back(tensor_checksum(kv.second));
  auto mine = torch::stack(parts).contiguous();  // [tensors, 2]
  auto root = mine.clone();
  comm.broadcast(root, 0);
  auto differs = (mine != root).any(1);
  const bool bad_here = differs.any().item<bool>();
  if (!comm.any(bad_here)) return;
  std::ostringstream msg;
  msg << std::setprecision(17) << "parameters diverged across ranks at step " << step;
  if (bad_here) {
    const int64_t i = differs.nonzero()[0][0].item<int64_t>();
    msg << ": rank " << comm.rank() << "'s " << named[size_t(i)].first << " has checksum "
        << mine[i][0].item<double>() << ", rank 0's is " << root[i][0].item<double>();
  } else {
    msg << " (this rank matches rank 0; see the diverging rank's message)";
  }
  msg << " (dist.checksum_every)";
  throw Error(msg.str());
}

void broadcast_bytes(std::string& bytes, Communicator& comm, int root) {
  if (comm.world() == 1) return;
  auto len = torch::tensor({int64_t(bytes.size())}, torch::kLong);
  comm.broadcast(len, root);
  const int64_t n = len.item<int64_t>();
  auto buf = torch::empty({n}, torch::kUInt8);
  if (comm.rank() == root && n > 0) std::memcpy(buf.data_ptr(), bytes.data(), size_t(n));
  if (n > 0) comm.broadcast(buf, root);
  if (comm.rank() != root) bytes.assign(static_cast<const char*>(buf.data_ptr()), size_t(n));
}

}  // namespace doppel
