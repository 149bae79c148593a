// JSON-RPC's base protocol: messages framed by a `Content-Length` header, read from a file
// descriptor with a timeout (so the server debounces without a thread) and written whole.
#pragma once

#include <string>
#include <string_view>

namespace healthc::lsp {

class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}

  enum class Status { Message, Timeout, Eof, BadHeader };
  // Waits at most `timeout_ms` (-1: for ever) for a whole message; its body goes to `body`.
  // BadHeader: a header without a usable Content-Length (the header is skipped; the caller
  // answers with a parse error and reads on).
  Status next(int timeout_ms, std::string& body);

 private:
  // A complete message in buf_, taken out; Timeout when there is none yet.
  Status take(std::string& body);
  int fd_;
  std::string buf_;
  bool eof_ = false;
};

// The frame around one message body.
std::string frame(std::string_view body);
// Writes all of `data`; false when the other end is gone.
bool write_all(int fd, std::string_view data);

}  // namespace healthc::lsp
