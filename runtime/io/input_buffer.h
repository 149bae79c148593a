// A window over a FILE* that grows a chunk at a time, so readers parse straight from memory
// while holding only the records in flight, however large the input. A regular file is mapped
// instead (mmap, read-only and private): the window is then the whole file from the start, no
// byte is copied, and the pages behind the readers are handed back (release_before) so that
// memory stays flat.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace healthc::rt {

class InputBuffer {
 public:
  // `map`: map `in` when it is a regular file read from its start (else it is streamed).
  InputBuffer(std::FILE* in, size_t chunk_bytes, bool map = false);
  ~InputBuffer();
  InputBuffer(const InputBuffer&) = delete;
  InputBuffer& operator=(const InputBuffer&) = delete;

  // The bytes read but not yet consumed. Invalidated by fill_more().
  const char* begin() const { return base() + pos_; }
  const char* end() const { return base() + len_; }
  size_t size() const { return len_ - pos_; }
  void consume(size_t n) { pos_ += n; }
  // Puts `n` bytes back as the whole window; only when everything was consumed. Streamed input only.
  void unconsume(const char* bytes, size_t n);

  // Whether the input is mapped: then the window is the rest of the file, eof() is true from
  // the start and the bytes stay where they are for the reader's life (spans are views).
  bool mapped() const { return map_ != nullptr; }
  // Mapped input: the pages wholly before `p` are no longer read (the memory they hold goes
  // back; a later read of them would fetch them again from the file).
  void release_before(const char* p);
  // Mapped input: whether the file is now shorter than what was mapped (read on, and the
  // pages past its new end would fault); checked as the reader goes, an input error then.
  bool shrank();
  // Mapped input: the bytes from where reading began to the end of the mapping (0 when streamed).
  uint64_t mapped_bytes() const { return map_ ? len_ - start_ : 0; }

  // Keeps the unconsumed bytes and appends at least a chunk more (or all that is left).
  // Returns false when nothing more came: end of input or a read error.
  bool fill_more();

  // True once the file has nothing more to give (end of input or a read error).
  bool eof() const { return eof_; }
  // A read error that ended the input early, or empty.
  const std::string& error() const { return error_; }
  // Streamed: bytes read from the FILE; mapped: bytes consumed (the progress through the file).
  uint64_t bytes_read() const { return map_ ? pos_ - start_ : bytes_read_; }

 private:
  const char* base() const { return map_ ? map_ : data_.get(); }
  std::FILE* in_;
  char* map_ = nullptr;      // the mapped file, len_ bytes
  size_t start_ = 0;         // mapped: where reading began (the FILE's position)
  size_t released_ = 0;      // mapped: bytes handed back, a multiple of the page size
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
