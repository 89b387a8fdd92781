// TensorBoard event files written by hand: each record is TFRecord-framed
// (uint64 length, masked CRC-32C of the length, payload, masked CRC-32C of the
// payload), each payload an Event proto encoded field by field, so scalars reach
// TensorBoard without linking TensorFlow or protobuf.
#include "doppel/logging/tensorboard_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "doppel/error.hpp"

namespace doppel {
namespace {

namespace fs = std::filesystem;

// Protobuf wire types and the Event / Summary field keys ((field << 3) | wire type).
constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;
constexpr uint8_t kEventWallTime = (1 << 3) | kFixed64;
constexpr uint8_t kEventStep = (2 << 3) | kVarint;
constexpr uint8_t kEventFileVersion = (3 << 3) | kLengthDelimited;
constexpr uint8_t kEventSummary = (5 << 3) | kLengthDelimited;
constexpr uint8_t kSummaryValue = (1 << 3) | kLengthDelimited;
constexpr uint8_t kValueTag = (1 << 3) | kLengthDelimited;
constexpr uint8_t kValueSimpleValue = (2 << 3) | kFixed32;

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_fixed(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_bytes_field(std::string& out, uint8_t key, const std::string& bytes) {
  out.push_back(static_cast<char>(key));
  put_varint(out, bytes.size());
  out += bytes;
}

std::string event_header(double wall_time, int64_t step) {
  std::string e;
  uint64_t bits;
  std::memcpy(&bits, &wall_time, sizeof bits);
  e.push_back(static_cast<char>(kEventWallTime));
  put_fixed(e, bits, 8);
  e.push_back(static_cast<char>(kEventStep));
  put_varint(e, static_cast<uint64_t>(step));  // int64: negatives take 10 bytes, as protobuf does
  return e;
}

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == 0) return "localhost";
  return buf;
}

// Reads protobuf fields from a byte range it does not own (the string must outlive
// it); errors name the file and record.
class ProtoReader {
 public:
  ProtoReader(const std::string& bytes, const std::string& where)
      : p_(bytes.data()), end_(bytes.data() + bytes.size()), where_(where) {}
  bool done() const { return p_ == end_; }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) fail("truncated varint");
      const auto b = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("varint longer than 10 bytes");
    return 0;
  }
  uint64_t fixed(int bytes) {
    if (end_ - p_ < bytes) fail("truncated fixed-width field");
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += bytes;
    return v;
  }
  std::string bytes() {
    const uint64_t n = varint();
    if (static_cast<uint64_t>(end_ - p_) < n) fail("length-delimited field runs past its message");
    std::string s(p_, p_ + n);
    p_ += n;
    return s;
  }
  void skip(int wire_type) {
    switch (wire_type) {
      case kVarint: varint(); break;
      case kFixed64: fixed(8); break;
      case kLengthDelimited: bytes(); break;
      case kFixed32: fixed(4); break;
      default: fail("unsupported protobuf wire type " + std::to_string(wire_type));
    }
  }
  [[noreturn]] void fail(const std::string& what) const { throw Error(where_ + ": malformed Event proto: " + what); }

 private:
  const char* p_;
  const char* end_;
  std::string where_;
};

void parse_summary(const std::string& bytes, const std::string& where, TensorBoardEvent& ev) {
  ProtoReader summary(bytes, where);
  while (!summary.done()) {
    const uint64_t key = summary.varint();
    if (key != kSummaryValue) {
      summary.skip(static_cast<int>(key & 7));
      continue;
    }
    const std::string value_bytes = summary.bytes();  // ProtoReader points into it
    ProtoReader value(value_bytes, where);
    std::string tag;
    bool has_simple = false;
    float simple = 0;
    while (!value.done()) {
      const uint64_t vkey = value.varint();
      if (vkey == kValueTag) {
        tag = value.bytes();
      } else if (vkey == kValueSimpleValue) {
        const auto bits = static_cast<uint32_t>(value.fixed(4));
        std::memcpy(&simple, &bits, sizeof simple);
        has_simple = true;
      } else {
        value.skip(static_cast<int>(vkey & 7));  // images, histograms, metadata: not scalars
      }
    }
    if (has_simple) ev.scalars.emplace_back(tag, simple);
  }
}

