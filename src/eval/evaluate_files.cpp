#include "doppel/eval/evaluate_files.hpp"

#include <filesystem>
#include <fstream>

#include "doppel/config/atomic_file.hpp"
#include "doppel/data/batch_source.hpp"
#include "doppel/config/config.hpp"
#include "doppel/error.hpp"
#include "doppel/data/export.hpp"
#include "doppel/eval/plots.hpp"
#include "doppel/eval/report.hpp"

namespace doppel::eval {

namespace fs = std::filesystem;

namespace {
bool is_hdf5(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char sig[8] = {};
  in.read(sig, 8);
  // Every HDF5 file starts with this signature (at offset 0 for files doppel writes).
  static const char kHdf5[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  return std::equal(sig, sig + 8, kHdf5);
}

bool is_csv(const std::string& path) { return fs::path(path).extension() == ".csv" && !is_hdf5(path); }

void check_input(const std::string& path, const char* role) {
  if (!fs::exists(path)) throw Error(std::string(role) + " file not found: " + path);
  if (fs::is_directory(path)) throw Error(std::string(role) + " input is a directory, not a file: " + path);
  if (fs::file_size(path) == 0) throw Error(std::string(role) + " file is empty: " + path);
  if (!is_hdf5(path) && !is_csv(path))
    throw Error(std::string(role) + " file " + path +
                " is neither an HDF5 data set nor a .csv in the doppel export format (wrong format)");
}

// A CSV input is re-encoded into a temporary HDF5 file with the other input's schema
// (streaming), removed when the evaluation ends.
struct CsvAsHdf5 {
  std::string path;
  ~CsvAsHdf5() {
    if (!path.empty()) fs::remove(path);
  }
};
}  // namespace

int generator_cell_length(const std::string& path) {
  if (!is_hdf5(path)) return 0;
  DatasetReader reader(path);
  if (reader.metadata("generated_from").empty()) return 0;  // not written by `doppel generate`
  const std::string toml = reader.metadata("config");
  if (toml.empty()) return 0;
  return int(Config::parse(toml, path + " (stored config)").integer("model.sample_len"));
}

nlohmann::json evaluate_files(const std::string& real_path, const std::string& syn_path,
                              const std::string& out_dir, const EvaluateOptions& options, bool plots) {
  check_input(real_path, "real");
  check_input(syn_path, "synthetic");
  if (is_csv(real_path) && is_csv(syn_path))
    throw Error("both inputs are CSVs: give the real data as the prepared HDF5 file (its schema decodes the CSV)");
  fs::create_directories(out_dir);
  CsvAsHdf5 real_h5, syn_h5;
  std::string real_file = real_path, syn_file = syn_path;
  if (is_csv(syn_path)) {
    syn_h5.path = (fs::path(out_dir) / ".synthetic_from_csv.h5").string();
    import_csv(syn_path, DatasetReader(real_path).schema(), syn_h5.path);
    syn_file = syn_h5.path;
  }
  if (is_csv(real_path)) {  // no test split in a CSV: utility and the audit are skipped
    real_h5.path = (fs::path(out_dir) / ".real_from_csv.h5").string();
    import_csv(real_path, DatasetReader(syn_path).schema(), real_h5.path);
    real_file = real_h5.path;
  }
  EvaluateOptions opt = options;
  if (opt.summary.cell_length == 0) opt.summary.cell_length = generator_cell_length(syn_path);
  FileSource real(real_file, 0), test(real_file, 1), syn(syn_file, -1);
  if (real.size() == 0)
    throw Error("real file " + real_path + " has no training sequences (split 0) to compare against");
  if (plots) gnuplot_png_terminal();  // fail before the long pass, not after it
  Evaluation ev = evaluate(real, &test, syn, opt, real_path, syn_path);
  write_file_atomic((fs::path(out_dir) / "metrics.json").string(), ev.metrics.dump(2) + "\n");
  std::vector<Plot> made;
  if (plots) made = write_plots(ev, out_dir);
  write_file_atomic((fs::path(out_dir) / "report.md").string(), report_markdown(ev.metrics, made));
  return ev.metrics;
}

}  // namespace doppel::eval
