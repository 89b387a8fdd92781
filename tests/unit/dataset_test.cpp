// The HDF5 data set: round trips of both kinds, random access, sharding, the writer's
// atomicity and the reader's validation of broken or foreign files.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#if __has_include(<hdf5.h>)
#include <hdf5.h>
#else
#include <hdf5/serial/hdf5.h>
#endif

#include <nlohmann/json.hpp>

#include "doppel/data/batch_source.hpp"
#include "doppel/data/dataset.hpp"
#include "doppel/error.hpp"

namespace fs = std::filesystem;
using namespace doppel;

namespace {

// A temporary directory removed at the end of each test.
struct TempDir {
  fs::path dir;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "doppel_dataset_XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(dir); }
  std::string file(const std::string& name) const { return (dir / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(dir)) v.push_back(e.path().filename().string());
    return v;
  }
};

// One column of each encoding: A = 3 (categorical) + 1 (zero_one), F = 3 (binned) + 1.
Schema make_schema(const std::string& kind, int64_t L = 7) {
  Schema s;
  s.kind = kind;
  s.max_len = L;
  ColumnSchema country;
  country.name = "country";
  country.role = Role::Attribute;
  country.encoding = Encoding::Categorical;
  country.categories = {"de", "fr", "us"};
  ColumnSchema age;
  age.name = "age";
  age.role = Role::Attribute;
  age.encoding = Encoding::ZeroOne;
  age.min = 18;
  age.max = 90;
  ColumnSchema size;
  size.name = "size";
  size.encoding = Encoding::Binned;
  size.edges = {0, 1, 2, 5};
  ColumnSchema score;
  score.name = "score";
  score.encoding = Encoding::MinusOneOne;
  score.min = -3;
  score.max = 3;
  s.attributes = {country, age};
  s.features = {size, score};
  return s;
}

// Deterministic content as a function of position, so large files need no copy in memory.
float value_of(int64_t item, int64_t t, int64_t f) {
  uint64_t h = uint64_t(item) * 0x9E3779B97F4A7C15ull ^ uint64_t(t) * 0xC2B2AE3D27D4EB4Full ^
               uint64_t(f + 1) * 0x165667B19E3779F9ull;
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 32;
  return float(h % 1000003) / 1000003.0f - 0.25f;  // includes negatives and non-round floats
}
int32_t length_of(int64_t item, int64_t L) { return int32_t(1 + (item * 7919 + 13) % L); }

void write_sequences(const std::string& path, int64_t n, int64_t chunk = 8, int compression = 4,
                     int64_t L = 7) {
  Schema s = make_schema("sequences", L);
  int64_t A = int64_t(s.attribute_width()), F = int64_t(s.feature_width());
  DatasetWriter w(path, s, compression, chunk);
  std::vector<float> attr(static_cast<size_t>(A)), feat(size_t(L * F));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t a = 0; a < A; ++a) attr[size_t(a)] = value_of(i, -1, a);
    int32_t len = length_of(i, L);
    for (int64_t t = 0; t < len; ++t)
      for (int64_t f = 0; f < F; ++f) feat[size_t(t * F + f)] = value_of(i, t, f);
    w.append_sequence(attr.data(), feat.data(), len, uint8_t(i % 3 == 0), 1000 + i);
  }
  w.set_metadata("config", "seed = 1\n");
  w.set_metadata("empty", "");
  w.finish();
}

// Series row r holds value_of(-1, r, f); window i starts at 3i (overlapping, L = 7).
int64_t window_start_of(int64_t i) { return 3 * i; }

void write_windows(const std::string& path, int64_t n, int64_t chunk = 8, int compression = 4) {
  Schema s = make_schema("windows");
  int64_t A = int64_t(s.attribute_width()), F = int64_t(s.feature_width()), L = s.max_len;
  int64_t T = window_start_of(n - 1) + L + 2;
  DatasetWriter w(path, s, compression, chunk);
  // Appended in uneven pieces to exercise the block buffer.
  std::vector<float> rows;
  for (int64_t r0 = 0; r0 < T;) {
    int64_t k = std::min<int64_t>(T - r0, 1 + (r0 * 31) % 50);
    rows.assign(size_t(k * F), 0.0f);
    for (int64_t r = 0; r < k; ++r)
      for (int64_t f = 0; f < F; ++f) rows[size_t(r * F + f)] = value_of(-1, r0 + r, f);
    EXPECT_EQ(w.append_series(rows.data(), k), r0);
    r0 += k;
  }
  std::vector<float> attr(static_cast<size_t>(A));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t a = 0; a < A; ++a) attr[size_t(a)] = value_of(i, -1, a);
    w.append_window(attr.data(), window_start_of(i), uint8_t(i % 4 == 1), 5000 + i);
  }
  EXPECT_EQ(w.count(), n);
  w.finish();
}

