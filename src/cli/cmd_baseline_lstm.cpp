// `doppel baseline lstm`: train the autoregressive LSTM baseline on the train split
// of a prepared file and write synthetic sequences with the same schema.
#include <torch/torch.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "doppel/cli/args.hpp"
#include "doppel/data/batch_source.hpp"
#include "doppel/error.hpp"
#include "doppel/baselines/lstm_baseline.hpp"

namespace doppel {

int cmd_baseline_lstm(int argc, char** argv) {
  LstmBaselineOptions def;
  Args args("doppel baseline lstm",
            "Train an autoregressive LSTM (next step from the previous window plus the attributes) "
            "on the train split of a prepared data set and sample synthetic sequences from it. "
            "See docs/baselines.md.");
  args.option("data", "prepared HDF5 data set (its train split is used)", "", true)
      .option("n", "number of sequences to generate", "", true)
      .option("out", "output HDF5 file (kind sequences, same schema)", "", true)
      .option("steps", "training steps (Adam)", std::to_string(def.steps))
      .option("batch", "training batch size", std::to_string(def.batch))
      .option("window", "previous steps the model sees", std::to_string(def.window))
      .option("hidden", "LSTM width", std::to_string(def.hidden))
      .option("layers", "LSTM layers", std::to_string(def.layers))
      .option("lr", "Adam learning rate", "0.001")
      .option("seed", "seed for initialization, batches and sampling", "0")
      .option("threads", "CPU threads for torch (0 = torch's default)", "0");
  if (!args.parse(argc, argv)) return 0;

  LstmBaselineOptions opt;
  opt.steps = int(args.get_int("steps"));
  opt.batch = int(args.get_int("batch"));
  opt.window = int(args.get_int("window"));
  opt.hidden = int(args.get_int("hidden"));
  opt.layers = int(args.get_int("layers"));
  opt.learning_rate = args.get_double("lr");
  opt.seed = uint64_t(args.get_int("seed"));
  long long n = args.get_int("n");
  long long threads = args.get_int("threads");
  if (n < 1) throw UsageError("--n must be at least 1, got " + std::to_string(n));
  if (threads < 0) throw UsageError("--threads must be >= 0, got " + std::to_string(threads));
  if (threads > 0) torch::set_num_threads(int(threads));

  args.refuse_output_over_inputs("out", {"data"});
  FileSource train(args.get("data"), 0);
  if (train.size() == 0)
    throw Error(args.get("data") + ": the train split (split 0) has no sequences");
  ProgressFn line = [](const std::string& s) { std::cerr << "\r" << s << "   " << std::flush; };

  // Random batches from memory, not from the compressed file (the same items), unless the
  // items would take more than train.memory_cache_mb's default.
  const auto cached = InMemorySource::copy_if_at_most(train, kDefaultMemoryCacheMiB << 20);
  LstmBaseline model(train.schema(), opt);
  double loss = model.train(cached ? *cached : static_cast<const BatchSource&>(train), line);
  std::cerr << "\n";

  Schema out_schema = train.schema();
  out_schema.kind = "sequences";  // windows data sets come back as whole sequences
  DatasetWriter writer(args.get("out"), out_schema);
  model.generate(n, opt.seed + 1, [&](const Batch& b) {
    for (int64_t i = 0; i < b.n; ++i)
      writer.append_sequence(b.attributes.data() + i * b.A, b.features.data() + i * b.L * b.F,
                             b.lengths[size_t(i)], 0, b.start_time[size_t(i)]);
  }, 512, line);
  std::cerr << "\n";
  writer.set_metadata("generator", "lstm_baseline");
  nlohmann::json meta = {{"steps", opt.steps},   {"batch", opt.batch},   {"window", opt.window},
                         {"hidden", opt.hidden}, {"layers", opt.layers}, {"seed", opt.seed},
                         {"train_loss", loss},   {"source", args.get("data")}};
  writer.set_metadata("baseline_options", meta.dump());
  writer.finish();
  std::cout << "wrote " << n << " sequences to " << args.get("out") << "\n";
  return 0;
}

}  // namespace doppel
