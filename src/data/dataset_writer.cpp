// Writes the HDF5 data set described in doppel/data/dataset.hpp. Rows are buffered one
// block (one chunk of items, or one chunk of series rows) at a time and appended to
// extendible datasets, so memory stays bounded whatever the size of the data set.
#include <unistd.h>

#include <algorithm>
#include <map>

#include "doppel/config/atomic_file.hpp"
#include "doppel/data/dataset.hpp"
#include "doppel/error.hpp"
#include "hdf5_handle.hpp"
#include "dataset_layout.hpp"

namespace doppel {

namespace {

// One extendible dataset plus its row buffer.
struct Column {
  std::string name;
  h5::Handle dset;
  hid_t memtype = -1;
  size_t elem_size = 0;
  int64_t row_elems = 0;       // elements per row (product of trailing dims)
  std::vector<hsize_t> tail;   // trailing dims
  int64_t rows_written = 0;
  std::vector<unsigned char> buf;

  int64_t buffered_rows() const {
    int64_t row_bytes = row_elems * int64_t(elem_size);
    return row_bytes == 0 ? pending_empty : int64_t(buf.size()) / row_bytes;
  }
  int64_t pending_empty = 0;  // rows buffered when rows have zero width

  void push(const void* data, int64_t rows) {
    size_t bytes = size_t(rows * row_elems) * elem_size;
    const auto* p = static_cast<const unsigned char*>(data);
    buf.insert(buf.end(), p, p + bytes);
    if (row_elems == 0) pending_empty += rows;
  }

  void flush(const std::string& where) {
    int64_t rows = buffered_rows();
    if (rows == 0) return;
    const std::string what = "cannot append to '" + name + "'";
    std::vector<hsize_t> size{hsize_t(rows_written + rows)};
    size.insert(size.end(), tail.begin(), tail.end());
    h5::check(H5Dset_extent(dset.get(), size.data()), where, what);
    if (row_elems > 0) {
      h5::Handle fs = h5::space(H5Dget_space(dset.get()), where, what);
      std::vector<hsize_t> start(size.size(), 0), count = size;
      start[0] = hsize_t(rows_written);
      count[0] = hsize_t(rows);
      h5::check(H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                                    nullptr),
                where, what);
      hsize_t elems = hsize_t(rows * row_elems);
      h5::Handle ms = h5::space(H5Screate_simple(1, &elems, nullptr), where, what);
      h5::check(H5Dwrite(dset.get(), memtype, ms.get(), fs.get(), H5P_DEFAULT, buf.data()), where,
                what);
    }
    rows_written += rows;
    buf.clear();
    pending_empty = 0;
  }
};

}  // namespace

struct DatasetWriter::Impl {
  // Declared first so it is destroyed last: HDF5 handles close before the temporary
  // file is removed.
  AtomicFile out;
  Schema schema;
  bool windows = false;
  int64_t L = 0, A = 0, F = 0;
  int64_t item_block = 0, series_block = 0;  // rows per flush (= chunk rows)
  h5::Handle file;
  Column attributes, lengths, split, start_time, features, gen_flag, series, window_start;
  std::map<std::string, std::string> metadata;
  int64_t count = 0, series_rows = 0, max_window_start = -1;
  bool finished = false;

  explicit Impl(const std::string& path) : out(path) {}

  const std::string& where() const { return out.path(); }

  Column make(const std::string& name, hid_t filetype, hid_t memtype, size_t elem_size,
              std::vector<hsize_t> tail, int64_t chunk_rows, int compression) {
    const std::string what = "cannot create dataset '" + name + "'";
    Column c;
    c.name = name;
    c.memtype = memtype;
    c.elem_size = elem_size;
    c.tail = tail;
    c.row_elems = 1;
    for (hsize_t t : tail) c.row_elems *= int64_t(t);
    std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunk{hsize_t(chunk_rows)};
    for (hsize_t t : tail) {
      dims.push_back(t);
      // Zero-width rows (e.g. no attributes) still need a positive chunk size, which
      // HDF5 only accepts if that dimension may grow.
      maxdims.push_back(t == 0 ? H5S_UNLIMITED : t);
      chunk.push_back(std::max<hsize_t>(t, 1));
    }
    h5::Handle s = h5::space(H5Screate_simple(int(dims.size()), dims.data(), maxdims.data()),
                             where(), what);
    h5::Handle dcpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE), where(), what);
    h5::check(H5Pset_chunk(dcpl.get(), int(chunk.size()), chunk.data()), where(), what);
    // No modification times in object headers: the same data gives the same bytes
    // (generated files are compared byte for byte for determinism).
    h5::check(H5Pset_obj_track_times(dcpl.get(), false), where(), what);
    if (compression > 0) {
      h5::check(H5Pset_shuffle(dcpl.get()), where(), what);
      h5::check(H5Pset_deflate(dcpl.get(), unsigned(compression)), where(), what);
    }
    c.dset = h5::dataset(H5Dcreate2(file.get(), name.c_str(), filetype, s.get(), H5P_DEFAULT,
                                    dcpl.get(), H5P_DEFAULT),
                         where(), what);
    return c;
  }

  void require_open(const char* call) const {
    if (finished) throw Error(where() + ": " + call + " called after finish()");
  }
  void require_kind(bool want_windows, const char* call) const {
    require_open(call);
    if (windows != want_windows)
      throw Error(where() + ": " + call + " called on a '" + schema.kind + "' data set");
  }

  void flush_items() {
    for (Column* c : {&attributes, &lengths, &split, &start_time}) c->flush(where());
    if (windows) window_start.flush(where());
    else {
      features.flush(where());
      gen_flag.flush(where());
    }
  }
};

