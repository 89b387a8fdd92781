// Helpers shared by unit tests: temporary directories, CSV writing, error capture.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <unistd.h>

#include "doppel/error.hpp"

namespace doppel_test {

// A fresh directory under /tmp, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "doppel-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }
  // Names of everything in the directory (to check that nothing partial is left).
  std::vector<std::string> entries() const {
    std::vector<std::string> v;
    for (auto& e : std::filesystem::directory_iterator(path_)) v.push_back(e.path().filename().string());
    return v;
  }

 private:
  std::string path_;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The message of the doppel::Error thrown by f ("" when none was thrown).
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const doppel::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace doppel_test
