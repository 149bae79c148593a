// `healthc alerts`: the alerts that fired in one snapshot, in the spec's order (severity,
// critical first; then the alert's position in the file; then the account's row order), each
// with the account's previous snapshot record where it had one.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "compiler/ir/conventions.h"
#include "compiler/ir/ir.h"
#include "runtime/history/store.h"

namespace healthc::analysis {

struct FiredAlert {
  int32_t alert = 0;            // into the snapshot's CardNames::alerts
  uint32_t account = 0;         // into the snapshot's accounts
  int64_t previous = -1;        // into the previous snapshot's accounts, -1: not there
};

// `previous` is the snapshot before `snapshot` (null when there is none). Keeps alerts of
// severity `at_least` and above.
std::vector<FiredAlert> fired_alerts(const history::Snapshot& snapshot, const history::Snapshot* previous,
                                     ir::Severity at_least);

using ir::parse_severity;  // compiler/ir/conventions.h
using ir::severity_name;

}  // namespace healthc::analysis
