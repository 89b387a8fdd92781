// Outputs are written to "<path>.tmp-<pid>" and renamed into place on commit, so a
// failure never leaves a partial file under the real name.
#pragma once
#include <string>

namespace doppel {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& temp_path() const { return temp_; }
  const std::string& path() const { return path_; }
  void commit();  // fsync + rename

 private:
  std::string path_, temp_;
  bool committed_ = false;
};

// Writes `text` to `path` atomically. Throws Error "cannot write <path>: <reason>" (e.g. "No space
// left on device"); the temporary file is removed then.
void write_file_atomic(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

}  // namespace doppel
