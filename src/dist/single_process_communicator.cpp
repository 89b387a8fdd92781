// World of one: collectives are identities. Used by tests and `doppel train`
// without mpirun, so the training loop has no "if distributed" branches.
#include <torch/torch.h>

#include <cstdlib>
#include <iostream>

#include "doppel/dist/communicator.hpp"

namespace doppel {

namespace {
class SingleProcessCommunicator : public Communicator {
 public:
  int rank() const override { return 0; }
  int world() const override { return 1; }
  int local_rank() const override { return 0; }
  std::string name() const override { return "single"; }
  void all_reduce_sum(at::Tensor&) override {}
  void broadcast(at::Tensor&, int) override {}
  void barrier() override {}
  bool any(bool flag) override { return flag; }
  [[noreturn]] void abort(const std::string& message, int code) override {
    std::cerr << "[rank 0] " << message << std::endl;
    std::exit(code);
  }
};
}  // namespace

std::unique_ptr<Communicator> make_single_process_communicator() {
  return std::make_unique<SingleProcessCommunicator>();
}

}  // namespace doppel
