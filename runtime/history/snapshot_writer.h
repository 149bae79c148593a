// The SQLite snapshot writer behind Store::begin_snapshot (internal to runtime/history/).
#pragma once

#include <memory>
#include <string>

#include "runtime/history/sqlite_db.h"
#include "runtime/history/store.h"

namespace healthc::history {

// Begins the transaction of one snapshot on `db` (see SnapshotWriter). Throws StoreError.
std::unique_ptr<SnapshotWriter> make_writer(Db& db, const std::string& title, const std::string& as_of,
                                            const std::string& card_text, const CardNames& names,
                                            const std::string& params_json);
const char* severity_name(ir::Severity s);

}  // namespace healthc::history
