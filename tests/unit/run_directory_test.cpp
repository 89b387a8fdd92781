#include "doppel/train/run_directory.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "doppel/config/output_guard.hpp"
#include "test_util.hpp"

using doppel::RunDirectoryLock;
using doppel::RunStart;
using doppel_test::error_of;
using doppel_test::TempDir;
using doppel_test::write_text;
namespace fs = std::filesystem;

TEST(RunDirectory, ASecondLockFailsAtOnceNamingTheHolder) {
  TempDir tmp;
  const std::string dir = tmp.file("run");
  {
    RunDirectoryLock first(dir);
    // flock() locks belong to the open file: a second open, even in this process, is refused.
    const std::string msg = error_of([&] { RunDirectoryLock second(dir); });
    EXPECT_NE(msg.find("in use by another doppel train (pid " + std::to_string(getpid())), std::string::npos) << msg;
  }
  EXPECT_EQ(error_of([&] { RunDirectoryLock again(dir); }), "");  // released with the first
}

TEST(RunDirectory, ANewRunRefusesAnyFileButTheLock) {
  TempDir tmp;
  const std::string dir = tmp.file("run");
  RunDirectoryLock lock(dir);
  EXPECT_EQ(error_of([&] { doppel::prepare_run_directory(dir, RunStart::Fresh); }), "");
  write_text(dir + "/ckpt-00000004.pt", "x");
  const std::string msg = error_of([&] { doppel::prepare_run_directory(dir, RunStart::Fresh); });
  EXPECT_NE(msg.find("is not empty (ckpt-00000004.pt)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("--resume"), std::string::npos) << msg;
  EXPECT_NE(msg.find("--overwrite"), std::string::npos) << msg;
  EXPECT_EQ(error_of([&] { doppel::prepare_run_directory(dir, RunStart::Resume); }), "");
}

TEST(RunDirectory, OverwriteClearsARunButNotAnUnrelatedDirectory) {
  TempDir tmp;
  const std::string run = tmp.file("run"), other = tmp.file("other");
  RunDirectoryLock lock(run), lock2(other);
  write_text(run + "/config.toml", "");
  fs::create_directories(run + "/samples");
  write_text(run + "/samples/samples-00000003.csv", "");
  doppel::prepare_run_directory(run, RunStart::Overwrite);
  EXPECT_FALSE(fs::exists(run + "/config.toml"));
  EXPECT_FALSE(fs::exists(run + "/samples"));
  EXPECT_TRUE(fs::exists(run + "/" + doppel::kRunLockName));
  write_text(other + "/notes.txt", "keep");
  const std::string msg = error_of([&] { doppel::prepare_run_directory(other, RunStart::Overwrite); });
  EXPECT_NE(msg.find("does not look like a doppel run directory"), std::string::npos) << msg;
  EXPECT_TRUE(fs::exists(other + "/notes.txt"));
}

TEST(OutputGuard, SameFileSeesThroughDotsSymlinksAndHardLinks) {
  TempDir tmp;
  write_text(tmp.file("x.csv"), "a\n");
  fs::create_symlink("x.csv", tmp.file("link.csv"));
  fs::create_hard_link(tmp.file("x.csv"), tmp.file("hard.csv"));
  write_text(tmp.file("y.csv"), "a\n");
  EXPECT_TRUE(doppel::same_file(tmp.file("x.csv"), tmp.path() + "/./x.csv"));
  EXPECT_TRUE(doppel::same_file(tmp.file("link.csv"), tmp.file("x.csv")));
  EXPECT_TRUE(doppel::same_file(tmp.file("hard.csv"), tmp.file("x.csv")));
  EXPECT_FALSE(doppel::same_file(tmp.file("y.csv"), tmp.file("x.csv")));    // same bytes, another file
  EXPECT_FALSE(doppel::same_file(tmp.file("new.csv"), tmp.file("x.csv")));  // an output not there yet
  const std::string msg = error_of([&] {
    doppel::refuse_output_over_input("doppel prepare", "--out", tmp.file("link.csv"), {{"the input CSV", tmp.file("x.csv")}});
  });
  EXPECT_NE(msg.find("is the same file as the input CSV"), std::string::npos) << msg;
}
