// Opening a checkpoint file written by Trainer::save_checkpoint (training, --resume,
// --init-from and generate all go through here, so they fail with the same messages).
#pragma once

#include <torch/serialize/input-archive.h>

#include <string>

namespace torch::serialize {
class OutputArchive;
}

namespace doppel {

// Writes the archive to `path` atomically, followed by a checksum line (CRC-32C of the archive's
// bytes) that read_checkpoint_bytes verifies. Throws Error naming the path and the reason (e.g.
// "No space left on device"); no temporary file is left then.
void write_checkpoint_file(torch::serialize::OutputArchive& archive, const std::string& path);

// The archive's bytes, checksum verified and removed. Throws Error naming the path: "no such
// checkpoint file" when it is missing, "is a directory", "cannot read checkpoint" when it cannot be
// opened, "not a readable doppel checkpoint" without a checksum line, "damaged checkpoint" when
// the bytes do not match it.
std::string read_checkpoint_bytes(const std::string& path);

// Parses the bytes of the checkpoint at `path` (named in errors) into `archive`; throws Error
// "not a readable doppel checkpoint (...)" for anything torch cannot load.
void load_checkpoint_archive(torch::serialize::InputArchive& archive, const std::string& bytes,
                             const std::string& path);

}  // namespace doppel
