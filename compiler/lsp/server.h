// `healthc lsp`: the Language Server Protocol over one process's stdin and stdout. The server is
// a message handler with a clock (so tests drive it without pipes or sleeps) and a loop that
// reads stdin with a timeout, which is how diagnostics are debounced without a thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/lsp/analysis.h"

namespace healthc::lsp {

struct ServerOptions {
  // A change within this long of the last analysis waits, and a later change within it
  // supersedes it: typing costs one analysis per pause, not one per key.
  int debounce_ms = 150;
};

class Server {
 public:
  using Clock = std::chrono::steady_clock;
  using Outbox = std::vector<nlohmann::json>;

  explicit Server(ServerOptions options = {}) : options_(options) {}

  // Handles one message body; what to send (responses, notifications) is appended to `out`.
  // Never throws: a bad message gets an error response (or is dropped, for a notification).
  void handle(std::string_view body, Outbox& out, Clock::time_point now);
  // When the next debounced analysis is due, if one is waiting.
  std::optional<Clock::time_point> next_due() const;
  // Publishes the diagnostics of every document whose debounce has run out by `now`.
  void tick(Clock::time_point now, Outbox& out);
  bool exited() const { return exited_; }
  // The process's exit status after `exit`: 0 when `shutdown` came first (as LSP says).
  int exit_code() const { return shutdown_ ? 0 : 1; }
  // The current analysis of an open document (tests), or null.
  const Analysis* analysis(const std::string& uri);

 private:
  struct Document {
    std::string text;
    int64_t version = 0;
    std::shared_ptr<const Analysis> analysis;  // of `text`, or null when stale
    std::optional<Clock::time_point> due;      // a debounced publish is waiting
    Clock::time_point analysed_at{};
  };

  nlohmann::json request(const std::string& method, const nlohmann::json& params);
  void notification(const std::string& method, const nlohmann::json& params, Outbox& out, Clock::time_point now);
  const Analysis& analyse(const std::string& uri, Document& d, Clock::time_point now);
  void publish(const std::string& uri, Document& d, Outbox& out, Clock::time_point now);
  Document* find(const nlohmann::json& params);

  ServerOptions options_;
  bool initialized_ = false;
  bool shutdown_ = false;
  bool exited_ = false;
  std::map<std::string, Document> docs_;
};

// The file path a `file://` URI names (percent-decoded), or the URI itself for other schemes.
std::string uri_to_path(std::string_view uri);

// Serves on `in` and `out` until `exit` or the end of input; returns the exit status.
int run_stdio(ServerOptions options, int in_fd, int out_fd);

}  // namespace healthc::lsp
