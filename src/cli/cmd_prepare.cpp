#include <filesystem>
#include <iostream>
#include <memory>

#include "doppel/cli/args.hpp"
#include "doppel/logging/checkpoint_policy.hpp"
#include "doppel/data/dataset.hpp"
#include "doppel/train/generate.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/config/config.hpp"
#include "doppel/error.hpp"
#include "doppel/config/output_guard.hpp"
#include "doppel/data/prepare.hpp"

namespace doppel {

int cmd_prepare(int argc, char** argv) {
  Args args("doppel prepare",
            "Fit a schema on the input CSV named by the config and write the encoded HDF5 data set\n"
            "(schema, attributes, features or series + window index, lengths, test split).\n"
            "The resolved config is written beside the output as <out>.config.toml. With --schema-from,\n"
            "no schema is fitted: the input is encoded with an existing one (unknown categories are\n"
            "refused, out-of-range numbers clamped and counted).");
  args.option("config", "TOML run config (see docs/config.md)", "", true)
      .option("out", "output HDF5 file (default: data.output of the config)")
      .option("input", "input CSV (default: data.input of the config)")
      .option("schema-from", "encode with the schema of this prepared or generated HDF5 file, or of this "
              "run directory's newest checkpoint, instead of fitting one (a later month, another site)")
      .repeated("set", "override a config key: section.key=value");
  if (!args.parse(argc, argv)) return 0;
  std::vector<std::string> overrides = args.all("set");
  if (args.has("input")) overrides.push_back("data.input=" + args.get("input"));
  Config config = Config::load(args.get("config"), overrides);
  std::string out = args.has("out") ? args.get("out") : config.string("data.output");
  if (out.empty()) throw UsageError("doppel prepare: no output (give --out or data.output)");
  refuse_output_over_input("doppel prepare", "--out", out,
                           {{"the input CSV", config.string("data.input")}, {"the config", args.get("config")}});
  auto parent = std::filesystem::path(out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  std::unique_ptr<FixedSchema> fixed;
  if (args.has("schema-from")) {
    const std::string from = args.get("schema-from");
    fixed = std::make_unique<FixedSchema>();
    if (std::filesystem::is_directory(from)) {
      const std::string ckpt = newest_checkpoint(from);
      if (ckpt.empty()) throw Error("--schema-from " + from + ": a directory without checkpoints (ckpt-*.pt)");
      fixed->schema = load_generator(ckpt).schema;
      fixed->origin = ckpt;
    } else {
      if (!std::filesystem::exists(from)) throw Error("--schema-from " + from + ": no such file or run directory");
      fixed->schema = DatasetReader(from).schema();
      fixed->origin = from;
    }
  }
  PrepareResult r = prepare_dataset(config, out, [](const std::string& m) { std::cerr << m << "\n"; }, fixed.get());
  config.save(out + ".config.toml");
  std::cout << "prepared " << r.items << " " << config.string("data.kind") << " (" << r.train << " train, "
            << r.test << " test" << (r.public_items > 0 ? ", " + std::to_string(r.public_items) + " public" : "")
            << ") from " << r.rows << " rows -> " << out << "\n"
            << "policies: " << r.report_json << "\n";
  return 0;
}

}  // namespace doppel
