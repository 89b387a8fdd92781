// Streaming CSV reader (plain or gzip-compressed, detected by content): one row in
// memory at a time, RFC 4180 quoting, CRLF or LF. Every parse error names the file,
// the line and the column.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace doppel {

class CsvReader {
 public:
  explicit CsvReader(const std::string& path);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<std::string>& header() const { return header_; }
  // Index of a header column; throws Error naming the file and listing the columns.
  int column(const std::string& name) const;
  bool has_column(const std::string& name) const;

  bool next();  // false at end of file
  int64_t line() const { return line_; }  // line number of the current row (header = 1)
  size_t size() const { return fields_.size(); }
  const std::string& field(int i) const { return fields_[i]; }
  // Numeric value of column i; throws Error "file: line N, column 'x': ..." when it
  // is not a number. Empty cells and NaN are reported as missing via `missing`.
  double number(int i, bool* missing = nullptr) const;
  std::string where(int i) const;  // "file: line N, column 'x'"

 private:
  bool read_line(std::string& out);
  void split(const std::string& line, std::vector<std::string>& out);
  std::string path_;
  void* gz_ = nullptr;
  std::vector<std::string> header_, fields_;
  std::string buf_;
  int64_t line_ = 0;
};

// Timestamps: "%Y-%m-%d %H:%M:%S" style strptime formats (UTC) or "epoch" (integer
// seconds). Throws Error with `context` on failure.
int64_t parse_time(const std::string& text, const std::string& format, const std::string& context);
std::string format_time(int64_t epoch_seconds, const std::string& format);

}  // namespace doppel
