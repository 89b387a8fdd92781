// NCCL on CUDA tensors (compiled only when CMake finds CUDA runtime headers and NCCL).
// Bring-up: MPI first (rank, local rank, the unique id's transport), cudaSetDevice(local
// rank, or 0 when one GPU is visible per task) BEFORE ncclCommInitRank, a barrier after.
// CPU tensors and the control-plane operations (any, barrier, abort) go through the MPI
// communicator it owns, so the trainer may hand it either kind of tensor.
//
// The CUDA runtime is reached through dlopen: this file then links against a CPU LibTorch
// too (the build links libnccl but not libcudart), and with a CUDA LibTorch it finds the
// runtime that torch already loaded.
#include <cuda_runtime_api.h>
#include <dlfcn.h>
#include <nccl.h>
#include <torch/torch.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "doppel/dist/mpi_communicator.hpp"
#include "doppel/dist/nccl_communicator.hpp"
#include "doppel/error.hpp"

#if defined(DOPPEL_TORCH_HAS_CUDA)
#include <c10/cuda/CUDAStream.h>
#endif

namespace doppel {

namespace {

// The four CUDA runtime calls this file needs.
struct CudaRuntime {
  cudaError_t (*get_device_count)(int*) = nullptr;
  cudaError_t (*set_device)(int) = nullptr;
  cudaError_t (*stream_synchronize)(cudaStream_t) = nullptr;
  const char* (*error_string)(cudaError_t) = nullptr;
  bool ok = false;
};

const CudaRuntime& cuda_runtime() {
  static const CudaRuntime rt = [] {
    CudaRuntime r;
    void* lib = nullptr;
    for (const char* name : {"libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"}) {
      lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
      if (lib) break;
    }
    if (!lib) return r;
    r.get_device_count = reinterpret_cast<cudaError_t (*)(int*)>(dlsym(lib, "cudaGetDeviceCount"));
    r.set_device = reinterpret_cast<cudaError_t (*)(int)>(dlsym(lib, "cudaSetDevice"));
    r.stream_synchronize = reinterpret_cast<cudaError_t (*)(cudaStream_t)>(dlsym(lib, "cudaStreamSynchronize"));
    r.error_string = reinterpret_cast<const char* (*)(cudaError_t)>(dlsym(lib, "cudaGetErrorString"));
    r.ok = r.get_device_count && r.set_device && r.stream_synchronize && r.error_string;
    return r;
  }();
  return rt;
}

int visible_devices() {
  const auto& rt = cuda_runtime();
  int n = 0;
  if (!rt.ok || rt.get_device_count(&n) != cudaSuccess) return 0;
  return n;
}

void check_cuda(cudaError_t rc, const std::string& what) {
  if (rc != cudaSuccess) throw Error(what + " failed: " + cuda_runtime().error_string(rc));
}

void check_nccl(ncclResult_t rc, const std::string& what) {
  if (rc != ncclSuccess) throw Error(what + " failed: " + ncclGetErrorString(rc));
}

ncclDataType_t nccl_type(const at::Tensor& t) {
  switch (t.scalar_type()) {
    case at::kFloat: return ncclFloat32;
    case at::kDouble: return ncclFloat64;
    case at::kHalf: return ncclFloat16;
    case at::kInt: return ncclInt32;
    case at::kLong: return ncclInt64;
    case at::kByte: return ncclUint8;
    default:
      throw Error("NCCL communicator: unsupported tensor type " + std::string(c10::toString(t.scalar_type())));
  }
}

// LibTorch's current stream when this build can see it; else the legacy default stream, which
// is LibTorch's current stream unless the program switched streams.
cudaStream_t current_stream(const at::Tensor& t) {
#if defined(DOPPEL_TORCH_HAS_CUDA)
  return c10::cuda::getCurrentCUDAStream(t.device().index()).stream();
#else
  (void)t;
  return nullptr;
#endif
}

class NcclCommunicator : public Communicator {
 public:
  explicit NcclCommunicator(double timeout_s) : mpi_(make_mpi_communicator(timeout_s)) {
    const int n = visible_devices();
    if (n == 0) throw Error("dist.communicator = \"nccl\": no CUDA device is visible to rank " + std::to_string(rank()));
    // One GPU per task (srun --gpus-per-task, CUDA_VISIBLE_DEVICES per rank): device 0.
    device_ = n == 1 ? 0 : mpi_->local_rank();
    if (device_ >= n)
      throw Error("rank " + std::to_string(rank()) + " has local rank " + std::to_string(device_) + " but only " +
                  std::to_string(n) + " GPUs are visible: start at most one rank per GPU");
    check_cuda(cuda_runtime().set_device(device_), "cudaSetDevice(" + std::to_string(device_) + ")");
    ncclUniqueId id;
    if (rank() == 0) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
    auto id_bytes = torch::empty({int64_t(sizeof id)}, torch::kUInt8);
    std::memcpy(id_bytes.data_ptr(), &id, sizeof id);
    mpi_->broadcast(id_bytes, 0);
    std::memcpy(&id, id_bytes.data_ptr(), sizeof id);
    check_nccl(ncclCommInitRank(&comm_, world(), id, rank()), "ncclCommInitRank");
    mpi_->barrier();
  }
  ~NcclCommunicator() override {
    // Teardown in order: finish queued work, destroy the NCCL communicator, then MPI's.
    if (comm_) {
      cuda_runtime().stream_synchronize(nullptr);
      ncclCommDestroy(comm_);
    }
    mpi_.reset();
  }
  int rank() const override { return mpi_->rank(); }
  int world() const override { return mpi_->world(); }
  int local_rank() const override { return mpi_->local_rank(); }
  std::string name() const override { return "nccl"; }

  void all_reduce_sum(at::Tensor& t) override {
    if (!t.is_cuda()) return mpi_->all_reduce_sum(t);
    if (!t.is_contiguous()) throw Error("NCCL communicator: all_reduce_sum needs a contiguous tensor");
    check_nccl(ncclAllReduce(t.data_ptr(), t.data_ptr(), size_t(t.numel()), nccl_type(t), ncclSum, comm_,
                             current_stream(t)),
               "ncclAllReduce");
  }
  void broadcast(at::Tensor& t, int root) override {
    if (!t.is_cuda()) return mpi_->broadcast(t, root);
    if (!t.is_contiguous()) throw Error("NCCL communicator: broadcast needs a contiguous tensor");
    check_nccl(ncclBroadcast(t.data_ptr(), t.data_ptr(), size_t(t.nbytes()), ncclUint8, root, comm_,
                             current_stream(t)),
               "ncclBroadcast");
  }
  void barrier() override { mpi_->barrier(); }
  bool any(bool flag) override { return mpi_->any(flag); }
  [[noreturn]] void abort(const std::string& message, int code) override {
    if (comm_) ncclCommAbort(comm_);  // frees peers blocked in NCCL kernels
    comm_ = nullptr;
    mpi_->abort(message, code);
    std::_Exit(code == 0 ? 1 : code);  // not reached: MPI_Abort ends the process
  }

 private:
  std::unique_ptr<Communicator> mpi_;
  ncclComm_t comm_ = nullptr;
  int device_ = 0;
};

}  // namespace

bool nccl_available() { return visible_devices() > 0; }

std::unique_ptr<Communicator> make_nccl_communicator(double collective_timeout_s) {
  return std::make_unique<NcclCommunicator>(collective_timeout_s);
}

}  // namespace doppel
