#include "doppel/train/checkpoint_archive.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "doppel/error.hpp"

namespace doppel {

std::string read_checkpoint_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(path + ": no such checkpoint file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot read checkpoint");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
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
