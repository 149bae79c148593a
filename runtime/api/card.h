// The C API's handle behind `hc_card` and what every entry point shares: the wrapped
// Scorecard, the reader schema, the JSON output columns, a pool of per-call scratch, and the
// guard that keeps exceptions from crossing the API. Internal: not installed.
#pragma once

#include <healthc/healthc.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/io/column_block.h"
#include "runtime/io/json_row.h"
#include "runtime/output.h"
#include "runtime/scorecard.h"

namespace healthc::api {

// What one hc_score_json call needs; reused across calls (never shared by two at once), so a
// call allocates nothing once the pool is warm.
struct JsonScratch {
  explicit JsonScratch(const rt::Schema& schema) : row(schema) {}
  rt::JsonRowParser row;
  rt::ColumnBlock block;
  BlockScores scores;
  std::string out, row_text;
};

// A small lock-protected free list: calls on many threads each take their own scratch.
template <typename T>
class Pool {
 public:
  template <typename Make>
  std::unique_ptr<T> take(Make make) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        std::unique_ptr<T> t = std::move(free_.back());
        free_.pop_back();
        return t;
      }
    }
    return make();
  }
  void give(std::unique_ptr<T> t) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(t));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<T>> free_;
};

}  // namespace healthc::api

struct hc_card {
  std::shared_ptr<const healthc::Scorecard> card;
  healthc::rt::Schema schema;
  std::vector<healthc::rt::OutputColumn> head;                   // key .. override, JSON names
  std::vector<std::vector<healthc::rt::OutputColumn>> measure;  // per measure: value, score, weight
  mutable healthc::api::Pool<healthc::api::JsonScratch> json_pool;
};

namespace healthc::api {

// A handle for `card` (never null `card`); throws std::bad_alloc.
hc_card* wrap(std::shared_ptr<const Scorecard> card);
// A malloc'd copy for the caller to hc_free; null when out of memory.
char* dup_string(std::string_view s);
// `as_of` ("YYYY-MM-DD" or null for today, UTC) in days since 1970-01-01; false if malformed.
bool parse_as_of(const char* as_of, double& days);

// Runs `body` and turns any exception into a return code: nothing throws across the API.
template <typename Body>
int guarded(Body body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return HC_ENOMEM;
  } catch (...) {
    return HC_EINTERNAL;
  }
}

// The same for entry points that return a pointer (null on any exception).
template <typename Body>
auto guarded_ptr(Body body) noexcept -> decltype(body()) {
  try {
    return body();
  } catch (...) {
    return nullptr;
  }
}

}  // namespace healthc::api
