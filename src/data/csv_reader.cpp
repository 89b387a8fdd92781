#include "doppel/data/csv_reader.hpp"

#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>

#include "doppel/error.hpp"

namespace doppel {

CsvReader::CsvReader(const std::string& path) : path_(path) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads uncompressed files transparently
  if (!f) throw Error("cannot open " + path + ": " + std::strerror(errno ? errno : ENOENT));
  gzbuffer(f, 1 << 18);
  gz_ = f;
  std::string line;
  if (!read_line(line)) throw Error(path + ": file is empty (expected a CSV header line)");
  split(line, header_);
  if (header_.empty() || (header_.size() == 1 && header_[0].empty()))
    throw Error(path + ": line 1: empty header");
  for (auto& h : header_) {  // tolerate a UTF-8 byte-order mark and stray spaces
    if (h.rfind("\xEF\xBB\xBF", 0) == 0) h = h.substr(3);
  }
}

CsvReader::~CsvReader() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
}

bool CsvReader::read_line(std::string& out) {
  out.clear();
  char chunk[4096];
  bool any = false;
  while (gzgets(static_cast<gzFile>(gz_), chunk, sizeof chunk)) {
    any = true;
    out += chunk;
    if (!out.empty() && out.back() == '\n') break;
  }
  int err = 0;
  const char* msg = gzerror(static_cast<gzFile>(gz_), &err);
  if (err != Z_OK && err != Z_STREAM_END)
    throw Error(path_ + ": line " + std::to_string(line_ + 1) + ": read error: " + msg);
  if (!any) return false;
  ++line_;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return true;
}

void CsvReader::split(const std::string& line, std::vector<std::string>& out) {
  out.clear();
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"' && cur.empty()) {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (quoted) throw Error(path_ + ": line " + std::to_string(line_) + ": unterminated quoted field");
  out.push_back(std::move(cur));
}

bool CsvReader::has_column(const std::string& name) const {
  for (const auto& h : header_)
    if (h == name) return true;
  return false;
}

int CsvReader::column(const std::string& name) const {
  for (size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return int(i);
  std::string cols;
  for (const auto& h : header_) cols += (cols.empty() ? "" : ", ") + h;
  throw Error(path_ + ": missing column '" + name + "' (columns: " + cols + ")");
}

bool CsvReader::next() {
  while (read_line(buf_)) {
    if (buf_.empty()) continue;  // blank lines (e.g. a trailing newline) are not rows
    split(buf_, fields_);
    if (fields_.size() != header_.size())
      throw Error(path_ + ": line " + std::to_string(line_) + ": expected " +
                  std::to_string(header_.size()) + " fields, found " + std::to_string(fields_.size()));
    return true;
  }
  return false;
}

std::string CsvReader::where(int i) const {
  return path_ + ": line " + std::to_string(line_) + ", column '" + header_[i] + "'";
}

double CsvReader::number(int i, bool* missing) const {
  const std::string& s = fields_[i];
  size_t b = 0, e = s.size();
  while (b < e && s[b] == ' ') ++b;
  while (e > b && s[e - 1] == ' ') --e;
  if (b == e || s.compare(b, e - b, "NaN") == 0 || s.compare(b, e - b, "nan") == 0 ||
      s.compare(b, e - b, "NA") == 0) {
    if (missing) {
      *missing = true;
      return 0.0;
    }
    throw Error(where(i) + ": empty or NaN value");
  }
  double v = 0;
  auto r = std::from_chars(s.data() + b, s.data() + e, v);
  if (r.ec != std::errc() || r.ptr != s.data() + e || !std::isfinite(v))
    throw Error(where(i) + ": expected a number, got '" + s + "'");
  if (missing) *missing = false;
  return v;
}

namespace {
bool digits(const std::string& s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t k = at; k < at + n; ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
    v = v * 10 + (s[k] - '0');
  }
  out = v;
  return true;
}
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {  // H. Hinnant's algorithm
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}
}  // namespace

int64_t parse_time(const std::string& text, const std::string& format, const std::string& context) {
  if (format == "epoch") {
    int64_t v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size())
      throw Error(context + ": expected integer epoch seconds, got '" + text + "'");
    return v;
  }
  if (format == "%Y-%m-%d %H:%M:%S" || format == "%Y-%m-%d") {
    // Fast path for the common ISO layout (10 million rows must parse quickly).
    int Y, M, D, h = 0, mi = 0, s = 0;
    bool ok = text.size() >= 10 && digits(text, 0, 4, Y) && text[4] == '-' && digits(text, 5, 2, M) &&
              text[7] == '-' && digits(text, 8, 2, D);
    if (ok && format.size() > 8)
      ok = text.size() == 19 && text[10] == ' ' && digits(text, 11, 2, h) && text[13] == ':' &&
           digits(text, 14, 2, mi) && text[16] == ':' && digits(text, 17, 2, s);
    else if (ok)
      ok = text.size() == 10;
    ok = ok && M >= 1 && M <= 12 && D >= 1 && D <= 31 && h < 24 && mi < 60 && s < 61;
    if (!ok) throw Error(context + ": cannot parse timestamp '" + text + "' as " + format);
    return days_from_civil(Y, unsigned(M), unsigned(D)) * 86400 + h * 3600 + mi * 60 + s;
  }
  std::tm tm{};
  const char* end = strptime(text.c_str(), format.c_str(), &tm);
  if (!end || *end != '\0') throw Error(context + ": cannot parse timestamp '" + text + "' as " + format);
  return int64_t(timegm(&tm));
}

std::string format_time(int64_t t, const std::string& format) {
  if (format == "epoch") return std::to_string(t);
  std::time_t tt = std::time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format.c_str(), &tm);
  return buf;
}

}  // namespace doppel
