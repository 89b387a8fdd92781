#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "doppel/error.hpp"
#include "doppel/logging/tensorboard_writer.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

uint32_t crc_of(const std::string& s) { return doppel::crc32c(s.data(), s.size()); }

std::string fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("doppel_tb_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint64_t le(const std::string& s, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(s[pos + i])) << (8 * i);
  return v;
}

using doppel_test::error_of;

}  // namespace

// Published check values: the CRC catalogue's "123456789" check and RFC 3720 B.4.
TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc_of("123456789"), 0xE3069283u);
  EXPECT_EQ(crc_of(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc_of(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending(32, '\0'), descending(32, '\0');
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<char>(i);
    descending[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(crc_of(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc_of(descending), 0x113FDB5Cu);
  EXPECT_EQ(doppel::crc32c(nullptr, 0), 0u);
}

TEST(Crc32c, MaskRotatesAndOffsets) {
  const uint32_t crc = 0xE3069283u;
  const uint32_t expected = ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
  EXPECT_EQ(doppel::masked_crc32c("123456789", 9), expected);
}

TEST(TensorBoard, ScalarsRoundTrip) {
  const std::string dir = fresh_dir("roundtrip");
  std::string path;
  {
    doppel::TensorBoardWriter w(dir);
    path = w.path();
    w.scalar("loss/d", -0.125, 1);
    w.scalar("loss/g", 1.5, 1);
    w.scalar("loss/d", 0.1, 200);
    w.scalar("privacy/epsilon", 3.25, 1234567890123LL);
    w.flush();
  }
  EXPECT_EQ(fs::path(path).parent_path(), fs::path(dir));
  EXPECT_NE(fs::path(path).filename().string().find("events.out.tfevents."), std::string::npos);

  const auto s = doppel::read_tensorboard_scalars(path);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].tag, "loss/d");
  EXPECT_EQ(s[0].value, -0.125);
  EXPECT_EQ(s[0].step, 1);
  EXPECT_EQ(s[1].tag, "loss/g");
  EXPECT_EQ(s[1].value, 1.5);
  EXPECT_EQ(s[2].step, 200);
  EXPECT_EQ(s[2].value, static_cast<double>(0.1f));  // simple_value is a float
  EXPECT_EQ(s[3].tag, "privacy/epsilon");
  EXPECT_EQ(s[3].step, 1234567890123LL);
  const double now = static_cast<double>(time(nullptr));
  for (const auto& e : s) EXPECT_NEAR(e.wall_time, now, 120);
  fs::remove_all(dir);
}

// Decodes the first record byte by byte, independently of the reader.
TEST(TensorBoard, FirstRecordIsFileVersion) {
  const std::string dir = fresh_dir("version");
  std::string path;
  {
    doppel::TensorBoardWriter w(dir);
    path = w.path();
    w.scalar("x", 2.0, 7);
  }
  const std::string bytes = slurp(path);
  ASSERT_GE(bytes.size(), 16u);
  const uint64_t len = le(bytes, 0, 8);
  // wall_time (1 key + 8) + step 0 (1 + 1) + file_version (1 + 1 + 13)
  ASSERT_EQ(len, 9u + 2u + 15u);
  EXPECT_EQ(le(bytes, 8, 4), doppel::masked_crc32c(bytes.data(), 8));
  const std::string payload = bytes.substr(12, len);
  EXPECT_EQ(le(bytes, 12 + len, 4), doppel::masked_crc32c(payload.data(), payload.size()));
  EXPECT_EQ(static_cast<uint8_t>(payload[0]), 0x09);  // field 1, fixed64
  EXPECT_EQ(payload.substr(9), std::string("\x10\x00\x1a\x0d", 4) + "brain.Event:2");

  // The second record: Event{wall_time, step 7, summary{value{tag "x", simple_value 2.0f}}}.
  const size_t second = 12 + len + 4;
  const uint64_t len2 = le(bytes, second, 8);
  const std::string p2 = bytes.substr(second + 12, len2);
  const std::string expected_tail = std::string("\x10\x07\x2a\x0a\x0a\x08\x0a\x01x\x15\x00\x00\x00\x40", 14);
  EXPECT_EQ(p2.substr(9), expected_tail);
  EXPECT_EQ(bytes.size(), second + 12 + len2 + 4);

  const auto events = doppel::read_tensorboard_events(path);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  EXPECT_TRUE(events[0].scalars.empty());
  EXPECT_EQ(events[1].file_version, "");
  fs::remove_all(dir);
}

TEST(TensorBoard, CorruptByteIsReportedWithRecord) {
  const std::string dir = fresh_dir("corrupt");
  std::string path;
  {
    doppel::TensorBoardWriter w(dir);
    path = w.path();
    w.scalar("a", 1.0, 1);
    w.scalar("b", 2.0, 2);
  }
  const std::string good = slurp(path);
  const size_t first_len = le(good, 0, 8);
  const size_t second = 12 + first_len + 4;
  const size_t third = second + 12 + le(good, second, 8) + 4;

  auto write = [&](const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };

  std::string bad = good;
  bad[third + 12 + 5] ^= 0x01;  // inside the third record's payload
  write(bad);
  std::string msg = error_of([&] { doppel::read_tensorboard_scalars(path); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("record 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CRC"), std::string::npos) << msg;

  bad = good;
  bad[second + 2] ^= 0x40;  // the second record's length field
  write(bad);
  msg = error_of([&] { doppel::read_tensorboard_scalars(path); });
  EXPECT_NE(msg.find("record 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("length"), std::string::npos) << msg;

  write(good.substr(0, good.size() - 3));  // truncated final CRC
  msg = error_of([&] { doppel::read_tensorboard_scalars(path); });
  EXPECT_NE(msg.find("record 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;

  write(good);
  EXPECT_EQ(doppel::read_tensorboard_scalars(path).size(), 2u);
  fs::remove_all(dir);
}

TEST(TensorBoard, TwoWritersInOneDirectoryKeepSeparateFiles) {
  const std::string dir = fresh_dir("two");
  doppel::TensorBoardWriter a(dir), b(dir);
  EXPECT_NE(a.path(), b.path());
  a.scalar("a", 1, 1);
  b.scalar("b", 2, 1);
  a.flush();
  b.flush();
  EXPECT_EQ(doppel::read_tensorboard_scalars(a.path()).at(0).tag, "a");
  EXPECT_EQ(doppel::read_tensorboard_scalars(b.path()).at(0).tag, "b");
  fs::remove_all(dir);
}

TEST(TensorBoard, MissingFileIsNamed) {
  const std::string msg = error_of([] { doppel::read_tensorboard_scalars("/nonexistent/events.x"); });
  EXPECT_NE(msg.find("/nonexistent/events.x"), std::string::npos) << msg;
}
