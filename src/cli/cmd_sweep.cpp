// Placeholder until this stage is built: fails loudly instead of pretending.
#include "doppel/args.hpp"
#include "doppel/commands.hpp"
#include "doppel/error.hpp"

namespace doppel {

int cmd_sweep(int argc, char** argv) {
  Args args("doppel sweep", "Not implemented yet: this stage has not been built.");
  if (!args.parse(argc, argv)) return 0;
  throw Error("'doppel sweep' is not implemented yet");
}

}  // namespace doppel
