// The run directory of `doppel train`: one writer at a time, and a new run never lands on top of
// another run's files (its checkpoints would be resumed or generated from as if they were ours).
#pragma once
#include <string>

namespace doppel {

// Name of the lock file inside a run directory. It stays after the run (it then names the last
// holder); the lock itself is the flock() on it, which the kernel releases when the process ends.
constexpr const char* kRunLockName = "train.lock";

// Holds an exclusive lock on <dir>/train.lock for its lifetime; creates the directory if needed.
// Throws Error at once when another process holds it, naming that process's pid; and when the
// directory cannot be created or the lock file written (permission, not a directory).
class RunDirectoryLock {
 public:
  explicit RunDirectoryLock(const std::string& dir);
  ~RunDirectoryLock();
  RunDirectoryLock(const RunDirectoryLock&) = delete;
  RunDirectoryLock& operator=(const RunDirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

// What a new `doppel train` may do with the run directory's files.
enum class RunStart {
  Fresh,      // the directory must hold nothing but the lock file
  Resume,     // --resume: continue what is there
  Overwrite,  // --overwrite: delete everything in it (but the lock) first
};

// Applies `start` to `dir` (locked by the caller). Fresh: throws Error listing what is there and
// pointing to --resume and --overwrite. Overwrite: refuses a directory that does not look like a
// doppel run (no config.toml, no checkpoint), so a mistyped --out never wipes unrelated files.
void prepare_run_directory(const std::string& dir, RunStart start);

}  // namespace doppel
