// The past in SQL: what a card reads of its history (`previous.*`, `change(X, N days)`, the
// alerts active in the previous snapshot) as joins on a history table, one row per snapshot and
// account with names, not ids (docs/scale-out.md "Reading the past"). history_export (sql.h),
// the SQLite query that exports that table from a healthc store's views, is in past.cpp too.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/sql/dialect.h"
#include "compiler/sql/sql.h"

namespace healthc::sql {

// One snapshot the card reads, joined on the key: `subquery` selects that snapshot's rows of
// the history table with the key as `key_column` and one column per read (`columns`), each in
// the IR's encoding (numbers; segments, bands, labels, overrides and enum members as this card's
// indexes by name); an account not in the snapshot reads NULL in every column.
struct PastJoin {
  std::string name;                  // the stage: past_previous, past_28d ...
  std::string comment;
  std::string subquery;
  std::string key_column;            // the subquery's key column
  std::vector<std::string> columns;  // in the order they are selected
};

// The joins for `program`'s history inputs (and, where it has alerts, the previous snapshot's
// active alerts), reading `options.history`; none for a card that reads no past.
std::vector<PastJoin> past_joins(const ir::Program& program, const Options& options, const Spelling& sp);

// The column that holds history input `index` (Program::history), as named in past_joins.
std::string history_column(const ir::Program& program, size_t index);
// The column that holds whether alert `index` was active for the account in the previous snapshot
// (1, 0; NULL where the account was not in it).
std::string previous_alert_column(const ir::Program& program, size_t index);

}  // namespace healthc::sql
