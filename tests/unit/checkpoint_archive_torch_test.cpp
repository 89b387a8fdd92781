#include "doppel/train/checkpoint_archive.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "doppel/config/atomic_file.hpp"
#include "test_util.hpp"

using doppel_test::error_of;
using doppel_test::TempDir;

namespace {
std::string write_small_checkpoint(const std::string& path) {
  torch::serialize::OutputArchive a;
  a.write("weights", torch::arange(1000, torch::kFloat));
  doppel::write_checkpoint_file(a, path);
  return doppel::read_file(path);
}
}  // namespace

TEST(CheckpointArchive, WrittenFilesReadBackAndLoad) {
  TempDir tmp;
  write_small_checkpoint(tmp.file("c.pt"));
  torch::serialize::InputArchive in;
  doppel::load_checkpoint_archive(in, doppel::read_checkpoint_bytes(tmp.file("c.pt")), tmp.file("c.pt"));
  torch::Tensor w;
  in.read("weights", w);
  EXPECT_TRUE(torch::equal(w, torch::arange(1000, torch::kFloat)));
  EXPECT_EQ(tmp.entries().size(), 1u);  // no temporary left
}

TEST(CheckpointArchive, AnyChangedByteIsCaughtByTheChecksum) {
  TempDir tmp;
  const std::string bytes = write_small_checkpoint(tmp.file("c.pt"));
  // Eight zeroed bytes inside the tensor data: torch alone would load them without a word.
  for (size_t at : {bytes.size() / 2, size_t(100), bytes.size() - 40}) {
    std::string damaged = bytes;
    for (size_t i = 0; i < 8; ++i) damaged[at + i] = '\0';
    if (damaged == bytes) continue;
    doppel_test::write_text(tmp.file("d.pt"), damaged);
    const std::string msg = error_of([&] { doppel::read_checkpoint_bytes(tmp.file("d.pt")); });
    EXPECT_NE(msg.find("d.pt: "), std::string::npos) << "damage at " << at << ": " << msg;
    EXPECT_TRUE(msg.find("damaged checkpoint") != std::string::npos ||
                msg.find("not a readable doppel checkpoint") != std::string::npos)
        << "damage at " << at << ": " << msg;
  }
  doppel_test::write_text(tmp.file("t.pt"), bytes.substr(0, bytes.size() - 10));
  EXPECT_NE(error_of([&] { doppel::read_checkpoint_bytes(tmp.file("t.pt")); }).find("not a readable doppel checkpoint"),
            std::string::npos);
  EXPECT_NE(error_of([&] { doppel::read_checkpoint_bytes(tmp.path()); }).find("is a directory"), std::string::npos);
}

// Checkpoints written before the checksum line existed are complete zip archives without it:
// they still load (unverified, with a note on stderr); the same bytes cut short do not.
TEST(CheckpointArchive, ACheckpointFromBeforeChecksumsStillLoads) {
  TempDir tmp;
  const std::string bytes = write_small_checkpoint(tmp.file("c.pt"));
  const std::string legacy = bytes.substr(0, bytes.rfind("\ndoppel-checkpoint-crc32c:"));
  doppel_test::write_text(tmp.file("old.pt"), legacy);
  testing::internal::CaptureStderr();
  const std::string body = doppel::read_checkpoint_bytes(tmp.file("old.pt"));
  EXPECT_NE(testing::internal::GetCapturedStderr().find("old.pt: written before checkpoints carried a checksum"),
            std::string::npos);
  EXPECT_EQ(body, legacy);
  torch::serialize::InputArchive in;
  doppel::load_checkpoint_archive(in, body, tmp.file("old.pt"));
  torch::Tensor w;
  in.read("weights", w);
  EXPECT_TRUE(torch::equal(w, torch::arange(1000, torch::kFloat)));
  doppel_test::write_text(tmp.file("cut.pt"), legacy.substr(0, legacy.size() - 30));
  EXPECT_NE(error_of([&] { doppel::read_checkpoint_bytes(tmp.file("cut.pt")); }).find("not a readable doppel checkpoint"),
            std::string::npos);
}
