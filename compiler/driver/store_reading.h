// What `healthc history`, `changes` and `alerts` share: opening a store read-only, choosing
// the scorecard (--scorecard, or the only one the store holds) and a snapshot by date. Each
// prints a clear message and returns nothing on failure (the command then exits 1).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/history/store.h"

namespace healthc::driver {

std::unique_ptr<history::Store> open_store_for_reading(const std::string& command, const std::string& path);

// TITLE if the store has it; with no TITLE, the store's only scorecard.
std::optional<std::string> choose_scorecard(const std::string& command, const history::Store& store,
                                            const std::string& title);

// The snapshot of `title` as of `date` (a valid YYYY-MM-DD) among `snapshots` (oldest first): its
// index, or nothing after saying which dates there are.
std::optional<size_t> find_snapshot(const std::string& command, const std::string& title,
                                    const std::vector<history::SnapshotInfo>& snapshots, const std::string& date);

// Reads two snapshots at once, `first` through a second connection to `path` on another thread
// (reading is most of `changes`'s time on a large store). The second connection must see the
// store as `store`'s current read transaction does (hold one from the listing that gave the ids):
// StoreChanged otherwise. Throws StoreError.
void read_two_snapshots(const std::string& path, const history::Store& store, int64_t first_id, int64_t second_id,
                        history::Snapshot& first, history::Snapshot& second);

// Runs `read` (a command's reads of a store over several connections, from listing its snapshots
// on) until its connections saw one committed state: StoreChanged means a run recorded a snapshot
// meanwhile, so it reads again; the third StoreChanged goes to the caller.
template <typename Read>
auto read_consistently(Read&& read) {
  for (int attempt = 1;; ++attempt) {
    try {
      return read();
    } catch (const history::StoreChanged&) {
      if (attempt == 3) throw;
    }
  }
}

// Whether `text` is a date YYYY-MM-DD (the commands check their date options before opening the store).
bool is_date(const std::string& text);

// Writes `text` to standard output (the commands' large outputs go out in pieces).
void write_stdout(const std::string& text);

}  // namespace healthc::driver
