// Where training and evaluation get encoded sequences from: an HDF5 file (or a
// rank's shard of it) or memory. Training code asks for items by global index, so
// the same code serves one rank or many and tests need no files.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "doppel/data/dataset.hpp"

namespace doppel {

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual const Schema& schema() const = 0;
  virtual int64_t size() const = 0;
  virtual Batch read_indices(const std::vector<int64_t>& idx) const = 0;
};

// train.memory_cache_mb's default; also the limit of the LSTM baseline's copy.
constexpr int64_t kDefaultMemoryCacheMiB = 2048;

// A Batch held in memory (tests, small data sets).
class InMemorySource : public BatchSource {
 public:
  InMemorySource(Schema schema, Batch data);
  const Schema& schema() const override { return schema_; }
  int64_t size() const override { return data_.n; }
  Batch read_indices(const std::vector<int64_t>& idx) const override;
  const Batch& data() const { return data_; }

  // All items of `source` read once, in blocks of consecutive items: a file's compressed
  // chunks are then decompressed once, instead of once for every random batch that touches
  // them (half of a bank training step before). Items keep their file index (Batch::index)
  // for error messages.
  static InMemorySource copy_of(const BatchSource& source);
  // Bytes copy_of() would hold: float32 attributes and features plus the per-item fields.
  static int64_t bytes_of(const BatchSource& source);
  // copy_of(source) when bytes_of(source) <= max_bytes, else nullptr (read from `source` then).
  static std::unique_ptr<InMemorySource> copy_if_at_most(const BatchSource& source, int64_t max_bytes);

 private:
  Schema schema_;
  Batch data_;
};

// Items of an HDF5 data set, optionally only those with split == `split` (0 train,
// 1 test, 2 public; -1 all): index i of this source is the i-th such item of the file.
class FileSource : public BatchSource {
 public:
  explicit FileSource(const std::string& path, int split = 0);
  const Schema& schema() const override;
  int64_t size() const override { return int64_t(items_.size()); }
  Batch read_indices(const std::vector<int64_t>& idx) const override;
  const DatasetReader& reader() const { return *reader_; }

 private:
  std::unique_ptr<DatasetReader> reader_;
  std::vector<int64_t> items_;
};

}  // namespace doppel
