#include "doppel/eval/evaluate_files.hpp"

#include <filesystem>
#include <fstream>

#include "doppel/atomic_file.hpp"
#include "doppel/error.hpp"
#include "doppel/eval/plots.hpp"
#include "doppel/eval/report.hpp"

namespace doppel::eval {

namespace fs = std::filesystem;

namespace {
void check_input(const std::string& path, const char* role) {
  if (!fs::exists(path)) throw Error(std::string(role) + " file not found: " + path);
  if (fs::is_directory(path)) throw Error(std::string(role) + " input is a directory, not a file: " + path);
  if (fs::file_size(path) == 0) throw Error(std::string(role) + " file is empty: " + path);
  std::ifstream in(path, std::ios::binary);
  char sig[8] = {};
  in.read(sig, 8);
  // Every HDF5 file starts with this signature (at offset 0 for files doppel writes).
  static const char kHdf5[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  if (!std::equal(sig, sig + 8, kHdf5)) {
    std::string ext = fs::path(path).extension().string();
    if (ext == ".csv")
      throw Error(std::string(role) + " file " + path +
                  " is a CSV: doppel evaluate reads only HDF5 data sets for now (evaluate the files "
                  "written by prepare / generate / baseline)");
    throw Error(std::string(role) + " file " + path + " is not an HDF5 data set (wrong format)");
  }
}
}  // namespace

nlohmann::json evaluate_files(const std::string& real_path, const std::string& syn_path,
                              const std::string& out_dir, const EvaluateOptions& options, bool plots) {
  check_input(real_path, "real");
  check_input(syn_path, "synthetic");
  FileSource real(real_path, 0), test(real_path, 1), syn(syn_path, -1);
  if (real.size() == 0)
    throw Error("real file " + real_path + " has no training sequences (split 0) to compare against");
  if (plots) gnuplot_png_terminal();  // fail before the long pass, not after it
  Evaluation ev = evaluate(real, &test, syn, options, real_path, syn_path);
  fs::create_directories(out_dir);
  write_file_atomic((fs::path(out_dir) / "metrics.json").string(), ev.metrics.dump(2) + "\n");
  std::vector<Plot> made;
  if (plots) made = write_plots(ev, out_dir);
  write_file_atomic((fs::path(out_dir) / "report.md").string(), report_markdown(ev.metrics, made));
  return ev.metrics;
}

}  // namespace doppel::eval
