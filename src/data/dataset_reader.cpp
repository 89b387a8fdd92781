// Reads the HDF5 data set described in doppel/data/dataset.hpp. The file is validated
// once on open; afterwards only the rows asked for are read, through hyperslabs.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>

#include "dataset_layout.hpp"
#include "doppel/data/dataset.hpp"
#include "doppel/error.hpp"
#include "hdf5_handle.hpp"

namespace doppel {

struct DatasetReader::Impl {
  std::string path;
  Schema schema;
  bool windows = false;
  int64_t N = 0, L = 0, A = 0, F = 0, T = 0;
  h5::Handle file, attributes, lengths, split, start_time, features, series, window_start;

  h5::Handle open_dataset(const std::string& name, const std::vector<hsize_t>& want_tail,
                          int64_t want_rows) {
    if (H5Lexists(file.get(), name.c_str(), H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      throw Error(path + ": not a valid doppel data set: dataset '/" + name + "' is missing");
    }
    // A cache of several chunks lets consecutive reads and scattered indices that
    // fall into the same chunk decompress it once.
    h5::Handle dapl = h5::plist(H5Pcreate(H5P_DATASET_ACCESS), path, "cannot open '/" + name + "'");
    h5::check(H5Pset_chunk_cache(dapl.get(), 12421, size_t(16) << 20, 0.75), path,
              "cannot open '/" + name + "'");
    h5::Handle d = h5::dataset(H5Dopen2(file.get(), name.c_str(), dapl.get()), path,
                               "cannot open dataset '/" + name + "'");
    std::vector<hsize_t> got = h5::dims(d.get(), path, "/" + name);
    std::vector<hsize_t> want{hsize_t(want_rows < 0 ? (got.empty() ? 0 : got[0]) : want_rows)};
    want.insert(want.end(), want_tail.begin(), want_tail.end());
    if (got != want) {
      auto shape = [](const std::vector<hsize_t>& v) {
        std::string s = "[";
        for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
        return s + "]";
      };
      throw Error(path + ": dataset '/" + name + "' has shape " + shape(got) + ", expected " +
                  shape(want) + " from the schema (N = " + std::to_string(N) +
                  ", L = " + std::to_string(L) + ", A = " + std::to_string(A) +
                  ", F = " + std::to_string(F) + ")");
    }
    return d;
  }

  void check_range(int64_t begin, int64_t end) const {
    if (begin < 0 || end < begin || end > N)
      throw Error(path + ": cannot read items [" + std::to_string(begin) + ", " +
                  std::to_string(end) + "): the data set has " + std::to_string(N));
  }

  // Reads the sorted, distinct items `idx` in consecutive runs.
  Batch read_sorted(const std::vector<int64_t>& idx) const;
  void read_window_features(const std::vector<int64_t>& starts, const std::vector<int64_t>& idx,
                            float* out) const;
};

Batch DatasetReader::Impl::read_sorted(const std::vector<int64_t>& idx) const {
  Batch b;
  b.n = int64_t(idx.size());
  b.L = L;
  b.A = A;
  b.F = F;
  size_t n = idx.size();
  b.attributes.assign(n * size_t(A), 0.0f);
  b.features.assign(n * size_t(L * F), 0.0f);
  b.lengths.assign(n, 0);
  b.split.assign(n, 0);
  b.start_time.assign(n, 0);
  b.index = idx;
  std::vector<int64_t> starts(windows ? n : 0);
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && idx[j] == idx[j - 1] + 1) ++j;
    int64_t first = idx[i], rows = int64_t(j - i);
    h5::read_rows(attributes.get(), H5T_NATIVE_FLOAT, first, rows, &b.attributes[i * size_t(A)],
                  path, "/attributes");
    h5::read_rows(lengths.get(), H5T_NATIVE_INT32, first, rows, &b.lengths[i], path, "/lengths");
    h5::read_rows(split.get(), H5T_NATIVE_UINT8, first, rows, &b.split[i], path, "/split");
    h5::read_rows(start_time.get(), H5T_NATIVE_INT64, first, rows, &b.start_time[i], path,
                  "/start_time");
    if (windows)
      h5::read_rows(window_start.get(), H5T_NATIVE_INT64, first, rows, &starts[i], path,
                    "/window_start");
    else
      h5::read_rows(features.get(), H5T_NATIVE_FLOAT, first, rows,
                    &b.features[i * size_t(L * F)], path, "/features");
    i = j;
  }
  for (size_t i = 0; i < n; ++i) {
    if (b.lengths[i] < 0 || b.lengths[i] > L)
      throw Error(path + ": item " + std::to_string(idx[i]) + " has length " +
                  std::to_string(b.lengths[i]) + ", outside [0, " + std::to_string(L) + "]");
    if (b.split[i] > 2)
      throw Error(path + ": item " + std::to_string(idx[i]) + " has split " +
                  std::to_string(b.split[i]) + ", expected 0 (train), 1 (test) or 2 (public)");
  }
  if (windows) {
    read_window_features(starts, idx, b.features.data());
  } else {
    // The layout promises zeros after each length; enforce it rather than trust the writer.
    for (size_t i = 0; i < n; ++i)
      std::fill(b.features.begin() + int64_t(i) * L * F + b.lengths[i] * F,
                b.features.begin() + int64_t(i + 1) * L * F, 0.0f);
  }
  return b;
}

