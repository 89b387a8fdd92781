// Which checkpoints a run keeps: the newest `keep_last`, plus every one whose step
// is a multiple of `extra_every` (milestones for later comparison). Pure logic and
// file naming; the training loop does the writing and deleting.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace doppel {

struct CheckpointPolicy {
  int64_t keep_last = 3;    // >= 1: the checkpoint just written is always kept
  int64_t extra_every = 0;  // 0 = no milestones
};

// Steps (ascending) to delete once the checkpoint at `new_step` has been written.
// `existing` may or may not contain new_step. Checkpoints above new_step (left by a
// run resumed from an earlier one) are never deleted: they are not older than it.
// Throws Error for keep_last < 1 or extra_every < 0.
std::vector<int64_t> checkpoints_to_delete(const std::vector<int64_t>& existing, int64_t new_step,
                                           const CheckpointPolicy& policy);

// "ckpt-00001200.pt": 8 digits, more when the step needs them. Throws for step < 0.
std::string checkpoint_name(int64_t step);
// The step of a name made by checkpoint_name; nullopt for anything else
// (temporaries "ckpt-00001200.pt.tmp-123", other files).
std::optional<int64_t> parse_checkpoint_name(const std::string& file_name);

// Steps (ascending) of the checkpoint files in `dir`; empty if dir does not exist.
// Throws Error if dir exists but cannot be read as a directory.
std::vector<int64_t> list_checkpoints(const std::string& dir);
// Path (dir/name) of the highest-step checkpoint in dir, "" if none.
std::string newest_checkpoint(const std::string& dir);

}  // namespace doppel
