// The MPI library's lifetime in one process: initialised at most once (first use), finalised
// at exit. Also tells, before MPI is touched, whether a launcher (mpirun, srun) started more
// than one rank, so a plain `doppel train` never initialises MPI at all.
#pragma once

namespace doppel {

// World size announced by the launcher's environment (OMPI_COMM_WORLD_SIZE, PMI_SIZE,
// PMIX_SIZE, SLURM_NTASKS under srun); 0 when none of them is set.
int launcher_world_size();

// MPI_Init_thread(FUNNELED) the first time it is called (thread-safe function-local
// static); registers MPI_Finalize to run at exit. Later calls do nothing.
void ensure_mpi_initialized();

// True once ensure_mpi_initialized() ran and MPI is not finalised yet.
bool mpi_active();

}  // namespace doppel
