// What the columnar call checks of the caller's columns before any row is scored: what the
// readers guarantee of every row they accept (a required field present, a value inside its
// type). A quick pass answers "all good" for a clean column; the exact per-row pass runs
// only when it cannot.
#pragma once

#include <healthc/healthc.h>

#include <cstddef>
#include <cstdint>

#include "compiler/ir/ir.h"

namespace healthc::api {

// True when rows [begin, end) of the column surely hold no bad row (the quick pass; a NaN in a
// missing row makes it say false, and the exact pass then finds the row missing, not bad).
bool column_surely_clean(const ir::Field& field, const hc_column& column, const uint8_t* valid, size_t begin,
                         size_t end);

// The exact pass: sets status[r - begin] for each bad row of [begin, end) that has no status
// yet (HC_ROW_MISSING_REQUIRED or HC_ROW_INVALID_VALUE); true when it found any.
bool mark_bad_rows(const ir::Field& field, const hc_column& column, const uint8_t* valid, size_t begin, size_t end,
                   uint8_t* status);

}  // namespace healthc::api
