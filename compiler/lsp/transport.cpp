// Content-Length framing over a file descriptor.
#include "compiler/lsp/transport.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cctype>
#include <cstddef>

namespace healthc::lsp {
namespace {
// A header this long without its blank line is not a header: drop it rather than buffer for ever.
constexpr size_t kMaxHeader = 8192;
// The largest message body accepted (a card is far smaller; this bounds memory).
constexpr size_t kMaxBody = size_t{256} << 20;

bool iequals_prefix(std::string_view line, std::string_view prefix) {
  if (line.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != prefix[i]) return false;
  return true;
}
}  // namespace

Reader::Status Reader::take(std::string& body) {
  const size_t end = buf_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (buf_.size() > kMaxHeader) {
      buf_.clear();
      return Status::BadHeader;
    }
    return Status::Timeout;
  }
  std::string_view header(buf_.data(), end);
  size_t length = 0;
  bool have_length = false;
  while (!header.empty()) {
    const size_t nl = header.find("\r\n");
    std::string_view line = header.substr(0, nl);
    header = nl == std::string_view::npos ? std::string_view{} : header.substr(nl + 2);
    if (!iequals_prefix(line, "content-length:")) continue;
    line.remove_prefix(15);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    const auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), length);
    have_length = ec == std::errc{} && p == line.data() + line.size() && length <= kMaxBody;
  }
  if (!have_length) {
    buf_.erase(0, end + 4);
    return Status::BadHeader;
  }
  if (buf_.size() < end + 4 + length) return Status::Timeout;
  body.assign(buf_, end + 4, length);
  buf_.erase(0, end + 4 + length);
  return Status::Message;
}

Reader::Status Reader::next(int timeout_ms, std::string& body) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  for (;;) {
    const Status s = take(body);
    if (s != Status::Timeout) return s;
    if (eof_) return Status::Eof;
    int wait = -1;
    if (timeout_ms >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      wait = left > 0 ? static_cast<int>(left) : 0;
    }
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, wait);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return Status::Timeout;
    char chunk[65536];
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      eof_ = true;
      continue;
    }
    buf_.append(chunk, static_cast<size_t>(n));
  }
}

std::string frame(std::string_view body) {
  std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace healthc::lsp