bool same_float(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Checks row k of `b` against the generator for item `item`.
void expect_item(const Batch& b, int64_t k, int64_t item, bool windows) {
  SCOPED_TRACE("item " + std::to_string(item));
  ASSERT_EQ(b.index[size_t(k)], item);
  for (int64_t a = 0; a < b.A; ++a)
    ASSERT_TRUE(same_float(b.attributes[size_t(k * b.A + a)], value_of(item, -1, a)));
  int32_t len = windows ? int32_t(b.L) : length_of(item, b.L);
  ASSERT_EQ(b.lengths[size_t(k)], len);
  ASSERT_EQ(b.split[size_t(k)], windows ? uint8_t(item % 4 == 1) : uint8_t(item % 3 == 0));
  ASSERT_EQ(b.start_time[size_t(k)], (windows ? 5000 : 1000) + item);
  for (int64_t t = 0; t < b.L; ++t)
    for (int64_t f = 0; f < b.F; ++f) {
      float got = b.features[size_t((k * b.L + t) * b.F + f)];
      float want = windows ? value_of(-1, window_start_of(item) + t, f)
                           : (t < len ? value_of(item, t, f) : 0.0f);
      ASSERT_TRUE(same_float(got, want)) << "t " << t << " f " << f << ": " << got << " vs " << want;
    }
}

void expect_batch(const Batch& b, const std::vector<int64_t>& items, bool windows) {
  ASSERT_EQ(b.n, int64_t(items.size()));
  ASSERT_EQ(b.attributes.size(), items.size() * size_t(b.A));
  ASSERT_EQ(b.features.size(), items.size() * size_t(b.L * b.F));
  for (size_t k = 0; k < items.size(); ++k) expect_item(b, int64_t(k), items[k], windows);
}

std::vector<int64_t> range(int64_t b, int64_t e) {
  std::vector<int64_t> v;
  for (int64_t i = b; i < e; ++i) v.push_back(i);
  return v;
}

// Expects `fn` to throw doppel::Error whose message contains every string in `parts`.
template <class Fn>
void expect_error(Fn fn, const std::vector<std::string>& parts) {
  try {
    fn();
    FAIL() << "expected doppel::Error";
  } catch (const Error& e) {
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
          << "message '" << e.what() << "' lacks '" << p << "'";
  }
}

}  // namespace

TEST(Dataset, SequencesRoundTripExactly) {
  TempDir d;
  std::string path = d.file("seq.h5");
  write_sequences(path, 37);
  EXPECT_EQ(d.entries(), std::vector<std::string>{"seq.h5"});  // no temp file left over
  DatasetReader r(path);
  EXPECT_EQ(r.path(), path);
  EXPECT_EQ(r.size(), 37);
  EXPECT_EQ(r.max_len(), 7);
  EXPECT_EQ(r.series_rows(), 0);
  EXPECT_TRUE(r.schema().same_layout(make_schema("sequences")));
  EXPECT_EQ(r.schema().kind, "sequences");
  EXPECT_EQ(r.schema().attributes[0].categories, (std::vector<std::string>{"de", "fr", "us"}));
  EXPECT_EQ(r.metadata("config"), "seed = 1\n");
  EXPECT_EQ(r.metadata("empty"), "");
  EXPECT_EQ(r.metadata("absent"), "");
  EXPECT_EQ(r.metadata_keys(), (std::vector<std::string>{"config", "empty"}));
  std::vector<int32_t> lens = r.lengths();
  std::vector<uint8_t> split = r.split();
  ASSERT_EQ(lens.size(), 37u);
  for (int64_t i = 0; i < 37; ++i) {
    EXPECT_EQ(lens[size_t(i)], length_of(i, 7));
    EXPECT_EQ(split[size_t(i)], uint8_t(i % 3 == 0));
  }
  expect_batch(r.read(0, 37), range(0, 37), false);
  expect_batch(r.read(5, 21), range(5, 21), false);
  EXPECT_EQ(r.read(9, 9).n, 0);
}

