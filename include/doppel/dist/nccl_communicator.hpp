// The Communicator over NCCL on CUDA tensors (built only when CMake finds CUDA and NCCL:
// DOPPEL_HAVE_NCCL). The unique id travels from rank 0 by MPI_Bcast, so MPI is initialised
// first; each rank uses CUDA device local_rank (device 0 when one GPU is visible per task).
#pragma once
#include <memory>

#include "doppel/dist/communicator.hpp"

namespace doppel {

// True when this build has the NCCL communicator and a CUDA device is visible.
bool nccl_available();

// Throws doppel::Error when NCCL is not built in or no CUDA device is visible.
std::unique_ptr<Communicator> make_nccl_communicator(double collective_timeout_s = 0);

}  // namespace doppel
