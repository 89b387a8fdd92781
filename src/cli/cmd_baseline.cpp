// doppel baseline: baseline synthetic data sets for the comparison table.
//   bootstrap  block bootstrap of the real training sequences (include/doppel/baselines/block_bootstrap.hpp)
//   lstm       autoregressive LSTM (cmd_baseline_lstm, built with torch)
#include <cstring>
#include <iostream>

#include "doppel/cli/args.hpp"
#include "doppel/data/batch_source.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/data/dataset.hpp"
#include "doppel/error.hpp"
#include "doppel/baselines/block_bootstrap.hpp"
#include "doppel/baselines/lstm_baseline.hpp"

namespace doppel {

namespace {

int baseline_bootstrap(int argc, char** argv) {
  Args args("doppel baseline bootstrap",
            "Block-bootstrap baseline: each synthetic sequence takes the attributes and length of a "
            "random real training sequence and rebuilds its features from blocks of --block steps "
            "copied from that sequence at random offsets. Writes kind 'sequences', split 0.");
  args.option("data", "prepared real HDF5 data set (its training split is resampled)", "", true)
      .option("n", "number of synthetic sequences", "", true)
      .option("out", "output HDF5 file", "", true)
      .option("block", "steps per block", "24")
      .option("seed", "random seed", "0");
  if (!args.parse(argc, argv)) return 0;
  eval::BootstrapOptions o;
  o.n = args.get_int("n");
  o.block = args.get_int("block");
  o.seed = uint64_t(args.get_int("seed"));
  if (o.n < 1) throw UsageError("doppel baseline bootstrap: --n must be >= 1");
  if (o.block < 1) throw UsageError("doppel baseline bootstrap: --block must be >= 1");
  args.refuse_output_over_inputs("out", {"data"});
  FileSource train(args.get("data"), 0);
  if (train.size() == 0) throw Error(args.get("data") + ": no training sequences (split 0) to resample");
  Schema schema = train.schema();
  schema.kind = "sequences";  // windows are resampled as independent sequences
  DatasetWriter writer(args.get("out"), schema);
  writer.set_metadata("generator", "block bootstrap of " + args.get("data") + " (block " +
                                       std::to_string(o.block) + ", seed " + std::to_string(o.seed) + ")");
  eval::block_bootstrap(train, o, [&](const float* a, const float* f, int32_t len) {
    writer.append_sequence(a, f, len, 0, 0);
  });
  writer.finish();
  std::cout << "wrote " << o.n << " bootstrap sequences to " << args.get("out") << "\n";
  return 0;
}

const char* kUsage =
    "usage: doppel baseline METHOD [options]   (doppel baseline METHOD --help for each)\n\n"
    "methods:\n"
    "  bootstrap   block bootstrap of the real training sequences\n"
    "  lstm        autoregressive LSTM trained on the real training sequences\n";

}  // namespace

int cmd_baseline(int argc, char** argv) {
  if (argc < 1) throw UsageError(std::string("missing METHOD\n") + kUsage);
  std::string method = argv[0];
  if (method == "--help" || method == "-h") {
    std::cout << kUsage;
    return 0;
  }
  if (method == "bootstrap") return baseline_bootstrap(argc - 1, argv + 1);
  if (method == "lstm") {
    return cmd_baseline_lstm(argc - 1, argv + 1);
  }
  throw UsageError("unknown method '" + method + "'\n" + kUsage);
}

}  // namespace doppel
