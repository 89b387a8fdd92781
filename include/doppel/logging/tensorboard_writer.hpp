// Writes TensorBoard event files (scalars) without TensorFlow: TFRecord framing
// (length, masked CRC-32C, payload, masked CRC-32C) around hand-encoded Event protos.
#pragma once
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "doppel/logging/crc32c.hpp"

namespace doppel {

class TensorBoardWriter {
 public:
  // Creates <dir>/events.out.tfevents.<time>.<host>.doppel with a file_version event.
  explicit TensorBoardWriter(const std::string& dir);
  void scalar(const std::string& tag, double value, int64_t step);
  void flush();
  const std::string& path() const { return path_; }

 private:
  void write_record(const std::string& payload);
  std::string path_;
  std::ofstream out_;
};

// Reading back (tests, tools): every scalar in an event file.
struct ScalarEvent {
  std::string tag;
  double value;
  int64_t step;
  double wall_time;
};
// Throws Error on a bad length or CRC, naming the file and record.
std::vector<ScalarEvent> read_tensorboard_scalars(const std::string& path);

// One decoded Event record: file_version is set only on the file's first event;
// scalars holds the summary's (tag, simple_value) pairs in order.
struct TensorBoardEvent {
  double wall_time = 0;
  int64_t step = 0;
  std::string file_version;
  std::vector<std::pair<std::string, float>> scalars;
};
// Every record of an event file, in order; same checks as read_tensorboard_scalars.
std::vector<TensorBoardEvent> read_tensorboard_events(const std::string& path);

}  // namespace doppel
