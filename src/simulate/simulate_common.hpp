// Shared pieces of the simulators: a portable random source, civil-date arithmetic,
// a fast buffered CSV writer and a progress printer. Internal to src/data.
//
// Why our own distributions: std::normal_distribution and friends are not specified
// bit-for-bit, so the same seed would give different files on different standard
// libraries. std::mt19937_64 is fully specified; everything above it is ours.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

namespace doppel {
namespace sim {

// splitmix64 finaliser: derives independent stream seeds from (seed, stream index), so
// each account / sensor has its own generator and row k does not depend on how many
// rows come after it.
inline std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + stream + 0x632BE59BD9B4E019ULL;
  for (int i = 0; i < 2; ++i) {
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
  }
  return z;
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0); }
  // Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) {
    auto k = static_cast<std::uint64_t>(uniform() * static_cast<double>(n));
    return k < n ? k : n - 1;
  }
  bool bernoulli(double p) { return uniform() < p; }
  // Standard normal by Box-Muller; the second value of each pair is kept for the next call.
  double normal() {
    if (have_spare_) {
      have_spare_ = false;
      return spare_;
    }
    double u1 = 1.0 - uniform();  // (0, 1]: log is finite
    double u2 = uniform();
    double r = std::sqrt(-2.0 * std::log(u1));
    double a = 6.283185307179586 * u2;
    spare_ = r * std::sin(a);
    have_spare_ = true;
    return r * std::cos(a);
  }
  double exponential(double rate) { return -std::log(1.0 - uniform()) / rate; }
  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool have_spare_ = false;
};

// ---- civil dates (proleptic Gregorian, UTC), after H. Hinnant's algorithms ----------
inline long long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

struct Civil {
  int year, month, day;
};

inline Civil civil_from_days(long long z) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

// 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
inline int weekday_from_days(long long z) { return static_cast<int>(((z % 7) + 7 + 3) % 7); }

inline int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Parses YYYY-MM-DD into days since 1970-01-01; throws doppel::Error naming `what`.
long long parse_date(const std::string& text, const std::string& what);

// ---- buffered CSV output -------------------------------------------------------------
// Appends into a large buffer and writes it in blocks; formatting is hand-rolled because
// iostreams are several times slower than the rows we need per second.
class CsvOut {
 public:
  explicit CsvOut(const std::string& path);
  ~CsvOut();
  CsvOut(const CsvOut&) = delete;
  CsvOut& operator=(const CsvOut&) = delete;

  void text(const char* s, std::size_t n) {
    if (used_ + n > kSize) flush();
    std::memcpy(buf_ + used_, s, n);
    used_ += n;
  }
  void text(const std::string& s) { text(s.data(), s.size()); }
  void ch(char c) {
    if (used_ + 1 > kSize) flush();
    buf_[used_++] = c;
  }
  void integer(long long v);
  // A number given in hundredths, printed with exactly two decimals ("-12.05").
  void cents(long long v);
  // Seconds since 1970-01-01 UTC as "YYYY-MM-DD HH:MM:SS".
  void timestamp(long long seconds);
  void close();  // flushes and closes; throws on any write error

 private:
  void flush();
  static constexpr std::size_t kSize = 1 << 20;
  std::string path_;
  std::FILE* file_ = nullptr;
  char* buf_;
  std::size_t used_ = 0;
};

// Formats "YYYY-MM-DD HH:MM:SS" into out (19 chars, no terminator).
void format_timestamp(long long seconds, char* out);

// Prints "<label>: 30% (x/y units)" to stderr at each further tenth of the work.
class Progress {
 public:
  Progress(bool enabled, std::string label, long long total, std::string units)
      : enabled_(enabled), label_(std::move(label)), units_(std::move(units)), total_(total) {}
  void update(long long done) {
    if (!enabled_ || total_ <= 0) return;
    int tenth = static_cast<int>(done * 10 / total_);
    if (tenth <= last_) return;
    last_ = tenth;
    std::fprintf(stderr, "%s: %d%% (%lld/%lld %s)\n", label_.c_str(), tenth * 10, done, total_,
                 units_.c_str());
  }

 private:
  bool enabled_;
  std::string label_, units_;
  long long total_;
  int last_ = 0;
};

}  // namespace sim
}  // namespace doppel