// Windows overlap, so the series rows they cover are read once: windows are sorted by
// start and merged into segments (bridging gaps up to one window long), each segment
// is read with one hyperslab, and every window is sliced out of its segment.
void DatasetReader::Impl::read_window_features(const std::vector<int64_t>& starts,
                                               const std::vector<int64_t>& idx, float* out) const {
  size_t n = starts.size();
  for (size_t i = 0; i < n; ++i)
    if (starts[i] < 0 || starts[i] + L > T)
      throw Error(path + ": window " + std::to_string(idx[i]) + " starts at series row " +
                  std::to_string(starts[i]) + " but '/series' has " + std::to_string(T) +
                  " rows (window length " + std::to_string(L) + ")");
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return starts[a] < starts[b]; });
  std::vector<float> seg;
  for (size_t i = 0; i < n;) {
    int64_t seg_begin = starts[order[i]], seg_end = seg_begin + L;
    size_t j = i + 1;
    while (j < n && starts[order[j]] <= seg_end + L) {
      seg_end = std::max(seg_end, starts[order[j]] + L);
      ++j;
    }
    seg.resize(size_t((seg_end - seg_begin) * F));
    h5::read_rows(series.get(), H5T_NATIVE_FLOAT, seg_begin, seg_end - seg_begin, seg.data(), path,
                  "/series");
    for (size_t k = i; k < j; ++k) {
      size_t w = order[k];
      const float* src = seg.data() + (starts[w] - seg_begin) * F;
      std::copy(src, src + L * F, out + int64_t(w) * L * F);
    }
    i = j;
  }
}

DatasetReader::DatasetReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  h5::silence_errors();
  Impl& m = *impl_;
  m.path = path;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    throw Error("cannot open data set " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw Error("cannot open data set " + path + ": not a regular file");
  htri_t is_h5 = H5Fis_hdf5(path.c_str());
  if (is_h5 <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw Error(path + " is not an HDF5 file (expected a doppel data set written by 'doppel prepare')");
  }
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    std::string detail = h5::last_error();
    throw Error(path + ": cannot open HDF5 file; it may be truncated or corrupt" +
                (detail.empty() ? "" : " (" + detail + ")"));
  }
  m.file = h5::Handle(f, H5Fclose);

  hid_t root = m.file.get();
  if (!h5::has_attribute(root, layout::kFormatAttr))
    throw Error(path + ": HDF5 file but not a doppel data set (no 'format' attribute on /)");
  std::string format = h5::read_string_attribute(root, layout::kFormatAttr, path);
  if (format != layout::kFormat)
    throw Error(path + ": not a doppel data set: format is '" + format + "', expected '" +
                layout::kFormat + "'");
  if (!h5::has_attribute(root, layout::kVersionAttr))
    throw Error(path + ": not a valid doppel data set: no 'version' attribute on /");
  int64_t version = h5::read_int_attribute(root, layout::kVersionAttr, path);
  if (version != layout::kVersion)
    throw Error(path + ": doppel data set version " + std::to_string(version) +
                " is not supported (this build reads version " + std::to_string(layout::kVersion) +
                ")");
  for (const char* a : {layout::kKindAttr, layout::kSchemaAttr})
    if (!h5::has_attribute(root, a))
      throw Error(path + ": not a valid doppel data set: no '" + std::string(a) + "' attribute on /");
  std::string kind = h5::read_string_attribute(root, layout::kKindAttr, path);
  m.schema = Schema::from_json(h5::read_string_attribute(root, layout::kSchemaAttr, path),
                               path + ": schema attribute");
  if (kind != "sequences" && kind != "windows")
    throw Error(path + ": kind must be 'sequences' or 'windows', got '" + kind + "'");
  if (kind != m.schema.kind)
    throw Error(path + ": kind attribute '" + kind + "' disagrees with the schema's kind '" +
                m.schema.kind + "'");
  m.windows = kind == "windows";
  m.L = m.schema.max_len;
  m.A = int64_t(m.schema.attribute_width());
  m.F = int64_t(m.schema.feature_width());
  if (m.L < 1) throw Error(path + ": schema max_len " + std::to_string(m.L) + " must be at least 1");

  auto A = hsize_t(m.A), F = hsize_t(m.F), L = hsize_t(m.L);
  m.lengths = m.open_dataset("lengths", {}, -1);
  m.N = int64_t(h5::dims(m.lengths.get(), path, "/lengths")[0]);
  m.attributes = m.open_dataset("attributes", {A}, m.N);
  m.split = m.open_dataset("split", {}, m.N);
  m.start_time = m.open_dataset("start_time", {}, m.N);
  if (m.windows) {
    m.series = m.open_dataset("series", {F}, -1);
    m.T = int64_t(h5::dims(m.series.get(), path, "/series")[0]);
    m.window_start = m.open_dataset("window_start", {}, m.N);
  } else {
    m.features = m.open_dataset("features", {L, F}, m.N);
    m.open_dataset("gen_flag", {L}, m.N);  // shape check only: Batch does not carry it
  }
}

