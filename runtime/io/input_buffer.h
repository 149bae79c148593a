// A window over a FILE* that grows a chunk at a time, so readers parse straight from memory
// while holding only the records in flight, however large the input.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace healthc::rt {

class InputBuffer {
 public:
  InputBuffer(std::FILE* in, size_t chunk_bytes);

  // The bytes read but not yet consumed. Invalidated by fill_more().
  const char* begin() const { return data_.get() + pos_; }
  const char* end() const { return data_.get() + len_; }
  size_t size() const { return len_ - pos_; }
  void consume(size_t n) { pos_ += n; }
  // Puts `n` bytes back as the whole window; only when everything was consumed.
  void unconsume(const char* bytes, size_t n);

  // Keeps the unconsumed bytes and appends at least a chunk more (or all that is left).
  // Returns false when nothing more came: end of input or a read error.
  bool fill_more();

  // True once the file has nothing more to give (end of input or a read error).
  bool eof() const { return eof_; }
  // A read error that ended the input early, or empty.
  const std::string& error() const { return error_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  std::FILE* in_;
  size_t chunk_bytes_;
  std::unique_ptr<char[]> data_;
  size_t cap_ = 0;
  size_t pos_ = 0;
  size_t len_ = 0;
  bool eof_ = false;
  std::string error_;
  uint64_t bytes_read_ = 0;
};

}  // namespace healthc::rt
