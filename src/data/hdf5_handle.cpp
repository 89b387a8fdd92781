#include "hdf5_handle.hpp"

#include <mutex>

namespace doppel {
namespace h5 {

namespace {
// HDF5 registers an exit handler that closes every file still open. A writer that failed (a full
// disk) cannot close its file, and that handler then crashed the process after the error had been
// reported (exit 139). doppel closes its files itself, so the handler is switched off before the
// library starts (H5dont_atexit only works before the first HDF5 call, hence a static initialiser).
[[maybe_unused]] const bool kNoExitHandler = [] {
  H5dont_atexit();
  return true;
}();
}  // namespace

void silence_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

std::string last_error() {
  std::string msg;
  // Walking upward starts at the frame where HDF5 detected the problem, the most
  // specific description; the API frame above it only repeats the call that failed.
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* e, void* data) -> herr_t {
        auto* out = static_cast<std::string*>(data);
        if (n == 0 && e->desc) *out = e->desc;
        return 0;
      },
      &msg);
  H5Eclear2(H5E_DEFAULT);
  // The file drivers' messages carry a dump of the failed call ("file write failed: time = ...,
  // filename = ..., errno = 28, error message = 'No space left on device', buf = ..."): keep the
  // error and its reason.
  const std::string key = "error message = '";
  const auto at = msg.find(key), colon = msg.find(':');
  if (at != std::string::npos && colon != std::string::npos && colon < at) {
    const auto end = msg.find('\'', at + key.size());
    msg = msg.substr(0, colon) + ": " + msg.substr(at + key.size(), end == std::string::npos ? end : end - at - key.size());
  }
  return msg;
}

std::vector<hsize_t> dims(hid_t dset, const std::string& where, const std::string& name) {
  Handle s = space(H5Dget_space(dset), where, "cannot get the shape of '" + name + "'");
  int rank = int(check(H5Sget_simple_extent_ndims(s.get()), where,
                       "cannot get the rank of '" + name + "'"));
  std::vector<hsize_t> d(static_cast<size_t>(rank));
  if (rank > 0)
    check(H5Sget_simple_extent_dims(s.get(), d.data(), nullptr), where,
          "cannot get the shape of '" + name + "'");
  return d;
}

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value,
                            const std::string& where) {
  const std::string what = "cannot write attribute '" + name + "'";
  if (H5Aexists(obj, name.c_str()) > 0) check(H5Adelete(obj, name.c_str()), where, what);
  Handle t = type(H5Tcopy(H5T_C_S1), where, what);
  // A fixed-length type cannot have size 0; an empty value is stored as one NUL byte.
  check(H5Tset_size(t.get(), value.empty() ? 1 : value.size()), where, what);
  check(H5Tset_strpad(t.get(), H5T_STR_NULLPAD), where, what);
  Handle s = space(H5Screate(H5S_SCALAR), where, what);
  Handle a = attribute(H5Acreate2(obj, name.c_str(), t.get(), s.get(), H5P_DEFAULT, H5P_DEFAULT),
                       where, what);
  std::string buf = value.empty() ? std::string(1, '\0') : value;
  check(H5Awrite(a.get(), t.get(), buf.data()), where, what);
}

bool has_attribute(hid_t obj, const std::string& name) {
  htri_t r = H5Aexists(obj, name.c_str());
  if (r < 0) H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

std::string read_string_attribute(hid_t obj, const std::string& name, const std::string& where) {
  const std::string what = "cannot read attribute '" + name + "'";
  Handle a = attribute(H5Aopen(obj, name.c_str(), H5P_DEFAULT), where, what);
  Handle ft = type(H5Aget_type(a.get()), where, what);
  if (H5Tget_class(ft.get()) != H5T_STRING)
    throw Error(where + ": attribute '" + name + "' is not a string");
  if (H5Tis_variable_str(ft.get()) > 0) {
    Handle mt = type(H5Tcopy(H5T_C_S1), where, what);
    check(H5Tset_size(mt.get(), H5T_VARIABLE), where, what);
    char* p = nullptr;
    check(H5Aread(a.get(), mt.get(), &p), where, what);
    std::string v = p ? p : "";
    if (p) H5free_memory(p);
    return v;
  }
  size_t n = H5Tget_size(ft.get());
  std::string buf(n, '\0');
  Handle mt = type(H5Tcopy(H5T_C_S1), where, what);
  check(H5Tset_size(mt.get(), n), where, what);
  check(H5Tset_strpad(mt.get(), H5T_STR_NULLPAD), where, what);
  check(H5Aread(a.get(), mt.get(), buf.data()), where, what);
  auto end = buf.find('\0');
  if (end != std::string::npos) buf.resize(end);
  return buf;
}

void write_int_attribute(hid_t obj, const std::string& name, int64_t value,
                         const std::string& where) {
  const std::string what = "cannot write attribute '" + name + "'";
  Handle s = space(H5Screate(H5S_SCALAR), where, what);
  Handle a = attribute(
      H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, s.get(), H5P_DEFAULT, H5P_DEFAULT), where, what);
  check(H5Awrite(a.get(), H5T_NATIVE_INT64, &value), where, what);
}

int64_t read_int_attribute(hid_t obj, const std::string& name, const std::string& where) {
  const std::string what = "cannot read attribute '" + name + "'";
  Handle a = attribute(H5Aopen(obj, name.c_str(), H5P_DEFAULT), where, what);
  Handle ft = type(H5Aget_type(a.get()), where, what);
  if (H5Tget_class(ft.get()) != H5T_INTEGER)
    throw Error(where + ": attribute '" + name + "' is not an integer");
  int64_t v = 0;
  check(H5Aread(a.get(), H5T_NATIVE_INT64, &v), where, what);
  return v;
}

std::vector<std::string> attribute_names(hid_t obj, const std::string& where) {
  std::vector<std::string> names;
  hsize_t idx = 0;
  check(H5Aiterate2(
            obj, H5_INDEX_NAME, H5_ITER_INC, &idx,
            [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
              static_cast<std::vector<std::string>*>(data)->push_back(name);
              return 0;
            },
            &names),
        where, "cannot list attributes");
  return names;
}

void read_rows(hid_t dset, hid_t memtype, int64_t begin, int64_t rows, void* out,
               const std::string& where, const std::string& name) {
  if (rows <= 0) return;
  const std::string what = "cannot read rows [" + std::to_string(begin) + ", " +
                           std::to_string(begin + rows) + ") of '" + name + "'";
  Handle fs = space(H5Dget_space(dset), where, what);
  int rank = H5Sget_simple_extent_ndims(fs.get());
  std::vector<hsize_t> d(size_t(rank > 0 ? rank : 0));
  check(H5Sget_simple_extent_dims(fs.get(), d.data(), nullptr), where, what);
  if (rank < 1 || begin < 0 || hsize_t(begin + rows) > d[0])
    throw Error(where + ": " + what + ": it has " + (rank < 1 ? "no" : std::to_string(d[0])) +
                " rows");
  hsize_t elems = hsize_t(rows);
  for (int i = 1; i < rank; ++i) elems *= d[size_t(i)];
  if (elems == 0) return;  // zero-width rows: nothing to transfer
  std::vector<hsize_t> start(d.size(), 0), count = d;
  start[0] = hsize_t(begin);
  count[0] = hsize_t(rows);
  check(H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        where, what);
  Handle ms = space(H5Screate_simple(1, &elems, nullptr), where, what);
  check(H5Dread(dset, memtype, ms.get(), fs.get(), H5P_DEFAULT, out), where, what);
}

}  // namespace h5
}  // namespace doppel
