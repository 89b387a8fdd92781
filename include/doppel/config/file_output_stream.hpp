// An std::ostream onto a file that keeps the reason of its first failed write. std::ofstream only
// says that a write failed; on a full disk the user must read "No space left on device".
#pragma once
#include <memory>
#include <ostream>
#include <string>

namespace doppel {

class FileOutputStream : public std::ostream {
 public:
  // Creates or truncates `path`; throws Error "cannot write <path>: <reason>".
  explicit FileOutputStream(const std::string& path);
  ~FileOutputStream() override;  // closes; errors are only reported by close()
  FileOutputStream(const FileOutputStream&) = delete;
  FileOutputStream& operator=(const FileOutputStream&) = delete;

  // Writes what is buffered and closes the file; throws Error "cannot write <name>: <reason>"
  // (name: the path the user knows, e.g. the final name of an AtomicFile's temporary) when any
  // write failed.
  void close(const std::string& name);

 private:
  class Buffer;
  std::unique_ptr<Buffer> buffer_;
};

}  // namespace doppel