DatasetWriter::DatasetWriter(const std::string& path, const Schema& schema, int compression,
                             int64_t chunk)
    : impl_(std::make_unique<Impl>(path)) {
  h5::silence_errors();
  Impl& m = *impl_;
  m.schema = schema;
  if (schema.kind != "sequences" && schema.kind != "windows")
    throw Error(path + ": schema kind must be 'sequences' or 'windows', got '" + schema.kind + "'");
  if (schema.max_len < 1)
    throw Error(path + ": schema max_len must be at least 1, got " + std::to_string(schema.max_len));
  if (compression < 0 || compression > 9)
    throw Error(path + ": compression must be 0..9, got " + std::to_string(compression));
  if (chunk < 1) throw Error(path + ": chunk must be at least 1, got " + std::to_string(chunk));
  m.windows = schema.kind == "windows";
  m.L = schema.max_len;
  m.A = int64_t(schema.attribute_width());
  m.F = int64_t(schema.feature_width());
  m.item_block = layout::item_chunk_rows(chunk, m.windows, m.L, m.F);
  m.series_block = layout::series_chunk_rows(chunk, m.F);

  const std::string what = "cannot create HDF5 file " + m.out.temp_path();
  // The 1.8 object-header format stores attributes over 64 KiB densely, so a schema
  // with thousands of categories still fits in the root attributes.
  h5::Handle fapl = h5::plist(H5Pcreate(H5P_FILE_ACCESS), path, what);
  h5::check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), path, what);
  h5::Handle fcpl = h5::plist(H5Pcreate(H5P_FILE_CREATE), path, what);
  h5::check(H5Pset_obj_track_times(fcpl.get(), false), path, what);  // root group: no timestamps either
  m.file = h5::file(H5Fcreate(m.out.temp_path().c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                    path, what);

  hid_t root = m.file.get();
  h5::write_string_attribute(root, layout::kFormatAttr, layout::kFormat, path);
  h5::write_int_attribute(root, layout::kVersionAttr, layout::kVersion, path);
  h5::write_string_attribute(root, layout::kKindAttr, schema.kind, path);
  h5::write_string_attribute(root, layout::kSchemaAttr, schema.to_json(), path);

  auto L = hsize_t(m.L), A = hsize_t(m.A), F = hsize_t(m.F);
  m.attributes = m.make("attributes", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, sizeof(float), {A},
                        m.item_block, compression);
  m.lengths = m.make("lengths", H5T_STD_I32LE, H5T_NATIVE_INT32, sizeof(int32_t), {},
                     m.item_block, compression);
  m.split = m.make("split", H5T_STD_U8LE, H5T_NATIVE_UINT8, sizeof(uint8_t), {}, m.item_block,
                   compression);
  m.start_time = m.make("start_time", H5T_STD_I64LE, H5T_NATIVE_INT64, sizeof(int64_t), {},
                        m.item_block, compression);
  if (m.windows) {
    m.series = m.make("series", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, sizeof(float), {F},
                      m.series_block, compression);
    m.window_start = m.make("window_start", H5T_STD_I64LE, H5T_NATIVE_INT64, sizeof(int64_t), {},
                            m.item_block, compression);
  } else {
    m.features = m.make("features", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, sizeof(float), {L, F},
                        m.item_block, compression);
    m.gen_flag = m.make("gen_flag", H5T_STD_U8LE, H5T_NATIVE_UINT8, sizeof(uint8_t), {L},
                        m.item_block, compression);
  }
}

DatasetWriter::~DatasetWriter() = default;

