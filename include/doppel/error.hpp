// Errors carry their context (file, row, column, key) in the message, so the CLI
// can print one line and exit non-zero without guessing what went wrong.
#pragma once
#include <stdexcept>
#include <string>

namespace doppel {

// Any failure the user can act on: bad input, bad config, missing file.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// A command line that does not parse; the CLI prints usage after it.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(what) {}
};

}  // namespace doppel
