// Opening a checkpoint file written by Trainer::save_checkpoint (training, --resume,
// --init-from and generate all go through here, so they fail with the same messages).
#pragma once

#include <torch/serialize/input-archive.h>

#include <string>

namespace doppel {

// The file's bytes. Throws Error naming the path: "no such checkpoint file" when it is
// missing, "cannot read checkpoint" when it cannot be opened.
std::string read_checkpoint_bytes(const std::string& path);

// Parses the bytes of the checkpoint at `path` (named in errors) into `archive`; throws Error
// "not a readable doppel checkpoint (...)" for anything torch cannot load.
void load_checkpoint_archive(torch::serialize::InputArchive& archive, const std::string& bytes,
                             const std::string& path);

}  // namespace doppel
