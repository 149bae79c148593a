// The store's schema: the version-1 to version-3 tables, the migration steps from older versions, and the
// name-based SQL views for BI tools (docs/store.md). Internal to runtime/history/.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "runtime/history/sqlite_db.h"

namespace healthc::history {

// One step of the schema's history: brings a store from version `from` to `from + 1`. Version
// 0 is an empty file; its step creates the version-1 tables.
struct Migration {
  int from = 0;
  void (*apply)(Db& db);
};

// The steps this build knows, in order (kSchemaVersion of them).
std::span<const Migration> migrations();

// Brings `db` to the last of `steps`' versions in one transaction per step (PRAGMA
// user_version and the meta row `schema_version` move together). A store of a version newer
// than the steps know is refused (StoreError naming both versions); a file with tables but no
// version is not a store. Returns the version the store had.
int migrate(Db& db, std::span<const Migration> steps);

// The result table stores each measure's value and score in positional columns m<i>_value,
// m<i>_score; a card with more measures than any before adds columns (and the views that read
// them are rebuilt). Call inside a write transaction.
int measure_columns(Db& db);

// From version 3, result's rowid is snapshot_id * kResultSnapshotStride + account_id (an
// account id past kResultAccountMask is refused); versions 1 and 2 have the two columns.
inline constexpr int64_t kResultSnapshotStride = int64_t{1} << 32;
inline constexpr int64_t kResultAccountMask = kResultSnapshotStride - 1;
bool keyed_results(const Db& db);
// SQL over result's alias `r` for the layout `db` has (read it inside the transaction that
// reads the rows: a reader of an older store may see it migrated between two). `snapshot`
// and `account` are SQL expressions, usually parameters.
struct ResultKey {
  explicit ResultKey(const Db& db);
  bool keyed = false;
  std::string snapshot_id(std::string_view r) const;
  std::string account_id(std::string_view r) const;
  // A range of the key (version 3) or of the primary key's first column: both are searches.
  std::string in_snapshot(std::string_view r, std::string_view snapshot) const;
  std::string at(std::string_view r, std::string_view snapshot, std::string_view account) const;
};
// The meta row `generation` (Store::generation), read in the connection's current transaction;
// bump_generation adds one, inside a write transaction.
int64_t read_generation(Db& db);
void bump_generation(Db& db);
void ensure_measure_columns(Db& db, int count);
void create_views(Db& db, int measure_columns);

}  // namespace healthc::history
