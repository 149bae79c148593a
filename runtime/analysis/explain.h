// How one account's score comes about, as text: what `healthc explain` prints and `healthc test`
// shows under a failing case.
#pragma once

#include <cstddef>
#include <string>

#include "runtime/scorecard.h"

namespace healthc::analysis {

// The breakdown of row `row` of `scores`, which must hold detail (Scorecard::score with detail).
std::string explain_row(const ir::Program& p, const BlockScores& scores, size_t row, const std::string& key);

}  // namespace healthc::analysis
