// Ids seen so far, kept as 64-bit hashes in an open-addressing table (8 bytes per id)
// so checking that input groups are contiguous costs little memory even for millions
// of entities. A hash collision (probability ~n²/2⁶⁵) could only report a false
// "not contiguous" error, never accept bad input.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace doppel {

class IdSet {
 public:
  // Returns false if the id was already present.
  bool insert(const std::string& id) {
    uint64_t h = hash(id);
    if ((size_ + 1) * 2 > slots_.size()) grow();
    if (!place(slots_, h)) return false;
    ++size_;
    return true;
  }

 private:
  static uint64_t hash(const std::string& s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h | 1;  // 0 marks an empty slot
  }
  static bool place(std::vector<uint64_t>& t, uint64_t h) {
    size_t mask = t.size() - 1, i = size_t(h) & mask;
    while (t[i] != 0) {
      if (t[i] == h) return false;
      i = (i + 1) & mask;
    }
    t[i] = h;
    return true;
  }
  void grow() {
    std::vector<uint64_t> bigger(slots_.empty() ? 1024 : slots_.size() * 2, 0);
    for (uint64_t h : slots_)
      if (h) place(bigger, h);
    slots_.swap(bigger);
  }
  std::vector<uint64_t> slots_;
  size_t size_ = 0;
};

}  // namespace doppel
