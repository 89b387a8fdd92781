// RAII ownership of HDF5 identifiers and the small helpers the data set reader and
// writer share. Private to src/data: nothing outside it includes hdf5.h.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "doppel/error.hpp"

namespace doppel {
namespace h5 {

// HDF5 prints its error stack to stderr by default; doppel reports one clear line
// instead, so automatic printing is switched off once per process.
void silence_errors();

// The most specific message on HDF5's current error stack ("" when empty); clears it.
std::string last_error();

// Throws Error("<where>: <what> (<hdf5 detail>)") when `status` is negative.
inline int64_t check(int64_t status, const std::string& where, const std::string& what) {
  if (status < 0) {
    std::string detail = last_error();
    throw Error(where + ": " + what + (detail.empty() ? "" : " (" + detail + ")"));
  }
  return status;
}

// One owned hid_t, closed with the function that matches its type.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, -1);
      close_ = o.close_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Gives up ownership (for closing by hand where the close status matters).
  hid_t release() { return std::exchange(id_, -1); }
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = -1;
  }

 private:
  hid_t id_ = -1;
  Closer close_ = nullptr;
};

// Wrappers that throw Error naming `where` (the file path) when HDF5 returns an invalid id.
inline Handle owned(hid_t id, Handle::Closer close, const std::string& where,
                    const std::string& what) {
  check(id, where, what);
  return Handle(id, close);
}
inline Handle file(hid_t id, const std::string& where, const std::string& what) {
  return owned(id, H5Fclose, where, what);
}
inline Handle dataset(hid_t id, const std::string& where, const std::string& what) {
  return owned(id, H5Dclose, where, what);
}
inline Handle space(hid_t id, const std::string& where, const std::string& what) {
  return owned(id, H5Sclose, where, what);
}
inline Handle type(hid_t id, const std::string& where, const std::string& what) {
  return owned(id, H5Tclose, where, what);
}
inline Handle attribute(hid_t id, const std::string& where, const std::string& what) {
  return owned(id, H5Aclose, where, what);
}
inline Handle plist(hid_t id, const std::string& where, const std::string& what) {
  return owned(id, H5Pclose, where, what);
}

// Current dimensions of a dataset.
std::vector<hsize_t> dims(hid_t dset, const std::string& where, const std::string& name);

// String attributes on an object (fixed-length on write; fixed or variable on read).
void write_string_attribute(hid_t obj, const std::string& name, const std::string& value,
                            const std::string& where);
bool has_attribute(hid_t obj, const std::string& name);
std::string read_string_attribute(hid_t obj, const std::string& name, const std::string& where);
void write_int_attribute(hid_t obj, const std::string& name, int64_t value,
                         const std::string& where);
int64_t read_int_attribute(hid_t obj, const std::string& name, const std::string& where);
// Names of all attributes on `obj`.
std::vector<std::string> attribute_names(hid_t obj, const std::string& where);

// Rows [begin, begin + rows) of a dataset whose first dimension indexes rows, written
// contiguously to `out` as `memtype` (all trailing dimensions of each row in full).
void read_rows(hid_t dset, hid_t memtype, int64_t begin, int64_t rows, void* out,
               const std::string& where, const std::string& name);

}  // namespace h5
}  // namespace doppel
