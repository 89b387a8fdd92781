// The HDF5 data set: schema + encoded attributes + encoded features.
//
// Layout (format "doppel-dataset", version 1):
//   /            attributes: format, version, kind, schema (JSON)
//   /attributes  [N, A] float32   encoded attributes per sequence / window
//   /lengths     [N]    int32     valid steps per sequence (windows: all L)
//   /split       [N]    uint8     0 = train, 1 = held-out test, 2 = public (pretraining)
//   /start_time  [N]    int64     epoch seconds of step 0 (0 when unknown)
//   sequences: /features [N, L, F] float32 (zero after the length), /gen_flag [N, L] uint8
//              (1 while the sequence continues, 0 at and after its last step)
//   windows:   /series [T, F] float32 (the encoded series once), /window_start [N] int64
//              (row of step 0 inside /series); window i is series[start, start + L)
// Metadata from DatasetWriter::set_metadata(key, value) is the string attribute
// "meta:<key>" on /.
// All datasets are chunked (a chunk holds `chunk` items, capped near 1 MiB; /series
// chunks hold up to 64·chunk rows), shuffled and gzip-compressed (compression 0: none),
// and extendible; readers read only the rows asked for.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "doppel/data/schema.hpp"

namespace doppel {

// Encoded rows of some sequences, row-major.
struct Batch {
  int64_t n = 0, L = 0, A = 0, F = 0;
  std::vector<float> attributes;    // [n, A]
  std::vector<float> features;      // [n, L, F], zero after each length
  std::vector<int32_t> lengths;     // [n]
  std::vector<uint8_t> split;       // [n]
  std::vector<int64_t> start_time;  // [n]
  std::vector<int64_t> index;       // [n] global index in the file
};

// Appends `more`'s items to `into` (shapes must agree; an empty `into` takes them).
void append_batch(Batch& into, const Batch& more);

// Contiguous slice [begin, end) of n items for rank r of w: sizes differ by at most 1,
// and the w slices partition [0, n).
struct ShardRange {
  int64_t begin, end;
};
ShardRange shard_range(int64_t n, int rank, int world);

class DatasetWriter {
 public:
  // Writes to a temporary name; nothing appears under `path` until finish().
  DatasetWriter(const std::string& path, const Schema& schema, int compression = 4,
                int64_t chunk = 1024);
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  // kind "sequences": one sequence; `features` holds length × F floats.
  void append_sequence(const float* attributes, const float* features, int32_t length,
                       uint8_t split, int64_t start_time);
  // kind "windows": append encoded series rows; returns the row index of the first.
  int64_t append_series(const float* rows, int64_t n_rows);
  // kind "windows": a window starting at series row `start_row`.
  void append_window(const float* attributes, int64_t start_row, uint8_t split, int64_t start_time);
  // Extra metadata stored as a string attribute on / (e.g. "config", "privacy").
  void set_metadata(const std::string& key, const std::string& value);

  int64_t count() const;  // sequences or windows written so far
  void finish();          // flush, close, rename into place

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class DatasetReader {
 public:
  // Opens and validates the file; throws Error naming it if it is missing, truncated,
  // not HDF5 or not a doppel data set.
  explicit DatasetReader(const std::string& path);
  ~DatasetReader();
  DatasetReader(const DatasetReader&) = delete;
  DatasetReader& operator=(const DatasetReader&) = delete;

  const Schema& schema() const;
  const std::string& path() const;
  int64_t size() const;  // number of sequences / windows
  int64_t max_len() const;
  std::string metadata(const std::string& key) const;  // "" when absent
  std::vector<std::string> metadata_keys() const;      // keys given to set_metadata, sorted

  std::vector<uint8_t> split() const;    // all N split flags (small)
  std::vector<int32_t> lengths() const;  // all N lengths (small)
  Batch read(int64_t begin, int64_t end) const;            // items [begin, end)
  Batch read_indices(const std::vector<int64_t>& idx) const;  // any order; result in that order

  // kind "windows": the encoded series itself (0 rows for sequences), e.g. to summarise
  // features once per time step instead of once per overlapping window.
  int64_t series_rows() const;
  std::vector<float> read_series(int64_t begin, int64_t end) const;  // rows [begin, end) × F

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace doppel