TEST(Dataset, GenFlagMarksContinuingSteps) {
  TempDir d;
  std::string path = d.file("seq.h5");
  write_sequences(path, 5);
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  hid_t ds = H5Dopen2(f, "gen_flag", H5P_DEFAULT);
  ASSERT_GE(ds, 0);
  std::vector<uint8_t> flag(5 * 7);
  ASSERT_GE(H5Dread(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, flag.data()), 0);
  H5Dclose(ds);
  H5Fclose(f);
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t t = 0; t < 7; ++t)
      EXPECT_EQ(flag[size_t(i * 7 + t)], t < length_of(i, 7) - 1 ? 1 : 0) << i << "," << t;
}

TEST(Dataset, WindowsRoundTripExactly) {
  TempDir d;
  std::string path = d.file("win.h5");
  write_windows(path, 29, 2, 0);  // uncompressed, tiny chunks
  DatasetReader r(path);
  EXPECT_EQ(r.size(), 29);
  EXPECT_EQ(r.schema().kind, "windows");
  int64_t T = window_start_of(28) + 7 + 2;
  ASSERT_EQ(r.series_rows(), T);
  std::vector<float> s = r.read_series(0, T);
  for (int64_t row = 0; row < T; ++row)
    for (int64_t f = 0; f < 4; ++f) ASSERT_TRUE(same_float(s[size_t(row * 4 + f)], value_of(-1, row, f)));
  std::vector<float> s2 = r.read_series(10, 12);
  EXPECT_TRUE(std::equal(s2.begin(), s2.end(), s.begin() + 40));
  for (int32_t len : r.lengths()) EXPECT_EQ(len, 7);
  expect_batch(r.read(0, 29), range(0, 29), true);
  expect_batch(r.read(11, 12), range(11, 12), true);
  EXPECT_THROW(r.read_series(0, T + 1), Error);
}

TEST(Dataset, ReadIndicesReturnsRequestedOrder) {
  TempDir d;
  write_sequences(d.file("seq.h5"), 40);
  write_windows(d.file("win.h5"), 40);
  std::vector<int64_t> idx = {17, 3, 39, 4, 5, 3, 0, 25, 24, 38};  // unsorted, a repeat, runs
  DatasetReader seq(d.file("seq.h5")), win(d.file("win.h5"));
  expect_batch(seq.read_indices(idx), idx, false);
  expect_batch(win.read_indices(idx), idx, true);
  expect_batch(seq.read_indices({}), {}, false);
  expect_error([&] { seq.read_indices({1, 40}); }, {d.file("seq.h5"), "40"});
  expect_error([&] { win.read(3, 41); }, {d.file("win.h5")});
  EXPECT_THROW(win.read_indices({-1}), Error);
}

TEST(Dataset, ShardRangePartitions) {
  for (int64_t n : {0, 1, 2, 7, 13, 100, 101}) {
    for (int world = 1; world <= 5; ++world) {
      int64_t next = 0, lo = n, hi = 0;
      for (int r = 0; r < world; ++r) {
        ShardRange s = shard_range(n, r, world);
        EXPECT_EQ(s.begin, next);
        EXPECT_GE(s.end, s.begin);
        lo = std::min(lo, s.end - s.begin);
        hi = std::max(hi, s.end - s.begin);
        next = s.end;
      }
      EXPECT_EQ(next, n);
      EXPECT_LE(hi - lo, 1);
    }
  }
  EXPECT_THROW(shard_range(10, 0, 0), Error);
  EXPECT_THROW(shard_range(10, 3, 3), Error);
  EXPECT_THROW(shard_range(10, -1, 3), Error);
  EXPECT_THROW(shard_range(-1, 0, 1), Error);
}

