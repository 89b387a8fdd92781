// The small interface every rank talks through. Training code never asks which
// implementation it has: single-process (world 1), MPI (CPU tensors) or NCCL
// (CUDA tensors, optional build).
#pragma once
#include <memory>
#include <string>

namespace at {
class Tensor;
}

namespace doppel {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world() const = 0;
  virtual int local_rank() const = 0;
  virtual std::string name() const = 0;
  // In place: sum over ranks (tensor must be contiguous).
  virtual void all_reduce_sum(at::Tensor& tensor) = 0;
  virtual void broadcast(at::Tensor& tensor, int root) = 0;
  virtual void barrier() = 0;
  // Logical OR of a flag over ranks (used to agree on stopping / failures).
  virtual bool any(bool flag) = 0;
  // Ends every rank with this message and a non-zero exit (MPI_Abort); never returns.
  [[noreturn]] virtual void abort(const std::string& message, int code = 1) = 0;
};

// kind: "auto" (NCCL if built and on CUDA, else MPI if world > 1, else single),
// "single", "mpi", "nccl".
std::unique_ptr<Communicator> make_communicator(const std::string& kind = "auto");

// For world 1 without MPI.
std::unique_ptr<Communicator> make_single_process_communicator();

}  // namespace doppel