TensorBoardEvent parse_event(const std::string& payload, const std::string& where) {
  TensorBoardEvent ev;
  ProtoReader r(payload, where);
  while (!r.done()) {
    const uint64_t key = r.varint();
    if (key == kEventWallTime) {
      const uint64_t bits = r.fixed(8);
      std::memcpy(&ev.wall_time, &bits, sizeof bits);
    } else if (key == kEventStep) {
      ev.step = static_cast<int64_t>(r.varint());
    } else if (key == kEventFileVersion) {
      ev.file_version = r.bytes();
    } else if (key == kEventSummary) {
      parse_summary(r.bytes(), where, ev);
    } else {
      r.skip(static_cast<int>(key & 7));
    }
  }
  return ev;
}

uint32_t read_le32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

uint64_t read_le64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

}  // namespace

TensorBoardWriter::TensorBoardWriter(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create TensorBoard directory " + dir + ": " + ec.message());
  const double wall = now_seconds();
  const std::string base = (fs::path(dir) / ("events.out.tfevents." + std::to_string(static_cast<int64_t>(wall)) +
                                             "." + host_name() + ".doppel"))
                               .string();
  // Two writers started in the same second must not truncate each other's file;
  // TensorBoard reads any file whose name contains "tfevents".
  path_ = base;
  for (int n = 1; fs::exists(path_); ++n) path_ = base + "." + std::to_string(n);
  out_.open(path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw Error("cannot open TensorBoard event file " + path_ + " for writing");
  std::string e = event_header(wall, 0);
  put_bytes_field(e, kEventFileVersion, "brain.Event:2");
  write_record(e);
  flush();
}

void TensorBoardWriter::scalar(const std::string& tag, double value, int64_t step) {
  std::string v;
  put_bytes_field(v, kValueTag, tag);
  const float f = static_cast<float>(value);  // Summary.Value.simple_value is a float
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  v.push_back(static_cast<char>(kValueSimpleValue));
  put_fixed(v, bits, 4);
  std::string summary;
  put_bytes_field(summary, kSummaryValue, v);
  std::string e = event_header(now_seconds(), step);
  put_bytes_field(e, kEventSummary, summary);
  write_record(e);
}

void TensorBoardWriter::flush() {
  out_.flush();
  if (!out_) throw Error("cannot write TensorBoard event file " + path_ + ": " + std::strerror(errno));
}

void TensorBoardWriter::write_record(const std::string& payload) {
  std::string rec;
  rec.reserve(payload.size() + 16);
  put_fixed(rec, payload.size(), 8);
  put_fixed(rec, masked_crc32c(rec.data(), 8), 4);
  rec += payload;
  put_fixed(rec, masked_crc32c(payload.data(), payload.size()), 4);
  out_.write(rec.data(), static_cast<std::streamsize>(rec.size()));
  if (!out_) throw Error("cannot write TensorBoard event file " + path_ + ": " + std::strerror(errno));
}

std::vector<TensorBoardEvent> read_tensorboard_events(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open TensorBoard event file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();

  std::vector<TensorBoardEvent> events;
  size_t pos = 0;
  for (int64_t record = 0; pos < data.size(); ++record) {
    const std::string where = path + ": record " + std::to_string(record) + " at byte " + std::to_string(pos);
    if (data.size() - pos < 12) throw Error(where + ": truncated record header");
    const char* head = data.data() + pos;
    if (read_le32(head + 8) != masked_crc32c(head, 8)) throw Error(where + ": bad CRC of the length field");
    const uint64_t len = read_le64(head);
    if (len > data.size() - pos - 12 || data.size() - pos - 12 - len < 4)
      throw Error(where + ": truncated record (length " + std::to_string(len) + " runs past the end of the file)");
    const std::string payload = data.substr(pos + 12, len);
    if (read_le32(head + 12 + len) != masked_crc32c(payload.data(), payload.size()))
      throw Error(where + ": bad CRC of the payload");
    events.push_back(parse_event(payload, where));
    pos += 12 + len + 4;
  }
  return events;
}

std::vector<ScalarEvent> read_tensorboard_scalars(const std::string& path) {
  std::vector<ScalarEvent> out;
  for (const auto& ev : read_tensorboard_events(path))
    for (const auto& [tag, value] : ev.scalars) out.push_back({tag, value, ev.step, ev.wall_time});
  return out;
}

}  // namespace doppel
