// `doppel generate`: synthetic sequences from a trained run's checkpoint, unconditionally or
// for given attributes, written as an HDF5 data set or a decoded CSV.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "doppel/cli/args.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/config/atomic_file.hpp"
#include "doppel/config/file_output_stream.hpp"
#include "doppel/config/output_guard.hpp"
#include "doppel/data/batch_source.hpp"
#include "doppel/data/dataset.hpp"
#include "doppel/data/export.hpp"
#include "doppel/error.hpp"
#include "doppel/logging/checkpoint_policy.hpp"
#include "doppel/train/generate.hpp"

namespace doppel {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

int cmd_generate(int argc, char** argv) {
  Args args("doppel generate",
            "Generate synthetic sequences from a trained run: unconditionally, or for the\n"
            "attributes listed in a CSV (header names the attribute columns, original units).\n"
            "Output: an HDF5 data set (.h5) or a decoded long CSV (.csv).");
  args.option("run", "run directory (its newest checkpoint is used)")
      .option("checkpoint", "checkpoint file (instead of --run)")
      .option("n", "number of sequences (default with --attributes: one per row)")
      .option("out", "output file, .h5 or .csv", "", true)
      .option("seed", "noise seed", "0")
      .option("attributes", "CSV of given attributes to condition on")
      .option("attributes-from", "condition on the attributes of --n sequences drawn (seeded, with "
              "replacement) from the training split of this prepared HDF5 file")
      .flag("strict", "refuse given attributes outside the range the model was trained on (default: "
            "clamp them to it and say how many)")
      .option("batch", "sequences per generator call (250 keeps the LSTM buffers in cache)", "250")
      .option("threads", "torch intra-op threads", "1");
  if (!args.parse(argc, argv)) return 0;
  std::string ckpt = args.has("checkpoint") ? args.get("checkpoint") : "";
  if (ckpt.empty()) {
    if (!args.has("run") || args.get("run").empty()) throw UsageError("give --run RUN_DIR or --checkpoint PATH");
    ckpt = newest_checkpoint(args.get("run"));
    if (ckpt.empty()) throw Error(args.get("run") + ": no checkpoint (ckpt-*.pt) in this run directory");
  }
  const std::string out = args.get("out");
  args.refuse_output_over_inputs("out", {"checkpoint", "attributes", "attributes-from"});
  // The checkpoint --run picked (the option names a directory).
  if (same_file(out, ckpt)) throw UsageError("doppel generate: --out " + out + " is the run's checkpoint " + ckpt);
  if (args.get_int("threads") < 1)
    throw UsageError("doppel generate: --threads must be >= 1, got " + args.get("threads"));
  torch::set_num_threads(int(args.get_int("threads")));
  LoadedGenerator model = load_generator(ckpt);

  std::vector<float> given;
  int64_t n = args.has("n") && !args.get("n").empty() ? args.get_int("n") : 0;
  if (args.has("attributes-from") && !args.get("attributes-from").empty()) {
    if (args.has("attributes") && !args.get("attributes").empty())
      throw UsageError("give --attributes or --attributes-from, not both");
    if (n < 1) throw UsageError("--attributes-from needs --n");
    FileSource real(args.get("attributes-from"), 0);
    if (!real.schema().same_layout(model.schema))
      throw Error(args.get("attributes-from") + ": its schema differs from the model's (" + ckpt + ")");
    if (real.size() == 0) throw Error(args.get("attributes-from") + ": no training sequences to draw attributes from");
    std::mt19937_64 rng(uint64_t(args.get_int("seed")) * 0x9E3779B97F4A7C15ull + 1);
    std::vector<int64_t> idx(static_cast<size_t>(n));
    for (auto& i : idx) i = int64_t(rng() % uint64_t(real.size()));
    for (int64_t b = 0; b < n; b += 4096) {
      std::vector<int64_t> part(idx.begin() + b, idx.begin() + std::min(n, b + 4096));
      Batch batch = real.read_indices(part);
      given.insert(given.end(), batch.attributes.begin(), batch.attributes.end());
    }
  }
  if (args.has("attributes") && !args.get("attributes").empty()) {
    int64_t rows = 0;
    std::vector<std::string> clamped;
    given = read_given_attributes(args.get("attributes"), model.schema, &rows, args.get_flag("strict"), &clamped);
    for (const auto& line : clamped)
      std::cerr << "doppel generate: " << args.get("attributes") << ": clamped to the training range: " << line
                << " (--strict refuses them)\n";
    if (n != 0 && n != rows)
      throw UsageError("--n " + std::to_string(n) + " differs from the " + std::to_string(rows) + " rows of " +
                       args.get("attributes"));
    n = rows;
  }
  if (n < 1) throw UsageError("--n must be >= 1 (or give --attributes)");

  Schema out_schema = model.schema;
  out_schema.kind = "sequences";  // generated windows are independent sequences
  const int64_t batch = args.get_int("batch");
  const uint64_t seed = uint64_t(args.get_int("seed"));
  const std::vector<float>* cond = given.empty() ? nullptr : &given;
  if (ends_with(out, ".h5")) {
    DatasetWriter writer(out, out_schema);
    writer.set_metadata("generated_from", ckpt);
    writer.set_metadata("config", model.config.to_toml());
    if (!model.privacy.empty()) writer.set_metadata("privacy", model.privacy);
    generate_sequences(model, n, batch, seed, cond, [&](const Batch& b) {
      for (int64_t i = 0; i < b.n; ++i)
        writer.append_sequence(b.attributes.data() + i * b.A, b.features.data() + i * b.L * b.F, b.lengths[i], 0, 0);
    });
    writer.finish();
  } else if (ends_with(out, ".csv")) {
    AtomicFile file(out);
    {
      FileOutputStream os(file.temp_path());
      CsvExporter exporter(out_schema, os);
      generate_sequences(model, n, batch, seed, cond, [&](const Batch& b) { exporter.write(b); });
      os.close(out);
    }
    file.commit();
    // A CSV has no metadata: the model's resolved config (and privacy spent) go beside it.
    model.config.save(out + ".config.toml");
    if (!model.privacy.empty()) write_file_atomic(out + ".privacy.json", model.privacy + "\n");
  } else {
    throw UsageError("--out must end in .h5 or .csv, got '" + out + "'");
  }
  if (!model.privacy.empty()) std::cout << "privacy: " << model.privacy << "\n";
  std::cout << "generated " << n << " sequences from " << ckpt << " (step " << model.step
            << (model.moving_average ? ", moving average of the weights" : "") << ") -> " << out << "\n";
  return 0;
}

}  // namespace doppel
