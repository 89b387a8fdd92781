// Choosing the communicator: from a kind name or from the config's `dist` section.
#pragma once
#include <memory>
#include <string>

#include "doppel/dist/communicator.hpp"

namespace doppel {

class Config;

// The collective timeout make_communicator(kind) uses (dist.collective_timeout_s's default).
constexpr double kDefaultCollectiveTimeoutS = 600;

// kind "auto": single-process unless a launcher started more than one rank (checked from its
// environment, before MPI is initialised); then NCCL when built in and a CUDA device is
// visible, else MPI. "single", "mpi", "nccl" force one (an error names why one cannot be
// had). collective_timeout_s <= 0 disables the collective watchdog.
std::unique_ptr<Communicator> make_communicator(const std::string& kind, double collective_timeout_s);

// dist.communicator and dist.collective_timeout_s of `config`.
std::unique_ptr<Communicator> make_communicator_from_config(const Config& config);

}  // namespace doppel
