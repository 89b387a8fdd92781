// Names and chunk sizes of the HDF5 data set layout documented in doppel/data/dataset.hpp,
// shared by the reader, the writer and `doppel inspect`. Private to src/data.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>

namespace doppel {
namespace layout {

inline const char* const kFormatAttr = "format";
inline const char* const kFormat = "doppel-dataset";
inline const char* const kVersionAttr = "version";
inline constexpr int64_t kVersion = 1;
inline const char* const kKindAttr = "kind";
inline const char* const kSchemaAttr = "schema";
// set_metadata(key, value) is stored as the string attribute "meta:<key>" on /.
inline const std::string kMetaPrefix = "meta:";

// A chunk is the unit HDF5 decompresses, so reading one sequence costs one whole
// chunk. Chunks hold `chunk` items, capped at about 1 MiB of features so random
// access (read_indices) stays cheap for long or wide sequences.
inline constexpr int64_t kMaxChunkBytes = int64_t(1) << 20;

inline int64_t item_chunk_rows(int64_t chunk, bool windows, int64_t L, int64_t F) {
  if (windows) return chunk;
  int64_t row_bytes = std::max<int64_t>(1, L * F * int64_t(sizeof(float)));
  return std::clamp<int64_t>(kMaxChunkBytes / row_bytes, 1, chunk);
}

// Series rows are short, so a chunk holds 64 items' worth of rows, also capped.
inline int64_t series_chunk_rows(int64_t chunk, int64_t F) {
  int64_t row_bytes = std::max<int64_t>(1, F * int64_t(sizeof(float)));
  return std::clamp<int64_t>(kMaxChunkBytes / row_bytes, 1, chunk * 64);
}

}  // namespace layout
}  // namespace doppel
