#include "doppel/dist/communicator_factory.hpp"

#include "doppel/config/config.hpp"
#include "doppel/dist/mpi_communicator.hpp"
#include "doppel/dist/mpi_runtime.hpp"
#include "doppel/dist/nccl_communicator.hpp"
#include "doppel/error.hpp"

namespace doppel {

#ifndef DOPPEL_HAVE_NCCL
// Without the NCCL build src/dist/nccl_communicator.cpp is not compiled; these stand in for it.
bool nccl_available() { return false; }
std::unique_ptr<Communicator> make_nccl_communicator(double) {
  throw Error("dist.communicator = \"nccl\": this doppel was built without NCCL (CMake found no CUDA runtime "
              "headers or NCCL library; see docs/scaling.md)");
}
#endif

std::unique_ptr<Communicator> make_communicator(const std::string& kind) {
  return make_communicator(kind, kDefaultCollectiveTimeoutS);
}

std::unique_ptr<Communicator> make_communicator(const std::string& kind, double timeout_s) {
  if (kind == "single") {
    if (launcher_world_size() > 1)
      throw Error("dist.communicator = \"single\" but the launcher started " + std::to_string(launcher_world_size()) +
                  " ranks: every rank would train alone; use \"auto\" or \"mpi\", or launch one rank");
    return make_single_process_communicator();
  }
  if (kind == "mpi") return make_mpi_communicator(timeout_s);
  if (kind == "nccl") return make_nccl_communicator(timeout_s);
  if (kind != "auto")
    throw Error("dist.communicator must be \"auto\", \"single\", \"mpi\" or \"nccl\", got \"" + kind + "\"");
  if (launcher_world_size() <= 1) return make_single_process_communicator();
  if (nccl_available()) return make_nccl_communicator(timeout_s);
  return make_mpi_communicator(timeout_s);
}

std::unique_ptr<Communicator> make_communicator_from_config(const Config& config) {
  try {
    return make_communicator(config.string("dist.communicator"), config.number("dist.collective_timeout_s"));
  } catch (const Error& e) {
    throw Error(config.origin() + ": " + e.what());
  }
}

}  // namespace doppel
