// Opening the store and resolving --scorecard and dates for the commands that read the past.
#include "compiler/driver/store_reading.h"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <thread>
#include <sys/stat.h>

#include "runtime/io/cell_parse.h"

namespace healthc::driver {

std::unique_ptr<history::Store> open_store_for_reading(const std::string& command, const std::string& path) {
  // Opening read-only would fail on a missing file too, but with SQLite's words, not ours.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    fmt::print(stderr, "healthc {}: no store at `{}` (a store is written by `healthc score --store` or "
                       "`healthc backfill`)\n", command, path);
    return nullptr;
  }
  try {
    return history::Store::open(path, history::Store::Mode::ReadOnly);
  } catch (const history::StoreError& e) {
    fmt::print(stderr, "healthc {}: {}\n", command, e.what());  // the store's messages name the file
    return nullptr;
  }
}

std::optional<std::string> choose_scorecard(const std::string& command, const history::Store& store,
                                            const std::string& title) {
  const std::vector<std::string> titles = store.titles();
  auto quoted = [&] {
    std::string s;
    for (const auto& t : titles) s += fmt::format("{}\"{}\"", s.empty() ? "" : ", ", t);
    return s;
  };
  if (titles.empty()) {
    fmt::print(stderr, "healthc {}: the store holds no snapshots yet\n", command);
    return std::nullopt;
  }
  if (title.empty()) {
    if (titles.size() == 1) return titles[0];
    fmt::print(stderr, "healthc {}: the store holds {} scorecards; choose one with --scorecard: {}\n", command,
               titles.size(), quoted());
    return std::nullopt;
  }
  for (const auto& t : titles)
    if (t == title) return t;
  fmt::print(stderr, "healthc {}: the store holds no scorecard \"{}\"; it holds {}\n", command, title, quoted());
  return std::nullopt;
}

std::optional<size_t> find_snapshot(const std::string& command, const std::string& title,
                                    const std::vector<history::SnapshotInfo>& snapshots, const std::string& date) {
  for (size_t i = 0; i < snapshots.size(); ++i)
    if (snapshots[i].as_of == date) return i;
  if (snapshots.empty())
    fmt::print(stderr, "healthc {}: \"{}\" has no snapshots\n", command, title);
  else {
    // The dates on either side of the one asked for: the likely typo or off-by-one.
    std::string near;
    for (size_t i = 0; i < snapshots.size(); ++i)
      if (snapshots[i].as_of > date) {
        near = i ? fmt::format("{} or {}", snapshots[i - 1].as_of, snapshots[i].as_of) : snapshots[i].as_of;
        break;
      }
    if (near.empty()) near = snapshots.back().as_of;
    fmt::print(stderr, "healthc {}: \"{}\" has no snapshot as of {} (the nearest: {}); its {} snapshot{} run from {} to {}\n",
               command, title, date, near, snapshots.size(), snapshots.size() == 1 ? "" : "s",
               snapshots.front().as_of, snapshots.back().as_of);
  }
  return std::nullopt;
}

void read_two_snapshots(const std::string& path, const history::Store& store, int64_t first_id, int64_t second_id,
                        history::Snapshot& first, history::Snapshot& second) {
  auto other = history::Store::open(path, history::Store::Mode::ReadOnly);
  const auto reading = store.read_transaction();
  const int64_t generation = store.generation();
  std::exception_ptr failed;
  std::thread reader([&] {
    try {
      const auto other_reading = other->read_transaction();
      if (other->generation() != generation)
        throw history::StoreChanged(fmt::format("the store `{}` changed while it was read", path));
      first = other->read(first_id);
    } catch (...) {
      failed = std::current_exception();
    }
  });
  try {
    second = store.read(second_id);
  } catch (...) {
    reader.join();
    throw;
  }
  reader.join();
  if (failed) std::rethrow_exception(failed);
}

bool is_date(const std::string& text) { return rt::parse_date(text).has_value(); }

void write_stdout(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

}  // namespace healthc::driver
