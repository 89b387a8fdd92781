#include <iostream>

#include "doppel/cli/args.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/data/export.hpp"

namespace doppel {

int cmd_export(int argc, char** argv) {
  Args args("doppel export",
            "Decode a prepared or generated HDF5 data set to a long CSV in original units:\n"
            "one row per time step, with window_id and step (windows) or the id column (sequences),\n"
            "the attributes repeated on each row, and the features. See docs/data.md.");
  args.positional("FILE.h5", "prepared or generated data set").option("out", "output CSV", "", true);
  if (!args.parse(argc, argv)) return 0;
  args.refuse_output_over_inputs("out", {"FILE.h5"});
  int64_t rows = export_csv(args.get("FILE.h5"), args.get("out"));
  std::cout << "wrote " << rows << " rows -> " << args.get("out") << "\n";
  return 0;
}

}  // namespace doppel
