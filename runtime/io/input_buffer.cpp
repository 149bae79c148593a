// InputBuffer: chunked reads from a FILE* into one window that slides over the input.
#include "runtime/io/input_buffer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace healthc::rt {

InputBuffer::InputBuffer(std::FILE* in, size_t chunk_bytes, bool map)
    : in_(in), chunk_bytes_(std::max<size_t>(chunk_bytes, 1)) {
  if (!map || in == nullptr) return;
  const int fd = fileno(in);
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return;
  // Where the FILE stands (bytes it buffered count as read): mapping starts there.
  const off_t at = ftello(in);
  if (at < 0 || at >= st.st_size) return;
  const size_t size = static_cast<size_t>(st.st_size);
  void* m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) return;  // streamed as any other input
  madvise(m, size, MADV_SEQUENTIAL);
  map_ = static_cast<char*>(m);
  pos_ = start_ = static_cast<size_t>(at);
  len_ = cap_ = size;
  eof_ = true;
}

InputBuffer::~InputBuffer() {
  if (map_) munmap(map_, len_);
}

void InputBuffer::release_before(const char* p) {
  if (!map_ || p < map_ || p > map_ + len_) return;
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t upto = static_cast<size_t>(p - map_) / page * page;
  // A MiB at a time: fewer calls into the kernel, and at most that much held behind the readers.
  if (upto < released_ + (size_t{1} << 20)) return;
  madvise(map_ + released_, upto - released_, MADV_DONTNEED);
  released_ = upto;
}

bool InputBuffer::shrank() {
  if (!map_) return false;
  struct stat st {};
  return fstat(fileno(in_), &st) == 0 && static_cast<uint64_t>(st.st_size) < len_;
}

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
  if (map_) return;  // never asked of a mapped input: its window is the whole file
  if (n > cap_) {
    data_.reset(new char[n]);
    cap_ = n;
  }
  std::memmove(data_.get(), bytes, n);
  pos_ = 0;
  len_ = n;
}

}  // namespace healthc::rt
