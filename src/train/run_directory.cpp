#include "doppel/train/run_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "doppel/logging/checkpoint_policy.hpp"
#include "doppel/error.hpp"

namespace fs = std::filesystem;

namespace doppel {

namespace {

std::string read_holder(int fd) {
  char buf[64] = {};
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? size_t(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

// Everything in the directory but the lock file, sorted.
std::vector<std::string> contents(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name != kRunLockName) names.push_back(name);
  }
  if (ec) throw Error("cannot list run directory " + dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

std::string listing(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size() && i < 4; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > 4) s += ", … (" + std::to_string(names.size()) + " entries)";
  return s;
}

}  // namespace

RunDirectoryLock::RunDirectoryLock(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create run directory " + dir + ": " + ec.message());
  if (!fs::is_directory(dir, ec)) throw Error("run directory " + dir + " exists and is not a directory");
  const std::string path = (fs::path(dir) / kRunLockName).string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error("cannot open the lock file " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string holder = read_holder(fd_);
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw Error(dir + " is in use by another doppel train (pid " + (holder.empty() ? "unknown" : holder) +
                  ", lock file " + path + "): one run directory, one writer");
    throw Error("cannot lock " + path + ": " + std::strerror(err));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != ssize_t(pid.size())) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    throw Error("cannot write " + path + ": " + std::strerror(err));
  }
}

RunDirectoryLock::~RunDirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

void prepare_run_directory(const std::string& dir, RunStart start) {
  if (start == RunStart::Resume) return;
  const auto names = contents(dir);
  if (names.empty()) return;
  if (start == RunStart::Fresh)
    throw Error(dir + " is not empty (" + listing(names) +
                "): give --resume to continue the run in it, or --overwrite to delete its files and start over");
  const bool looks_like_a_run =
      std::any_of(names.begin(), names.end(), [](const std::string& n) { return n == "config.toml"; }) ||
      !list_checkpoints(dir).empty();
  if (!looks_like_a_run)
    throw Error(dir + " does not look like a doppel run directory (no config.toml, no checkpoint; it holds " +
                listing(names) + "): --overwrite only clears run directories; choose another --out");
  for (const auto& name : names) {
    std::error_code ec;
    fs::remove_all(fs::path(dir) / name, ec);
    if (ec) throw Error("--overwrite: cannot delete " + (fs::path(dir) / name).string() + ": " + ec.message());
  }
}

}  // namespace doppel
