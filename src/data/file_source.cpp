#include "doppel/data/batch_source.hpp"

namespace doppel {

FileSource::FileSource(const std::string& path, int split)
    : reader_(std::make_unique<DatasetReader>(path)) {
  auto flags = reader_->split();
  for (int64_t i = 0; i < int64_t(flags.size()); ++i)
    if (split < 0 || flags[i] == split) items_.push_back(i);
}

const Schema& FileSource::schema() const { return reader_->schema(); }

Batch FileSource::read_indices(const std::vector<int64_t>& idx) const {
  std::vector<int64_t> global(idx.size());
  for (size_t k = 0; k < idx.size(); ++k) global[k] = items_.at(idx[k]);
  return reader_->read_indices(global);
}

}  // namespace doppel
