// The SQLite snapshot writer behind Store::begin_snapshot (internal to runtime/history/).
#pragma once

#include <memory>
#include <string>

#include "compiler/ir/conventions.h"
#include "runtime/history/sqlite_db.h"
#include "runtime/history/store.h"

namespace healthc::history {

// The snapshot of one card on `db`, whose write transaction (BEGIN IMMEDIATE) the caller has
// begun: the writer commits it or rolls it back, also when this throws (StoreError). `token`
// is held while the writer lives.
std::unique_ptr<SnapshotWriter> make_writer(Db& db, const std::string& title, const std::string& as_of,
                                            const std::string& card_text, const CardNames& names,
                                            const std::string& params_json, std::shared_ptr<int> token);

// The most measures a card may have for the store to record it: the result table holds two
// columns a measure beside its fixed ones, within SQLite's column limit.
int max_measures(const Db& db);
using ir::severity_name;  // compiler/ir/conventions.h

}  // namespace healthc::history
