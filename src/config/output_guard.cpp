#include "doppel/config/output_guard.hpp"

#include <filesystem>

#include "doppel/error.hpp"

namespace doppel {

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  const bool same = std::filesystem::equivalent(a, b, ec);
  return !ec && same;  // an error means one of them does not exist: not the same file
}

void refuse_output_over_input(const std::string& command, const std::string& output_label,
                              const std::string& output,
                              const std::vector<std::pair<std::string, std::string>>& inputs) {
  for (const auto& [label, path] : inputs) {
    if (path.empty() || !same_file(output, path)) continue;
    throw UsageError(command + ": " + output_label + " " + output + " is the same file as " + label + " " + path +
                     ": writing it would destroy the input; choose another output path");
  }
}

}  // namespace doppel
