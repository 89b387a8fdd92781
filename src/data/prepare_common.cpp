#include <chrono>
#include <cstdio>

#include "doppel/data/csv_reader.hpp"
#include "prepare_internal.hpp"

namespace doppel {

Cell derived_start_cell(const std::string& source, int64_t t) {
  Cell c;
  if (source == "@start_time") {
    c.num = double(t);
  } else {
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    if (source == "@start_dayofweek") {
      c.num = double(((days % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday; 0 = Monday
    } else if (source == "@start_month") {
      c.num = std::stod(format_time(t, "%m"));
    } else if (source == "@start_hour") {
      c.num = double((t - days * 86400) / 3600);
    }
  }
  c.text = std::to_string(int64_t(c.num));
  return c;
}

double split_hash(const std::string& id, uint64_t seed) {
  uint64_t h = 1469598103934665603ull ^ (seed * 0x9E3779B97F4A7C15ull);
  for (unsigned char ch : id) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return double(h >> 11) / double(1ull << 53);
}

double RowProgress::now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void RowProgress::tick(int64_t rows) {
  if (rows < next_ || !t_.log) return;
  next_ += 1000000;
  double dt = now() - start_;
  char buf[160];
  std::snprintf(buf, sizeof buf, "[prepare] pass %s: %lld rows (%.2f M rows/s)", t_.pass.c_str(),
                (long long)rows, rows / std::max(dt, 1e-9) / 1e6);
  t_.log(buf);
}

void RowProgress::done(int64_t rows) {
  if (!t_.log) return;
  double dt = now() - start_;
  char buf[160];
  std::snprintf(buf, sizeof buf, "[prepare] pass %s: %lld rows in %.1f s", t_.pass.c_str(),
                (long long)rows, dt);
  t_.log(buf);
}

}  // namespace doppel
