#include "doppel/config/file_output_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <streambuf>
#include <vector>

#include "doppel/error.hpp"

namespace doppel {

class FileOutputStream::Buffer : public std::streambuf {
 public:
  explicit Buffer(const std::string& path) : data_(1 << 16) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error("cannot write " + path + ": " + std::strerror(errno));
    setp(data_.data(), data_.data() + data_.size());
  }
  ~Buffer() override {
    if (fd_ >= 0) ::close(fd_);
  }
  // 0 when everything was written, else the errno of the first failure.
  int finish() {
    drain();
    if (fd_ >= 0 && ::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    return error_;
  }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    const char* p = pbase();
    size_t left = size_t(pptr() - pbase());
    while (left > 0 && error_ == 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) error_ = n < 0 ? errno : EIO;
      else p += n, left -= size_t(n);
    }
    setp(data_.data(), data_.data() + data_.size());
    return error_ == 0;
  }

  std::vector<char> data_;
  int fd_ = -1;
  int error_ = 0;
};

FileOutputStream::FileOutputStream(const std::string& path)
    : std::ostream(nullptr), buffer_(std::make_unique<Buffer>(path)) {
  rdbuf(buffer_.get());
}

FileOutputStream::~FileOutputStream() = default;

void FileOutputStream::close(const std::string& name) {
  const int error = buffer_->finish();
  if (error != 0) throw Error("cannot write " + name + ": " + std::strerror(error));
  if (!*this) throw Error("cannot write " + name + ": write failed");
}

}  // namespace doppel
