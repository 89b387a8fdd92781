// Placeholder until this stage is built: fails loudly instead of pretending.
#include "doppel/args.hpp"
#include "doppel/commands.hpp"
#include "doppel/error.hpp"

namespace doppel {

int cmd_generate(int argc, char** argv) {
  Args args("doppel generate", "Not implemented yet: this stage has not been built.");
  if (!args.parse(argc, argv)) return 0;
  throw Error("'doppel generate' is not implemented yet");
}

}  // namespace doppel
