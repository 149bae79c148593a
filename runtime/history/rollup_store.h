// The roll-ups recorded with a snapshot (schema version 2, docs/store.md "Roll-ups"): their
// tables' positional columns, writing, reading, removing, and the name-based views over them.
// Internal to runtime/history/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/analysis/rollup.h"
#include "runtime/history/sqlite_db.h"

namespace healthc::history {

// The positional columns rollup_group has now: k<i> (key cells), b<i>_accounts and
// b<i>_weight (bands), m<i>_score (measures).
struct RollupColumns {
  int keys = 0, bands = 0, measures = 0;
};
RollupColumns rollup_columns(Db& db);

// Whether the store has the roll-up tables (version 2 on; a version-1 store read read-only has not).
bool has_rollup_tables(Db& db);

// Checks a run's roll-ups before they are written (shapes agree, within SQLite's column limit);
// throws StoreError naming the roll-up.
void check_rollups(const Db& db, const std::vector<analysis::RollupTable>& tables);

// Inserts `tables` as the roll-ups of `snapshot_id`, adding columns (and rebuilding the views)
// when a roll-up has more key cells, bands or measures than any before. Call inside the
// snapshot's write transaction.
void write_rollups(Db& db, int64_t snapshot_id, const std::vector<analysis::RollupTable>& tables);

// Sets each of `now`'s score_change against the roll-up of the same name in `previous` (the
// previous snapshot's roll-ups; analysis::set_score_changes: the same by fields, keys equal).
void set_score_changes(std::vector<analysis::RollupTable>& now, const std::vector<analysis::RollupTable>& previous);

// The snapshot of `scorecard_id` just before (`later` false) or just after `as_of_days`; 0: none.
int64_t adjacent_snapshot(Db& db, int64_t scorecard_id, int32_t as_of_days, bool later);

// Recomputes the stored score_change of `snapshot_id`'s roll-ups against `previous` (the roll-ups
// of the snapshot now just before it), rewriting the groups whose change differs. Call inside the
// write transaction that changed the previous snapshot, so a stored change is never stale.
void restate_score_changes(Db& db, int64_t snapshot_id, const std::vector<analysis::RollupTable>& previous);

// Removes a snapshot's roll-ups (the snapshot is being replaced).
void delete_rollups(Db& db, int64_t snapshot_id);

// The roll-ups of `snapshot_id` in the card's order, groups in their sorted order; empty for a
// snapshot without any. score_change is against the previous snapshot as the store holds it.
std::vector<analysis::RollupTable> read_rollups(Db& db, int64_t snapshot_id);

// Recreates the roll-up views (rollup_groups, rollup_bands, rollup_measures) for `columns`;
// nothing when the store has no roll-up tables (a version-1 store being migrated).
void create_rollup_views(Db& db, const RollupColumns& columns);

}  // namespace healthc::history
