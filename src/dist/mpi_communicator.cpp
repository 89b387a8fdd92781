// MPI on CPU tensors. Collectives run on a duplicate of MPI_COMM_WORLD so nothing else in
// the process can interleave messages with them. A watchdog thread turns a collective that
// waits too long (a peer died without MPI_Abort, or is stuck) into a loud exit of this rank,
// which makes the launcher end the others.
#include <mpi.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "doppel/dist/mpi_communicator.hpp"
#include "doppel/dist/mpi_runtime.hpp"
#include "doppel/error.hpp"

namespace doppel {

namespace {

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw Error(std::string(what) + " failed: " + std::string(text, size_t(len)));
}

MPI_Datatype mpi_type(const at::Tensor& t, const char* op) {
  switch (t.scalar_type()) {
    case at::kFloat: return MPI_FLOAT;
    case at::kDouble: return MPI_DOUBLE;
    case at::kInt: return MPI_INT32_T;
    case at::kLong: return MPI_INT64_T;
    default:
      throw Error(std::string("MPI communicator: ") + op + " supports float, double, int32 and int64 tensors, got " +
                  std::string(c10::toString(t.scalar_type())));
  }
}

void require_cpu_contiguous(const at::Tensor& t, const char* op) {
  if (!t.defined()) throw Error(std::string("MPI communicator: ") + op + " of an undefined tensor");
  if (!t.device().is_cpu())
    throw Error(std::string("MPI communicator: ") + op + " needs a CPU tensor (use the NCCL communicator for CUDA)");
  if (!t.is_contiguous()) throw Error(std::string("MPI communicator: ") + op + " needs a contiguous tensor");
}

// Ends the process when one collective lasts longer than the limit.
class CollectiveWatchdog {
 public:
  CollectiveWatchdog(double timeout_s, int rank) : timeout_s_(timeout_s), rank_(rank) {
    if (timeout_s_ > 0) thread_ = std::thread([this] { run(); });
  }
  ~CollectiveWatchdog() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void begin(const char* what) {
    what_.store(what);
    start_.store(now_ns());
  }
  void end() { start_.store(0); }

 private:
  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
      int64_t s = start_.load();
      if (s == 0 || double(now_ns() - s) * 1e-9 < timeout_s_) continue;
      std::fprintf(stderr,
                   "[rank %d] error: MPI %s waited more than %g s (dist.collective_timeout_s): a peer rank is lost "
                   "or stuck; ending this rank\n",
                   rank_, what_.load(), timeout_s_);
      std::fflush(stderr);
      std::_Exit(1);  // not MPI_Abort: MPI may only be called from the main thread here
    }
  }

  double timeout_s_;
  int rank_;
  std::atomic<int64_t> start_{0};
  std::atomic<const char*> what_{""};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

class Scope {
 public:
  Scope(CollectiveWatchdog& w, const char* what) : w_(w) { w_.begin(what); }
  ~Scope() { w_.end(); }

 private:
  CollectiveWatchdog& w_;
};

class MpiCommunicator : public Communicator {
 public:
  explicit MpiCommunicator(double timeout_s) {
    ensure_mpi_initialized();
    check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &world_);
    // Ranks sharing a node (shared memory) are numbered 0.. on it: right under mpirun and srun.
    MPI_Comm local;
    check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local), "MPI_Comm_split_type");
    MPI_Comm_rank(local, &local_rank_);
    MPI_Comm_free(&local);
    watchdog_ = std::make_unique<CollectiveWatchdog>(timeout_s, rank_);
  }
  ~MpiCommunicator() override {
    watchdog_.reset();
    if (mpi_active()) MPI_Comm_free(&comm_);
  }
  int rank() const override { return rank_; }
  int world() const override { return world_; }
  int local_rank() const override { return local_rank_; }
  std::string name() const override { return "mpi"; }

  void all_reduce_sum(at::Tensor& t) override {
    require_cpu_contiguous(t, "all_reduce_sum");
    MPI_Datatype type = mpi_type(t, "all_reduce_sum");
    Scope scope(*watchdog_, "all-reduce");
    char* data = static_cast<char*>(t.data_ptr());
    const int64_t elem = t.element_size();
    for (int64_t off = 0, n = t.numel(); off < n; off += INT_MAX) {
      int count = int(std::min<int64_t>(INT_MAX, n - off));
      check(MPI_Allreduce(MPI_IN_PLACE, data + off * elem, count, type, MPI_SUM, comm_), "MPI_Allreduce");
    }
  }

  void broadcast(at::Tensor& t, int root) override {
    require_cpu_contiguous(t, "broadcast");
    Scope scope(*watchdog_, "broadcast");
    char* data = static_cast<char*>(t.data_ptr());
    for (int64_t off = 0, n = t.nbytes(); off < n; off += INT_MAX) {
      int count = int(std::min<int64_t>(INT_MAX, n - off));
      check(MPI_Bcast(data + off, count, MPI_BYTE, root, comm_), "MPI_Bcast");
    }
  }

  void barrier() override {
    Scope scope(*watchdog_, "barrier");
    check(MPI_Barrier(comm_), "MPI_Barrier");
  }

  bool any(bool flag) override {
    int in = flag ? 1 : 0, out = 0;
    Scope scope(*watchdog_, "any (logical-or all-reduce)");
    check(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LOR, comm_), "MPI_Allreduce(LOR)");
    return out != 0;
  }

  [[noreturn]] void abort(const std::string& message, int code) override {
    std::cout.flush();
    std::cerr << "[rank " << rank_ << "] " << message << std::endl;
    MPI_Abort(MPI_COMM_WORLD, code == 0 ? 1 : code);
    std::_Exit(code == 0 ? 1 : code);  // MPI_Abort does not return; this keeps [[noreturn]] honest
  }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, world_ = 1, local_rank_ = 0;
  std::unique_ptr<CollectiveWatchdog> watchdog_;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(double collective_timeout_s) {
  return std::make_unique<MpiCommunicator>(collective_timeout_s);
}

}  // namespace doppel
