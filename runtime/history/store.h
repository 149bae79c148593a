// The history store (spec "Snapshots and the store"): one SQLite file holding the snapshots of
// any number of scorecards. A snapshot is written in one transaction and replaces the one of
// the same title and as-of date whole; readers (healthc history/changes/alerts, a BI tool) may
// read while a run writes (WAL). The schema and its views are described in docs/store.md.
// Nothing here prints or exits: errors are StoreError exceptions with a message for the user.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/analysis/rollup.h"

namespace healthc::history {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads on two connections saw different committed states (a run recorded a snapshot between
// them): the reader reads again (driver::read_consistently).
struct StoreChanged : StoreError {
  using StoreError::StoreError;
};

// The names a snapshot's integers refer to, as the card version that wrote it had them. The
// store keeps them per card version, so a later card never changes how an old snapshot reads.
struct CardNames {
  std::string key_field;
  std::vector<std::string> segments;  // index == size() - 1 is `default` (stored explicitly)
  // [segment] the name of the model it scores with (card_name 'segment' extra); empty in a
  // store written before models were recorded.
  std::vector<std::string> segment_models;
  std::vector<std::string> bands;     // index == size() - 1 is `unscored`
  std::vector<std::string> band_colors;
  std::vector<std::string> labels, label_titles;
  std::vector<std::string> overrides, override_titles;
  std::vector<std::string> measures, measure_titles;  // file order
  // Per measure: its value's kind (ir::ValueKind as text: number, bool, enum, none; empty in a
  // store written before kinds were recorded) and, for an enum, its members in the field's
  // order: a past enum value is a member index, read by member name (card_name kind 'member').
  std::vector<std::string> measure_kinds;
  std::vector<std::vector<std::string>> measure_members;
  std::vector<std::string> alerts, alert_titles;      // file order; bit i of the alert masks
  std::vector<ir::Severity> alert_severities;
  std::vector<std::string> stale_measures;            // bit i of the stale mask: a measure name
};

// A name of a CardNames list by the integer a record stores; "?" out of range (a store written by
// a broken build must not crash a reader).
inline std::string_view name_at(const std::vector<std::string>& names, int32_t i) {
  return i >= 0 && static_cast<size_t>(i) < names.size() ? std::string_view(names[static_cast<size_t>(i)])
                                                         : std::string_view("?");
}

// The names of a program (what a snapshot scored with it records).
CardNames names_of(const ir::Program& p);
// ir::ValueKind as CardNames::measure_kinds records it.
const char* value_kind_name(ir::ValueKind kind);
// card_name rows of kind 'member': idx = measure index * kMemberStride + member index.
inline constexpr int64_t kMemberStride = int64_t{1} << 20;

struct SnapshotInfo {
  int64_t id = 0;
  std::string title;       // the card's `scorecard "Title"`
  std::string as_of;       // YYYY-MM-DD
  int32_t as_of_days = 0;  // days since 1970-01-01
  std::string card_hash;   // sha-256 of the card text, hex
  std::string card_text;   // empty unless asked for (read with_text)
  std::string params_json; // {"name": value, ...} of --param overrides, "{}" when none
  int64_t rows_read = 0, rows_scored = 0, rows_rejected = 0;
  std::string recorded_at;  // UTC, ISO 8601
};

// One account's record in a snapshot. Measure arrays are in CardNames::measures order.
struct AccountRecord {
  std::string key;
  int64_t row = 0;            // 0-based order of the account among the run's scored rows
  int32_t segment = 0;        // into CardNames::segments
  int32_t weighted = -1;      // the rounded weighted score before overrides, -1: unscored
  int32_t score = -1;         // the final score, -1: unscored
  int32_t band = 0;           // into CardNames::bands
  int32_t label = -1;         // -1: no label
  int32_t override_ = -1;     // -1: none
  uint64_t alerts_active = 0, alerts_fired = 0, stale = 0;
  std::vector<double> m_value, m_score, m_weight;  // NaN where missing (weight: not in the model or unscored)
};

// A whole snapshot, read back (healthc changes; the previous snapshot of a run).
struct Snapshot {
  SnapshotInfo info;
  CardNames names;
  std::vector<AccountRecord> accounts;  // in row order
};

// One account across every snapshot of a title (healthc history), oldest first.
struct AccountHistoryEntry {
  SnapshotInfo info;  // without text
  const CardNames* names = nullptr;  // owned by the AccountHistory
  AccountRecord record;
};
struct AccountHistory {
  std::vector<std::unique_ptr<CardNames>> names;  // one per card version met
  std::vector<AccountHistoryEntry> entries;
};

// Writes one snapshot, account blocks as the run scores them, in one transaction. Nothing is
// visible to readers until commit(); destroying an uncommitted writer (an error, an exception)
// rolls back, and a killed process leaves the store as before (SQLite's journal).
class SnapshotWriter {
 public:
  virtual ~SnapshotWriter() = default;
  virtual void add(const AccountRecord& account) = 0;
  // The run's roll-ups (spec "Roll-ups": recorded with each snapshot), once, before commit().
  // Their score_change is the store's to set: commit() computes it against the previous snapshot.
  virtual void add_rollups(const std::vector<analysis::RollupTable>& tables) = 0;
  // Sets the counts, replaces an existing snapshot of the same title and as-of date, commits.
  virtual void commit(int64_t rows_read, int64_t rows_scored, int64_t rows_rejected) = 0;
};

class Store {
 public:
  enum class Mode { ReadWrite, ReadOnly };
  // Opens the store at `path` (ReadWrite creates it when absent). An older schema is migrated
  // in place by a ReadWrite open and read as it is by a ReadOnly one (what later versions add,
  // the roll-ups, reads as absent); a newer one is refused: StoreError naming both versions.
  static std::unique_ptr<Store> open(const std::string& path, Mode mode);
  virtual ~Store() = default;

  virtual std::vector<std::string> titles() const = 0;
  // Every snapshot of `title`, oldest as-of first (without card text).
  virtual std::vector<SnapshotInfo> snapshots(const std::string& title) const = 0;
  // The latest snapshot of `title` whose as-of date is at or before `at_most_days` and before
  // `before_days` (the previous snapshot: at_most = before - 1).
  virtual std::optional<SnapshotInfo> latest(const std::string& title, int32_t at_most_days,
                                             int32_t before_days) const = 0;
  virtual Snapshot read(int64_t snapshot_id, bool with_text = false) const = 0;
  virtual AccountHistory account_history(const std::string& title, const std::string& key) const = 0;
  // The roll-ups recorded with a snapshot, in the card's order (empty for a snapshot of a card
  // without roll-ups, one written before roll-ups were recorded, or a version-1 store).
  // score_change is the store's, against the previous snapshot as the store holds it now
  // (SnapshotWriter::commit keeps the next later snapshot's up to date).
  virtual std::vector<analysis::RollupTable> rollups(int64_t snapshot_id) const = 0;

  // Holds one read transaction while it lives, so several reads see one committed state
  // (nothing when this Store holds the write lock: its reads are consistent already).
  class Reading {
   public:
    virtual ~Reading() = default;
  };
  virtual std::unique_ptr<Reading> read_transaction() const = 0;
  // The store's generation: every committed snapshot adds one (0 for a store written before it
  // was counted). Two reads on different connections saw the same store when the generations
  // their transactions read are equal.
  virtual int64_t generation() const = 0;

  // Takes the store's write lock now, waiting up to `wait_seconds` for another writer
  // (`on_wait` is called once if it has to wait); held until the next snapshot of this Store
  // commits or is abandoned, so what a run reads of the past cannot change before it writes.
  // Does nothing when this Store holds it already. StoreError when the wait times out.
  virtual void lock_for_writing(int wait_seconds, const std::function<void()>& on_wait = {}) = 0;

  // Starts writing the snapshot (title, as_of) of a card: `text` is the card's source. Takes
  // the write lock (kDefaultWaitSeconds) unless lock_for_writing did. One writer at a time; while it is open, this Store is used only through it (other Store
  // objects on the same file, in this process or another, read the last committed state).
  virtual std::unique_ptr<SnapshotWriter> begin_snapshot(const std::string& title, const std::string& as_of,
                                                         const std::string& card_text, const CardNames& names,
                                                         const std::string& params_json) = 0;
};

// The first figure of a roll-up out of a double's range (a weight sum past 1.8e308), as a message
// naming the roll-up, the group and the band or measure; empty when there is none. Such a
// roll-up is never recorded (add_rollups refuses it); a reader of a store written before that
// reports it rather than print inf.
std::string rollup_out_of_range(const analysis::RollupTable& table);

// The card hash a snapshot records (SnapshotInfo::card_hash): sha-256 of the text, hex.
std::string card_hash(std::string_view text);

// YYYY-MM-DD of a day count since 1970-01-01 (the store's as-of text).
std::string date_text(int32_t days);

// How long a writer waits for another one's write lock by default: a nightly run may wait for
// another card's run sharing the store.
inline constexpr int kDefaultWaitSeconds = 600;

// The page size of a store this build creates (an existing store keeps its own).
inline constexpr int kNewStorePageSize = 16384;

// The schema version this build writes; stores of an older version are migrated on open.
inline constexpr int kSchemaVersion = 3;

}  // namespace healthc::history
