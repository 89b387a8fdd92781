#include "simulate_common.hpp"

#include <cerrno>
#include <cstdlib>

#include "doppel/error.hpp"

namespace doppel {
namespace sim {

long long parse_date(const std::string& text, const std::string& what) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-';
  if (!shape || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1900 ||
      y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
    throw Error(what + ": expected a date YYYY-MM-DD, got '" + text + "'");
  return days_from_civil(y, m, d);
}

CsvOut::CsvOut(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) throw Error("cannot write " + path + ": " + std::strerror(errno));
  buf_ = static_cast<char*>(std::malloc(kSize));
  if (!buf_) {
    std::fclose(file_);
    throw Error("cannot write " + path + ": out of memory for the output buffer");
  }
}

CsvOut::~CsvOut() {
  if (file_) std::fclose(file_);
  std::free(buf_);
}

void CsvOut::flush() {
  if (used_ == 0) return;
  if (std::fwrite(buf_, 1, used_, file_) != used_)
    throw Error("cannot write " + path_ + ": " + std::strerror(errno));
  used_ = 0;
}

void CsvOut::close() {
  flush();
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fclose(f) != 0) throw Error("cannot write " + path_ + ": " + std::strerror(errno));
}

void CsvOut::integer(long long v) {
  char tmp[24];
  int n = 0;
  unsigned long long u = v < 0 ? 0ULL - static_cast<unsigned long long>(v) : v;
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) tmp[n++] = '-';
  if (used_ + n > kSize) flush();
  while (n) buf_[used_++] = tmp[--n];
}

void CsvOut::cents(long long v) {
  unsigned long long u = v < 0 ? 0ULL - static_cast<unsigned long long>(v) : v;
  if (v < 0) ch('-');
  integer(static_cast<long long>(u / 100));
  char frac[3] = {'.', static_cast<char>('0' + u % 100 / 10), static_cast<char>('0' + u % 10)};
  text(frac, 3);
}

void format_timestamp(long long seconds, char* out) {
  long long days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  long long sod = seconds - days * 86400;
  Civil c = civil_from_days(days);
  int h = static_cast<int>(sod / 3600), mi = static_cast<int>(sod / 60 % 60), s = static_cast<int>(sod % 60);
  auto two = [](char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  out[0] = static_cast<char>('0' + c.year / 1000 % 10);
  out[1] = static_cast<char>('0' + c.year / 100 % 10);
  two(out + 2, c.year % 100);
  out[4] = '-';
  two(out + 5, c.month);
  out[7] = '-';
  two(out + 8, c.day);
  out[10] = ' ';
  two(out + 11, h);
  out[13] = ':';
  two(out + 14, mi);
  out[16] = ':';
  two(out + 17, s);
}

void CsvOut::timestamp(long long seconds) {
  char tmp[19];
  format_timestamp(seconds, tmp);
  text(tmp, 19);
}

}  // namespace sim
}  // namespace doppel
