// doppel: one binary, one subcommand per stage of the data flow
// (prepare -> train -> generate -> evaluate), each runnable alone.
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "doppel/runtime/blas_kernels.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/error.hpp"
#include "doppel/runtime/malloc_tuning.hpp"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

const Command kCommands[] = {
    {"simulate", doppel::cmd_simulate, "write a simulated bank or multi-sensor traffic CSV"},
    {"prepare", doppel::cmd_prepare, "fit a schema on a CSV and write the encoded HDF5 data set"},
    {"inspect", doppel::cmd_inspect, "print schema, counts, lengths and column summaries of an HDF5 file"},
    {"export", doppel::cmd_export, "decode an HDF5 data set to a long CSV in original units"},
    {"config", doppel::cmd_config, "print the configuration reference or a resolved config"},
    {"train", doppel::cmd_train, "train a DoppelGANger model (optionally on MPI ranks, with DP)"},
    {"generate", doppel::cmd_generate, "generate synthetic sequences from a trained run"},
    {"evaluate", doppel::cmd_evaluate, "compare synthetic to real data: metrics, plots, report"},
    {"baseline", doppel::cmd_baseline, "make baseline synthetic data (bootstrap, lstm)"},
    {"compare", doppel::cmd_compare, "the traffic comparison table: DoppelGANger vs LSTM vs bootstrap"},
    {"privacy", doppel::cmd_privacy, "privacy accounting: epsilon for sigma, sigma for a target epsilon"},
    {"sweep", doppel::cmd_sweep, "train, generate and evaluate over a list of privacy budgets"},
};

// The first line of an unexpected exception's message: torch's errors append a C++ backtrace
// ("Exception raised from ...") that tells a user nothing.
std::string first_line(const std::string& what) {
  const auto end = what.find('\n');
  return end == std::string::npos ? what : what.substr(0, end);
}

void usage(std::ostream& o) {
  o << "usage: doppel COMMAND [options]   (doppel COMMAND --help for each)\n\n"
       "Private synthetic sequential data with DoppelGANger.\n\ncommands:\n";
  for (const auto& c : kCommands)
    o << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.summary << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  doppel::select_openblas_kernels(argv);  // may re-run this program once (see the header)
  doppel::keep_freed_memory_for_reuse();
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(std::cout);
    return 0;
  }
  for (const auto& c : kCommands) {
    if (name != c.name) continue;
    try {
      return c.run(argc - 2, argv + 2);
    } catch (const doppel::UsageError& e) {
      std::cerr << e.what() << "\n";  // already names the command
      return 2;
    } catch (const doppel::Error& e) {
      std::cerr << "doppel " << name << ": error: " << e.what() << "\n";
      return 1;
    } catch (const std::filesystem::filesystem_error& e) {
      // A file or directory the command could not create, list or remove: the user's to fix.
      std::cerr << "doppel " << name << ": error: " << e.what() << "\n";
      return 1;
    } catch (const std::exception& e) {
      std::cerr << "doppel " << name << ": internal error: " << first_line(e.what()) << "\n";
      return 1;
    }
  }
  std::cerr << "doppel: unknown command '" << name << "'\n";
  usage(std::cerr);
  return 2;
}