TEST(Dataset, ShardsOfBothKindsCoverEveryItemOnce) {
  TempDir d;
  for (int64_t n : {13, 23}) {
    std::string seq = d.file("seq" + std::to_string(n) + ".h5"),
                win = d.file("win" + std::to_string(n) + ".h5");
    write_sequences(seq, n, 4);
    write_windows(win, n, 4);
    for (const std::string& path : {seq, win}) {
      DatasetReader r(path);
      bool windows = r.schema().kind == "windows";
      for (int world = 1; world <= 5; ++world) {
        std::multiset<int64_t> seen;
        for (int rank = 0; rank < world; ++rank) {
          ShardRange s = shard_range(r.size(), rank, world);
          Batch b = r.read(s.begin, s.end);
          expect_batch(b, range(s.begin, s.end), windows);
          seen.insert(b.index.begin(), b.index.end());
        }
        std::vector<int64_t> all(seen.begin(), seen.end());
        EXPECT_EQ(all, range(0, n)) << path << " world " << world;
      }
    }
  }
}

TEST(Dataset, LargerThanChunkReadsArbitraryRanges) {
  TempDir d;
  std::string seq = d.file("big.h5"), win = d.file("bigwin.h5");
  write_sequences(seq, 5000, 1024, 4, 24);
  write_windows(win, 5000, 16);  // /series chunks of 1024 rows
  DatasetReader r(seq), w(win);
  ASSERT_EQ(r.size(), 5000);
  ASSERT_EQ(r.max_len(), 24);
  std::mt19937_64 rng(7);
  std::vector<std::pair<int64_t, int64_t>> ranges = {{0, 5000}, {1023, 1025}, {1000, 3100}, {4999, 5000}};
  for (int k = 0; k < 6; ++k) {
    int64_t a = int64_t(rng() % 5000), b = int64_t(rng() % 5000);
    ranges.push_back({std::min(a, b), std::max(a, b) + 1});
  }
  for (auto [b, e] : ranges) {
    SCOPED_TRACE("range [" + std::to_string(b) + ", " + std::to_string(e) + ")");
    expect_batch(r.read(b, e), range(b, e), false);
    expect_batch(w.read(b, e), range(b, e), true);
  }
  std::vector<int64_t> idx;
  for (int k = 0; k < 300; ++k) idx.push_back(int64_t(rng() % 5000));
  expect_batch(r.read_indices(idx), idx, false);
  expect_batch(w.read_indices(idx), idx, true);
}

TEST(Dataset, SchemaLargerThan64KiBFits) {
  // Many categories make the schema JSON exceed HDF5's compact attribute limit.
  TempDir d;
  Schema s = make_schema("sequences");
  for (int i = 0; i < 6000; ++i) s.attributes[0].categories.push_back("category_" + std::to_string(i));
  ASSERT_GT(s.to_json().size(), 65536u);
  std::string path = d.file("wide.h5");
  std::vector<float> attr(s.attribute_width(), 0.5f), feat(size_t(s.max_len) * s.feature_width(), 0.25f);
  {
    DatasetWriter w(path, s);
    w.append_sequence(attr.data(), feat.data(), 3, 0, 0);
    w.set_metadata("big", std::string(100000, 'x'));
    w.finish();
  }
  DatasetReader r(path);
  EXPECT_EQ(r.schema().attributes[0].categories.size(), 6003u);
  EXPECT_EQ(r.metadata("big").size(), 100000u);
  EXPECT_EQ(r.read(0, 1).attributes, attr);
}

TEST(Dataset, UnfinishedWriterLeavesNothing) {
  TempDir d;
  std::string path = d.file("out.h5");
  {
    Schema s = make_schema("sequences");
    DatasetWriter w(path, s, 4, 2);
    std::vector<float> attr(4, 0.5f), feat(7 * 4, 0.5f);
    for (int i = 0; i < 9; ++i) w.append_sequence(attr.data(), feat.data(), 7, 0, 0);  // flushes blocks
    EXPECT_EQ(d.entries().size(), 1u);  // the temporary exists while writing ...
    EXPECT_EQ(d.entries()[0].rfind("out.h5.tmp-", 0), 0u);
  }
  EXPECT_TRUE(d.entries().empty());  // ... and is gone, with nothing under the real name
}