void DatasetWriter::append_sequence(const float* attributes, const float* features,
                                    int32_t length, uint8_t split, int64_t start_time) {
  Impl& m = *impl_;
  m.require_kind(false, "append_sequence");
  const std::string item = m.where() + ": sequence " + std::to_string(m.count);
  if (length < 1 || length > m.L)
    throw Error(item + ": length " + std::to_string(length) + " is outside [1, " +
                std::to_string(m.L) + "] (schema max_len)");
  if (split > 2) throw Error(item + ": split must be 0 (train), 1 (test) or 2 (public), got " + std::to_string(split));
  if ((m.A > 0 && !attributes) || !features) throw Error(item + ": null data pointer");

  m.attributes.push(attributes, 1);
  m.lengths.push(&length, 1);
  m.split.push(&split, 1);
  m.start_time.push(&start_time, 1);
  // Steps after the length are stored as zeros, as the layout promises.
  std::vector<float> row(size_t(m.L * m.F), 0.0f);
  std::copy(features, features + size_t(length) * size_t(m.F), row.begin());
  m.features.push(row.data(), 1);
  std::vector<uint8_t> flag(size_t(m.L), 0);
  std::fill(flag.begin(), flag.begin() + (length - 1), uint8_t(1));
  m.gen_flag.push(flag.data(), 1);
  ++m.count;
  if (m.lengths.buffered_rows() >= m.item_block) m.flush_items();
}

int64_t DatasetWriter::append_series(const float* rows, int64_t n_rows) {
  Impl& m = *impl_;
  m.require_kind(true, "append_series");
  if (n_rows < 0) throw Error(m.where() + ": append_series with negative row count");
  if (n_rows > 0 && m.F > 0 && !rows) throw Error(m.where() + ": append_series: null data pointer");
  int64_t first = m.series_rows;
  // Feed the buffer one block at a time so a huge append never doubles memory.
  int64_t done = 0;
  while (done < n_rows) {
    int64_t take = std::min(n_rows - done, m.series_block - m.series.buffered_rows());
    m.series.push(rows + done * m.F, take);
    done += take;
    if (m.series.buffered_rows() >= m.series_block) m.series.flush(m.where());
  }
  m.series_rows += n_rows;
  return first;
}

void DatasetWriter::append_window(const float* attributes, int64_t start_row, uint8_t split,
                                  int64_t start_time) {
  Impl& m = *impl_;
  m.require_kind(true, "append_window");
  const std::string item = m.where() + ": window " + std::to_string(m.count);
  if (start_row < 0) throw Error(item + ": negative start row " + std::to_string(start_row));
  if (split > 2) throw Error(item + ": split must be 0 (train), 1 (test) or 2 (public), got " + std::to_string(split));
  if (m.A > 0 && !attributes) throw Error(item + ": null attribute pointer");
  int32_t length = int32_t(m.L);
  m.attributes.push(attributes, 1);
  m.lengths.push(&length, 1);
  m.split.push(&split, 1);
  m.start_time.push(&start_time, 1);
  m.window_start.push(&start_row, 1);
  m.max_window_start = std::max(m.max_window_start, start_row);
  ++m.count;
  if (m.lengths.buffered_rows() >= m.item_block) m.flush_items();
}

void DatasetWriter::set_metadata(const std::string& key, const std::string& value) {
  impl_->require_open("set_metadata");
  if (key.empty()) throw Error(impl_->where() + ": metadata key must not be empty");
  impl_->metadata[key] = value;
}

int64_t DatasetWriter::count() const { return impl_->count; }

void DatasetWriter::finish() {
  Impl& m = *impl_;
  m.require_open("finish");
  if (m.windows && m.max_window_start >= 0 && m.max_window_start + m.L > m.series_rows)
    throw Error(m.where() + ": a window starts at series row " + std::to_string(m.max_window_start) +
                " but only " + std::to_string(m.series_rows) + " series rows were appended (window length " +
                std::to_string(m.L) + ")");
  m.flush_items();
  if (m.windows) m.series.flush(m.where());
  for (const auto& kv : m.metadata)
    h5::write_string_attribute(m.file.get(), layout::kMetaPrefix + kv.first, kv.second, m.where());
  for (Column* c : {&m.attributes, &m.lengths, &m.split, &m.start_time, &m.features, &m.gen_flag,
                    &m.series, &m.window_start})
    c->dset.reset();
  h5::check(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), m.where(),
            "cannot flush " + m.out.temp_path());
  h5::check(H5Fclose(m.file.release()), m.where(), "cannot close " + m.out.temp_path());
  m.finished = true;
  m.out.commit();
}

}  // namespace doppel
