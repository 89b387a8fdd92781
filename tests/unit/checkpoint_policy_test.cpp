#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "doppel/logging/checkpoint_policy.hpp"
#include "doppel/error.hpp"

namespace fs = std::filesystem;
using doppel::CheckpointPolicy;
using doppel::checkpoints_to_delete;
using Steps = std::vector<int64_t>;

TEST(CheckpointPolicy, KeepsLastK) {
  EXPECT_EQ(checkpoints_to_delete({100, 200, 300}, 400, {3, 0}), Steps({100}));
  EXPECT_EQ(checkpoints_to_delete({100, 200, 300, 400}, 400, {3, 0}), Steps({100}));  // new one listed too
  EXPECT_EQ(checkpoints_to_delete({100, 200}, 300, {3, 0}), Steps({}));
  EXPECT_EQ(checkpoints_to_delete({}, 100, {1, 0}), Steps({}));
  EXPECT_EQ(checkpoints_to_delete({300, 100, 200}, 400, {1, 0}), Steps({100, 200, 300}));  // unsorted input
}

TEST(CheckpointPolicy, KeepsMilestones) {
  // keep the last 2 plus every multiple of 1000
  const CheckpointPolicy p{2, 1000};
  EXPECT_EQ(checkpoints_to_delete({500, 1000, 1500, 2000, 2500}, 3000, p), Steps({500, 1500}));
  // rotation applied repeatedly: milestones survive, the rest roll
  Steps on_disk;
  for (int64_t s = 250; s <= 3000; s += 250) {
    on_disk.push_back(s);
    for (int64_t d : checkpoints_to_delete(on_disk, s, p)) on_disk.erase(std::find(on_disk.begin(), on_disk.end(), d));
  }
  EXPECT_EQ(on_disk, Steps({1000, 2000, 2750, 3000}));
}

TEST(CheckpointPolicy, NeverDeletesNewerThanNew) {
  // resumed from 200 while 300 and 400 remain from the abandoned continuation
  EXPECT_EQ(checkpoints_to_delete({100, 200, 300, 400}, 250, {2, 0}), Steps({100}));
}

TEST(CheckpointPolicy, RejectsBadSettings) {
  EXPECT_THROW(checkpoints_to_delete({100}, 200, {0, 0}), doppel::Error);
  EXPECT_THROW(checkpoints_to_delete({100}, 200, {1, -5}), doppel::Error);
}

TEST(CheckpointPolicy, NamesRoundTrip) {
  EXPECT_EQ(doppel::checkpoint_name(1200), "ckpt-00001200.pt");
  EXPECT_EQ(doppel::checkpoint_name(0), "ckpt-00000000.pt");
  EXPECT_EQ(doppel::checkpoint_name(123456789), "ckpt-123456789.pt");
  EXPECT_THROW(doppel::checkpoint_name(-1), doppel::Error);
  EXPECT_EQ(doppel::parse_checkpoint_name("ckpt-00001200.pt"), 1200);
  EXPECT_EQ(doppel::parse_checkpoint_name("ckpt-123456789.pt"), 123456789);
  EXPECT_EQ(doppel::parse_checkpoint_name("ckpt-00001200.pt.tmp-4242"), std::nullopt);
  EXPECT_EQ(doppel::parse_checkpoint_name("ckpt-1200.pt"), std::nullopt);       // not padded
  EXPECT_EQ(doppel::parse_checkpoint_name("ckpt-000001200.pt"), std::nullopt);  // over-padded
  EXPECT_EQ(doppel::parse_checkpoint_name("ckpt-0000120a.pt"), std::nullopt);
  EXPECT_EQ(doppel::parse_checkpoint_name("ckpt--0000120.pt"), std::nullopt);
  EXPECT_EQ(doppel::parse_checkpoint_name("ckpt-00001200.pth"), std::nullopt);
  EXPECT_EQ(doppel::parse_checkpoint_name("model-00001200.pt"), std::nullopt);
  EXPECT_EQ(doppel::parse_checkpoint_name(""), std::nullopt);
}

TEST(CheckpointPolicy, ScansDirectory) {
  const fs::path dir = fs::temp_directory_path() / ("doppel_ckpt_" + std::to_string(getpid()));
  fs::remove_all(dir);
  EXPECT_EQ(doppel::list_checkpoints(dir.string()), Steps({}));  // not created yet: a fresh run
  EXPECT_EQ(doppel::newest_checkpoint(dir.string()), "");
  fs::create_directories(dir / "ckpt-00009999.pt");  // a directory is not a checkpoint
  for (const char* name : {"ckpt-00000300.pt", "ckpt-00001200.pt", "ckpt-00000050.pt", "ckpt-00005000.pt.tmp-77",
                           "events.out.tfevents.1.h.doppel", "notes.txt"})
    std::ofstream(dir / name) << "x";
  EXPECT_EQ(doppel::list_checkpoints(dir.string()), Steps({50, 300, 1200}));
  EXPECT_EQ(doppel::newest_checkpoint(dir.string()), (dir / "ckpt-00001200.pt").string());

  const fs::path file = dir / "notes.txt";
  EXPECT_THROW(doppel::list_checkpoints(file.string()), doppel::Error);
  fs::remove_all(dir);
}
