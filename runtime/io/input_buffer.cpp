// InputBuffer: chunked reads from a FILE* into one window that slides over the input.
#include "runtime/io/input_buffer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace healthc::rt {

InputBuffer::InputBuffer(std::FILE* in, size_t chunk_bytes)
    : in_(in), chunk_bytes_(std::max<size_t>(chunk_bytes, 1)) {}

bool InputBuffer::fill_more() {
  if (eof_) return false;
  if (in_ == nullptr) {
    eof_ = true;
    error_ = "no input stream";
    return false;
  }
  const size_t kept = len_ - pos_;
  // Read at least as much as is kept: a record longer than a chunk then costs rescans of
  // geometrically growing windows, linear overall, not one rescan per chunk.
  const size_t want = std::max(chunk_bytes_, kept);
  if (kept + want > cap_) {
    const size_t cap = kept + want;
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (kept) std::memcpy(bigger.get(), data_.get() + pos_, kept);
    data_ = std::move(bigger);
    cap_ = cap;
  } else if (pos_ > 0 && kept) {
    std::memmove(data_.get(), data_.get() + pos_, kept);
  }
  pos_ = 0;
  len_ = kept;
  errno = 0;
  const size_t got = std::fread(data_.get() + len_, 1, want, in_);
  len_ += got;
  bytes_read_ += got;
  if (got < want) {
    // fread loops until it has `want` bytes, so a short read means end of input or an error.
    if (std::ferror(in_)) {
      const int err = errno;
      error_ = "could not read the input";
      if (err != 0) {
        error_ += ": ";
        error_ += std::strerror(err);
      }
    }
    eof_ = true;
  }
  return got > 0;
}

void InputBuffer::unconsume(const char* bytes, size_t n) {
  if (n > cap_) {
    data_.reset(new char[n]);
    cap_ = n;
  }
  std::memmove(data_.get(), bytes, n);
  pos_ = 0;
  len_ = n;
}

}  // namespace healthc::rt
