// main() of the multi-rank GoogleTest binaries (run under mpirun -np 2): MPI is initialised
// once, only rank 0 prints GoogleTest's output, and every rank exits non-zero when a test
// failed on any rank.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <iostream>

#include "doppel/dist/mpi_communicator.hpp"

namespace doppel_mpi_test {

// The communicator every test uses (created in main).
inline doppel::Communicator*& world() {
  static doppel::Communicator* comm = nullptr;
  return comm;
}

inline int run_all(int argc, char** argv) {
  torch::set_num_threads(1);
  ::testing::InitGoogleTest(&argc, argv);
  auto comm = doppel::make_mpi_communicator(120);
  world() = comm.get();
  if (comm->world() < 2) {
    std::cerr << "this test needs at least 2 ranks: run it under mpirun -np 2\n";
    return 1;
  }
  if (comm->rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int rc = RUN_ALL_TESTS();
  const bool failed_anywhere = comm->any(rc != 0);
  if (rc != 0) std::cerr << "[rank " << comm->rank() << "] some tests FAILED on this rank\n";
  world() = nullptr;
  return failed_anywhere ? 1 : 0;
}

}  // namespace doppel_mpi_test
