#include "doppel/dist/mpi_runtime.hpp"

#include <mpi.h>

#include <cstdlib>
#include <string>

#include "doppel/error.hpp"

namespace doppel {

namespace {
void finalize_at_exit() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (init && !fin) MPI_Finalize();
}

int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return 0;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  return (end && *end == 0 && n > 0) ? int(n) : 0;
}
}  // namespace

int launcher_world_size() {
  // Open MPI's mpirun, MPICH/Hydra and Slurm's PMI2, PMIx (srun --mpi=pmix), in that order.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (int n = env_int(name)) return n;
  // srun --mpi=pmix sets PMIX_RANK but not always PMIX_SIZE; the task count then comes from Slurm.
  if (std::getenv("PMIX_RANK")) {
    if (int n = env_int("SLURM_STEP_NUM_TASKS")) return n;
    if (int n = env_int("SLURM_NTASKS")) return n;
    return 1;
  }
  return 0;
}

void ensure_mpi_initialized() {
  static const bool once = [] {
    int init = 0;
    MPI_Initialized(&init);
    if (!init) {
      int provided = 0;
      // FUNNELED: only the main thread calls MPI (torch's worker threads never do).
      if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        throw Error("MPI_Init_thread failed");
      std::atexit(finalize_at_exit);
    }
    return true;
  }();
  (void)once;
}

bool mpi_active() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init && !fin;
}

}  // namespace doppel