TEST(Dataset, WriterRejectsMisuse) {
  TempDir d;
  std::string path = d.file("out.h5");
  std::vector<float> attr(4, 0.5f), feat(7 * 4, 0.5f);
  {
    DatasetWriter w(path, make_schema("sequences"));
    expect_error([&] { w.append_window(attr.data(), 0, 0, 0); }, {path, "append_window", "sequences"});
    expect_error([&] { w.append_series(feat.data(), 1); }, {path, "append_series"});
    expect_error([&] { w.append_sequence(attr.data(), feat.data(), 8, 0, 0); }, {path, "length 8"});
    expect_error([&] { w.append_sequence(attr.data(), feat.data(), 0, 0, 0); }, {path, "length 0"});
    expect_error([&] { w.append_sequence(attr.data(), feat.data(), 3, 3, 0); }, {path, "split must be 0 (train), 1 (test) or 2 (public), got 3"});
    EXPECT_EQ(w.count(), 0);
    w.finish();
    expect_error([&] { w.finish(); }, {path, "finish"});
    expect_error([&] { w.append_sequence(attr.data(), feat.data(), 3, 0, 0); }, {path, "after finish"});
  }
  EXPECT_EQ(DatasetReader(path).size(), 0);  // an empty data set is still valid
  {
    std::string wpath = d.file("win.h5");
    DatasetWriter w(wpath, make_schema("windows"));
    expect_error([&] { w.append_sequence(attr.data(), feat.data(), 3, 0, 0); }, {wpath, "windows"});
    w.append_series(feat.data(), 7);
    w.append_window(attr.data(), 1, 0, 0);  // needs rows [1, 8) but only 7 exist
    expect_error([&] { w.finish(); }, {wpath, "series row 1"});
  }
  EXPECT_FALSE(fs::exists(d.file("win.h5")));
  Schema bad = make_schema("rows");
  expect_error([&] { DatasetWriter w(d.file("bad.h5"), bad); }, {d.file("bad.h5"), "kind"});
}

TEST(Dataset, ReaderRejectsMissingFile) {
  TempDir d;
  std::string path = d.file("nope.h5");
  expect_error([&] { DatasetReader r(path); }, {path, "No such file"});
}

TEST(Dataset, ReaderRejectsTextFile) {
  TempDir d;
  std::string path = d.file("data.csv");
  std::ofstream(path) << "id,value\n1,2\n";
  expect_error([&] { DatasetReader r(path); }, {path, "not an HDF5 file"});
}

TEST(Dataset, ReaderRejectsTruncatedFile) {
  TempDir d;
  std::string good = d.file("good.h5"), cut = d.file("cut.h5");
  write_sequences(good, 300);
  auto size = fs::file_size(good);
  fs::copy_file(good, cut);
  fs::resize_file(cut, size / 2);
  expect_error([&] { DatasetReader r(cut); }, {cut, "truncated"});
}

