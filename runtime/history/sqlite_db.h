// A thin RAII layer over the SQLite C API for the history store: a connection, prepared
// statements, and errors as StoreError with SQLite's message. Nothing outside runtime/history/
// sees sqlite3 types.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "runtime/history/store.h"

namespace healthc::history {

class Db {
 public:
  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { close(); }
  // Opens `path`; `create` allows making a new file. Throws StoreError.
  void open(const std::string& path, bool read_only, bool create);
  void close();
  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }
  // Runs one or more statements without results.
  void exec(std::string_view sql);
  int64_t scalar_int(std::string_view sql);
  // BEGIN IMMEDIATE, waiting up to `wait_ms` for another connection's write lock; `on_wait`
  // is called once when it has to wait. False: still locked after the wait.
  bool begin_immediate(int wait_ms, const std::function<void()>& on_wait);
  static constexpr int kBusyMs = 10000;
  // Why the last call failed, in the user's terms: "the disk is full", "is read-only", ...
  [[noreturn]] void fail(std::string_view what, int rc) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Stmt {
 public:
  Stmt() = default;
  Stmt(const Db& db, std::string_view sql);
  Stmt(Stmt&& o) noexcept : db_(o.db_), st_(o.st_) { o.st_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(st_); }

  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, int32_t v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, double v);  // NaN binds NULL
  Stmt& bind(int i, std::string_view v);
  Stmt& bind_null(int i);  // every bind throws StoreError when SQLite refuses it
  // Steps once: true with a row, false when done. Throws StoreError.
  bool step();
  // Steps a statement without rows, then resets it for the next bindings.
  void run();
  void reset();
  // Resets for another step keeping the bindings.
  void reset_only() { sqlite3_reset(st_); }

  bool is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
  int64_t int64(int col) const { return sqlite3_column_int64(st_, col); }
  int32_t int32(int col) const { return static_cast<int32_t>(sqlite3_column_int64(st_, col)); }
  double real(int col) const;  // NULL reads NaN
  std::string text(int col) const;
  std::string_view text_view(int col) const;

 private:
  void check_bind(int i, int rc) const;
  const Db* db_ = nullptr;
  sqlite3_stmt* st_ = nullptr;
};

}  // namespace healthc::history