DatasetReader::~DatasetReader() = default;

const Schema& DatasetReader::schema() const { return impl_->schema; }
const std::string& DatasetReader::path() const { return impl_->path; }
int64_t DatasetReader::size() const { return impl_->N; }
int64_t DatasetReader::max_len() const { return impl_->L; }
int64_t DatasetReader::series_rows() const { return impl_->T; }

std::string DatasetReader::metadata(const std::string& key) const {
  hid_t root = impl_->file.get();
  std::string name = layout::kMetaPrefix + key;
  if (!h5::has_attribute(root, name)) return "";
  return h5::read_string_attribute(root, name, impl_->path);
}

std::vector<std::string> DatasetReader::metadata_keys() const {
  std::vector<std::string> keys;
  for (const auto& a : h5::attribute_names(impl_->file.get(), impl_->path))
    if (a.compare(0, layout::kMetaPrefix.size(), layout::kMetaPrefix) == 0)
      keys.push_back(a.substr(layout::kMetaPrefix.size()));
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<uint8_t> DatasetReader::split() const {
  std::vector<uint8_t> v(size_t(impl_->N));
  h5::read_rows(impl_->split.get(), H5T_NATIVE_UINT8, 0, impl_->N, v.data(), impl_->path, "/split");
  return v;
}

std::vector<int32_t> DatasetReader::lengths() const {
  std::vector<int32_t> v(size_t(impl_->N));
  h5::read_rows(impl_->lengths.get(), H5T_NATIVE_INT32, 0, impl_->N, v.data(), impl_->path,
                "/lengths");
  return v;
}

Batch DatasetReader::read(int64_t begin, int64_t end) const {
  impl_->check_range(begin, end);
  std::vector<int64_t> idx(size_t(end - begin));
  std::iota(idx.begin(), idx.end(), begin);
  return impl_->read_sorted(idx);
}

Batch DatasetReader::read_indices(const std::vector<int64_t>& idx) const {
  const Impl& m = *impl_;
  for (int64_t i : idx)
    if (i < 0 || i >= m.N)
      throw Error(m.path + ": index " + std::to_string(i) + " is outside [0, " +
                  std::to_string(m.N) + ")");
  std::vector<int64_t> sorted = idx;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  Batch u = m.read_sorted(sorted);
  if (sorted == idx) return u;

  // Gather the distinct rows back into the requested order (repeats allowed).
  Batch b;
  b.n = int64_t(idx.size());
  b.L = m.L;
  b.A = m.A;
  b.F = m.F;
  size_t n = idx.size(), LF = size_t(m.L * m.F), A = size_t(m.A);
  b.attributes.resize(n * A);
  b.features.resize(n * LF);
  b.lengths.resize(n);
  b.split.resize(n);
  b.start_time.resize(n);
  b.index = idx;
  for (size_t k = 0; k < n; ++k) {
    size_t s = size_t(std::lower_bound(sorted.begin(), sorted.end(), idx[k]) - sorted.begin());
    std::copy_n(u.attributes.begin() + int64_t(s * A), A, b.attributes.begin() + int64_t(k * A));
    std::copy_n(u.features.begin() + int64_t(s * LF), LF, b.features.begin() + int64_t(k * LF));
    b.lengths[k] = u.lengths[s];
    b.split[k] = u.split[s];
    b.start_time[k] = u.start_time[s];
  }
  return b;
}

std::vector<float> DatasetReader::read_series(int64_t begin, int64_t end) const {
  const Impl& m = *impl_;
  if (begin < 0 || end < begin || end > m.T)
    throw Error(m.path + ": cannot read series rows [" + std::to_string(begin) + ", " +
                std::to_string(end) + "): '/series' has " + std::to_string(m.T) + " rows");
  std::vector<float> v(size_t((end - begin) * m.F));
  h5::read_rows(m.series.get(), H5T_NATIVE_FLOAT, begin, end - begin, v.data(), m.path, "/series");
  return v;
}

}  // namespace doppel
