// The Communicator over MPI on CPU tensors (float, double, int32, int64; in place).
#pragma once
#include <memory>

#include "doppel/dist/communicator.hpp"

namespace doppel {

// Initialises MPI if needed and returns a communicator over a duplicate of MPI_COMM_WORLD.
// collective_timeout_s > 0: a watchdog ends this rank (non-zero exit, message naming the
// collective) when one collective waits longer than that, so a lost peer never hangs the job.
std::unique_ptr<Communicator> make_mpi_communicator(double collective_timeout_s = 0);

}  // namespace doppel
