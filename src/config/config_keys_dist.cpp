// Documented configuration keys of the dist area (see docs/config.md and docs/scaling.md).
#include "doppel/config/config.hpp"

namespace doppel {

std::vector<KeySpec> dist_key_specs() {
  using T = KeyType;
  return {
      {"dist.communicator", T::String, "\"auto\"",
       "`auto` (NCCL when built and a GPU is visible, else MPI when launched with more than one rank, else "
       "single-process), or force `single`, `mpi`, `nccl`"},
      {"dist.checksum_every", T::Integer, "100",
       "every this many steps all ranks compare parameter checksums and stop loudly on divergence (0: never)"},
      {"dist.collective_timeout_s", T::Float, "600",
       "a rank waiting longer than this in one collective ends with an error instead of hanging (0: no limit)"},
  };
}

}  // namespace doppel
