// The SQLite wrapper of the history store (sqlite_db.h).
#include "runtime/history/sqlite_db.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <limits>

namespace healthc::history {

void Db::open(const std::string& path, bool read_only, bool create) {
  // SQLite counts every allocation under a global mutex unless told not to (before it is first
  // initialised; later the call fails harmlessly): about 8% of a snapshot's inserts.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  close();
  path_ = path;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    close();
    throw StoreError(fmt::format("cannot open the store `{}`: {}", path, msg));
  }
  sqlite3_extended_result_codes(db_, 1);
  // Another run's commit or checkpoint holds a lock briefly; wait for it. (A writer waits for
  // the write lock as long as lock_for_writing is told to.)
  sqlite3_busy_timeout(db_, kBusyMs);
}

bool Db::begin_immediate(int wait_ms, const std::function<void()>& on_wait) {
  // First without waiting, so the caller can say it waits before it does.
  sqlite3_busy_timeout(db_, 0);
  int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if ((rc & 0xff) == SQLITE_BUSY) {
    if (on_wait) on_wait();
    sqlite3_busy_timeout(db_, wait_ms);
    rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  }
  sqlite3_busy_timeout(db_, kBusyMs);
  if ((rc & 0xff) == SQLITE_BUSY) return false;
  if (rc != SQLITE_OK) fail("taking the write lock failed", rc);
  return true;
}

void Db::close() {
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

void Db::fail(std::string_view what, int rc) const {
  const int primary = rc & 0xff;
  std::string why;
  if (primary == SQLITE_FULL) why = "the disk is full (or the store reached its size limit)";
  else if (primary == SQLITE_READONLY) why = "the store is read-only";
  else if (primary == SQLITE_CANTOPEN) why = "it cannot be opened";
  else if (primary == SQLITE_NOTADB) why = "it is not a SQLite database";
  else if (primary == SQLITE_CORRUPT) why = "the database file is corrupt";
  else if (primary == SQLITE_BUSY) why = "another process holds the store's write lock";
  else if (primary == SQLITE_IOERR) why = fmt::format("an I/O error ({})", db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  else why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  throw StoreError(fmt::format("store `{}`: {}: {}", path_, what, why));
}

void Db::exec(std::string_view sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) fail("a statement failed", rc);
}

int64_t Db::scalar_int(std::string_view sql) {
  Stmt s(*this, sql);
  return s.step() ? s.int64(0) : 0;
}

Stmt::Stmt(const Db& db, std::string_view sql) : db_(&db) {
  const int rc = sqlite3_prepare_v2(db.get(), sql.data(), static_cast<int>(sql.size()), &st_, nullptr);
  if (rc != SQLITE_OK) db.fail("preparing a statement failed", rc);
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(st_);
    db_ = o.db_;
    st_ = o.st_;
    o.st_ = nullptr;
  }
  return *this;
}

// A failed bind (a parameter out of range, a text too big) leaves the parameter NULL: storing
// that would be a silent wrong value, so it is an error.
void Stmt::check_bind(int i, int rc) const {
  if (rc != SQLITE_OK) db_->fail(fmt::format("binding parameter {} failed", i), rc);
}
Stmt& Stmt::bind(int i, int64_t v) {
  check_bind(i, sqlite3_bind_int64(st_, i, v));
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  check_bind(i, std::isnan(v) ? sqlite3_bind_null(st_, i) : sqlite3_bind_double(st_, i, v));
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  if (v.size() > static_cast<size_t>(std::numeric_limits<int>::max())) check_bind(i, SQLITE_TOOBIG);
  // A null pointer would bind NULL: an empty text is still a text.
  check_bind(i, sqlite3_bind_text(st_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT));
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  check_bind(i, sqlite3_bind_null(st_, i));
  return *this;
}

bool Stmt::step() {
  const int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(st_);
  db_->fail("a statement failed", rc);
}

void Stmt::run() {
  step();
  reset();
}

void Stmt::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

double Stmt::real(int col) const {
  if (is_null(col)) return std::numeric_limits<double>::quiet_NaN();
  return sqlite3_column_double(st_, col);
}

std::string Stmt::text(int col) const { return std::string(text_view(col)); }

std::string_view Stmt::text_view(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string_view();
}

}  // namespace healthc::history
