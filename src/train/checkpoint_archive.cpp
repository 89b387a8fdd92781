#include "doppel/train/checkpoint_archive.hpp"

#include <torch/serialize/output-archive.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "doppel/config/atomic_file.hpp"
#include "doppel/logging/crc32c.hpp"
#include "doppel/error.hpp"

namespace doppel {

namespace {
// The last line of every checkpoint file: this prefix, the CRC-32C of everything before the line
// as 8 hex digits, and "\n". torch never sees it: it is checked and cut off before parsing.
constexpr char kChecksumPrefix[] = "\ndoppel-checkpoint-crc32c:";
constexpr size_t kPrefixSize = sizeof kChecksumPrefix - 1;
constexpr size_t kTrailerSize = kPrefixSize + 8 + 1;

// A checkpoint written before checkpoints carried a checksum is a complete zip archive: it ends
// with the 22-byte end-of-central-directory record ("PK\5\6", no comment), which a truncated
// or damaged new checkpoint does not.
bool is_complete_zip(const std::string& bytes) {
  return bytes.size() >= 22 && bytes.compare(bytes.size() - 22, 4, "PK\x05\x06") == 0;
}

std::string checksum_line(const std::string& body) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", unsigned(crc32c(body.data(), body.size())));
  return std::string(kChecksumPrefix) + hex + "\n";
}
}  // namespace

void write_checkpoint_file(torch::serialize::OutputArchive& archive, const std::string& path) {
  // Serialized in memory first: torch's file writer throws from its destructor when the disk is
  // full ("unexpected pos"), which ends the process; write_file_atomic reports it and cleans up.
  std::ostringstream stream;
  archive.save_to(stream);
  std::string bytes = stream.str();
  bytes += checksum_line(bytes);
  write_file_atomic(path, bytes);
}

std::string read_checkpoint_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(path + ": no such checkpoint file");
  if (std::filesystem::is_directory(path, ec))
    throw Error(path + ": is a directory, not a checkpoint file (give a run directory as --run)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot read checkpoint");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(path + ": cannot read checkpoint");
  if (bytes.size() < kTrailerSize || bytes.compare(bytes.size() - kTrailerSize, kPrefixSize, kChecksumPrefix) != 0) {
    if (is_complete_zip(bytes)) {  // from before checksums: still loads, unverified, and says so
      std::cerr << path << ": written before checkpoints carried a checksum; loaded without verifying it\n";
      return bytes;
    }
    throw Error(path + ": not a readable doppel checkpoint (no checksum line at its end: truncated, damaged "
                "or not a checkpoint)");
  }
  const std::string body = bytes.substr(0, bytes.size() - kTrailerSize);
  if (bytes.compare(bytes.size() - kTrailerSize, kTrailerSize, checksum_line(body)) != 0)
    throw Error(path + ": damaged checkpoint: its contents do not match the checksum written with it");
  return body;
}

void load_checkpoint_archive(torch::serialize::InputArchive& archive, const std::string& bytes,
                             const std::string& path) {
  try {
    std::istringstream stream(bytes);
    archive.load_from(stream);
  } catch (const c10::Error& e) {
    throw Error(path + ": not a readable doppel checkpoint (" + std::string(e.what_without_backtrace()) + ")");
  }
}

}  // namespace doppel
