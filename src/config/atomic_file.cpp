#include "doppel/config/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "doppel/error.hpp"
#include "doppel/config/file_output_stream.hpp"

namespace doppel {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  temp_ = path_ + ".tmp-" + std::to_string(::getpid());
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicFile::commit() {
  int fd = ::open(temp_.c_str(), O_RDONLY);
  if (fd >= 0) {
    // Some file systems report a full disk only here (delayed allocation).
    const bool synced = ::fsync(fd) == 0 || errno == EINVAL;  // EINVAL: cannot be synced (pipes, some FUSE)
    const int err = errno;
    ::close(fd);
    if (!synced) throw Error("cannot write " + path_ + ": " + std::strerror(err));
  }
  if (std::rename(temp_.c_str(), path_.c_str()) != 0)
    throw Error("cannot rename " + temp_ + " to " + path_ + ": " + std::strerror(errno));
  committed_ = true;
}

void write_file_atomic(const std::string& path, const std::string& text) {
  AtomicFile f(path);
  {
    FileOutputStream out(f.temp_path());  // says why a write failed ("No space left on device")
    out << text;
    out.close(path);
  }
  f.commit();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace doppel
