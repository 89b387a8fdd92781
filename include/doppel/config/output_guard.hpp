// An output must never replace an input of the same command: `prepare --input x.csv --out x.csv`
// reads x.csv and then renames its result over it, so the input would be gone. Paths are compared
// as files on disk (device and inode), so symlinks, "./x.csv" and hard links are caught too.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace doppel {

// True when both paths exist and name the same file.
bool same_file(const std::string& a, const std::string& b);

// Throws UsageError "<command>: <output_label> <output> is <input_label> <input>: ..." when the
// output is the same file as any of the inputs (label, path); inputs with an empty path are skipped.
void refuse_output_over_input(const std::string& command, const std::string& output_label,
                              const std::string& output,
                              const std::vector<std::pair<std::string, std::string>>& inputs);

}  // namespace doppel