TEST(Dataset, ReaderRejectsForeignHdf5) {
  TempDir d;
  std::string path = d.file("foreign.h5");
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  hsize_t n = 4;
  hid_t sp = H5Screate_simple(1, &n, nullptr);
  hid_t ds = H5Dcreate2(f, "values", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  float v[4] = {1, 2, 3, 4};
  H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5Dclose(ds);
  H5Sclose(sp);
  H5Fclose(f);
  expect_error([&] { DatasetReader r(path); }, {path, "not a doppel data set", "format"});
}

namespace {
// Copies `src` to `dst` and lets `edit` change it through the HDF5 API.
template <class Edit>
void edited_copy(const std::string& src, const std::string& dst, Edit edit) {
  fs::copy_file(src, dst);
  hid_t f = H5Fopen(dst.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  edit(f);
  H5Fclose(f);
}
}  // namespace

TEST(Dataset, ReaderRejectsWrongVersion) {
  TempDir d;
  write_sequences(d.file("good.h5"), 3);
  std::string path = d.file("v2.h5");
  edited_copy(d.file("good.h5"), path, [](hid_t f) {
    hid_t a = H5Aopen(f, "version", H5P_DEFAULT);
    int64_t two = 2;
    H5Awrite(a, H5T_NATIVE_INT64, &two);
    H5Aclose(a);
  });
  expect_error([&] { DatasetReader r(path); }, {path, "version 2"});
}

TEST(Dataset, ReaderRejectsShapesInconsistentWithSchema) {
  TempDir d;
  write_sequences(d.file("good.h5"), 3);
  std::string path = d.file("wide.h5");
  edited_copy(d.file("good.h5"), path, [](hid_t f) {
    H5Ldelete(f, "attributes", H5P_DEFAULT);
    hsize_t dims[2] = {3, 5};  // the schema says 4 encoded attribute floats
    hid_t sp = H5Screate_simple(2, dims, nullptr);
    hid_t ds = H5Dcreate2(f, "attributes", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(ds);
    H5Sclose(sp);
  });
  expect_error([&] { DatasetReader r(path); }, {path, "/attributes", "[3, 5]", "[3, 4]"});
  std::string missing = d.file("missing.h5");
  edited_copy(d.file("good.h5"), missing, [](hid_t f) { H5Ldelete(f, "features", H5P_DEFAULT); });
  expect_error([&] { DatasetReader r(missing); }, {missing, "/features", "missing"});
}

namespace {
// Runs the built doppel binary; returns stdout+stderr and sets `rc` to its exit status.
std::string run_doppel(const std::string& args, int& rc) {
  std::string cmd = std::string(DOPPEL_BINARY) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t k;
  while ((k = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, k);
  int status = ::pclose(p);
  rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}
}  // namespace

TEST(Dataset, InspectReportsCountsSchemaAndSummaries) {
  // Known contents: item i is country i % 3, age 18 + 72·i/(n-1), length 1 + i % 7;
  // step t has size bin t % 3 and score -3 + t (encoded (score + 3) / 3 - 1).
  TempDir d;
  std::string path = d.file("known.h5");
  const int64_t n = 10, L = 7;
  Schema s = make_schema("sequences", L);
  int64_t valid = 0, bins[3] = {0, 0, 0};
  double score_sum = 0;
  {
    DatasetWriter w(path, s, 4, 4);
    std::vector<float> attr(4), feat(size_t(L * 4));
    for (int64_t i = 0; i < n; ++i) {
      std::fill(attr.begin(), attr.end(), 0.0f);
      attr[size_t(i % 3)] = 1.0f;
      attr[3] = float(i) / float(n - 1);
      int32_t len = int32_t(1 + i % 7);
      std::fill(feat.begin(), feat.end(), 0.0f);
      for (int64_t t = 0; t < len; ++t) {
        feat[size_t(t * 4 + t % 3)] = 1.0f;
        feat[size_t(t * 4 + 3)] = float(t) / 3.0f - 1.0f;
        ++valid;
        ++bins[t % 3];
        score_sum += -3.0 + double(t);
      }
      w.append_sequence(attr.data(), feat.data(), len, uint8_t(i < 3), 0);
    }
    w.set_metadata("config", "a = 1");
    w.finish();
  }
  int rc = 0;
  std::string out = run_doppel("inspect --json " + path, rc);
  ASSERT_EQ(rc, 0) << out;
  nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["kind"], "sequences");
  EXPECT_EQ(j["items"], n);
  EXPECT_EQ(j["train"], 7);
  EXPECT_EQ(j["test"], 3);
  EXPECT_EQ(j["length"]["min"], 1);
  EXPECT_EQ(j["length"]["max"], 7);
  EXPECT_DOUBLE_EQ(j["length"]["mean"].get<double>(), valid / double(n));
  EXPECT_EQ(j["metadata_keys"], nlohmann::json::array({"config"}));
  ASSERT_EQ(j["schema"].size(), 4u);
  EXPECT_EQ(j["schema"][0]["name"], "country");
  EXPECT_EQ(j["schema"][0]["role"], "attribute");
  EXPECT_EQ(j["schema"][0]["categories"], 3);
  EXPECT_EQ(j["schema"][2]["encoding"], "binned");
  EXPECT_EQ(j["schema"][2]["bins"], 3);
  EXPECT_EQ(j["schema"][3]["min"], -3.0);

  const auto& country = j["summary"]["attributes"][0];
  EXPECT_EQ(country["count"], n);
  EXPECT_EQ(country["top"][0]["value"], "de");  // items 0, 3, 6, 9
  EXPECT_EQ(country["top"][0]["count"], 4);
  const auto& age = j["summary"]["attributes"][1];
  EXPECT_NEAR(age["min"].get<double>(), 18.0, 1e-4);
  EXPECT_NEAR(age["max"].get<double>(), 90.0, 1e-4);
  EXPECT_NEAR(age["mean"].get<double>(), 54.0, 1e-4);
  EXPECT_EQ(j["summary"]["feature_steps"], valid);
  const auto& size = j["summary"]["features"][0];
  EXPECT_EQ(size["top"][0]["value"], "[0, 1)");
  EXPECT_EQ(size["top"][0]["count"], bins[0]);
  EXPECT_DOUBLE_EQ(size["top"][0]["fraction"].get<double>(), double(bins[0]) / double(valid));
  const auto& score = j["summary"]["features"][1];
  EXPECT_NEAR(score["min"].get<double>(), -3.0, 1e-5);
  EXPECT_NEAR(score["max"].get<double>(), 3.0, 1e-5);
  EXPECT_NEAR(score["mean"].get<double>(), score_sum / double(valid), 1e-5);

  out = run_doppel("inspect " + path, rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("items:     10 (train 7, test 3)"), std::string::npos) << out;
  EXPECT_NE(out.find("country: "), std::string::npos) << out;

  std::string text = d.file("notes.txt");
  std::ofstream(text) << "hello\n";
  out = run_doppel("inspect " + text, rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find(text), std::string::npos) << out;
}

TEST(Dataset, InspectSummarisesWindowSeriesOnce) {
  TempDir d;
  std::string path = d.file("win.h5");
  write_windows(path, 12);
  int rc = 0;
  std::string out = run_doppel("inspect --json " + path, rc);
  ASSERT_EQ(rc, 0) << out;
  nlohmann::json j = nlohmann::json::parse(out);
  int64_t T = window_start_of(11) + 7 + 2;
  EXPECT_EQ(j["kind"], "windows");
  EXPECT_EQ(j["series_rows"], T);
  EXPECT_EQ(j["summary"]["feature_steps"], T);  // each series row once, not once per window
  EXPECT_EQ(j["test"], 3);                      // windows 1, 5, 9
}

TEST(Dataset, SchemaWithoutAttributesRoundTrips) {
  // Zero-width rows need special chunking; the data set must still write and read.
  TempDir d;
  std::string path = d.file("noattr.h5");
  Schema s = make_schema("sequences", 3);
  s.attributes.clear();
  std::vector<float> feat(3 * 4);
  for (size_t k = 0; k < feat.size(); ++k) feat[k] = float(k) / 7.0f;
  {
    DatasetWriter w(path, s, 4, 2);
    for (int i = 0; i < 5; ++i) w.append_sequence(nullptr, feat.data(), 3, 0, i);
    w.finish();
  }
  DatasetReader r(path);
  Batch b = r.read_indices({4, 1});
  EXPECT_EQ(b.A, 0);
  EXPECT_TRUE(b.attributes.empty());
  EXPECT_EQ(b.start_time, (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(std::vector<float>(b.features.begin(), b.features.begin() + 12), feat);
}

// The trainer's memory cache (train.memory_cache_mb) must serve exactly the file's items.
TEST(Dataset, InMemoryCopyOfAFileSourceServesTheSameItems) {
  TempDir d;
  write_sequences(d.file("seq.h5"), 2500);  // more than one copy block of 1,024
  write_windows(d.file("win.h5"), 300);
  for (const char* name : {"seq.h5", "win.h5"}) {
    FileSource file(d.file(name), 0);
    InMemorySource copy = InMemorySource::copy_of(file);
    ASSERT_EQ(copy.size(), file.size()) << name;
    const Batch one = file.read_indices({0});
    EXPECT_EQ(InMemorySource::bytes_of(file),
              file.size() * int64_t(4 * (one.A + one.L * one.F) + 4 + 1 + 16)) << name;
    std::mt19937_64 rng(7);
    std::vector<int64_t> idx;
    for (int k = 0; k < 64; ++k) idx.push_back(int64_t(rng() % uint64_t(file.size())));
    idx.push_back(file.size() - 1);
    const Batch a = file.read_indices(idx), b = copy.read_indices(idx);
    EXPECT_EQ(a.attributes, b.attributes) << name;
    EXPECT_EQ(a.features, b.features) << name;
    EXPECT_EQ(a.lengths, b.lengths) << name;
    EXPECT_EQ(a.split, b.split) << name;
    EXPECT_EQ(a.start_time, b.start_time) << name;
    EXPECT_EQ(a.index, b.index) << name;  // the file's item numbers, for error messages
  }
}
