// The scores a card can produce, over-approximated: each measure's score interval, and the
// integer scores an account can end with. Sound in one direction only: a score outside the
// range cannot happen; a score inside may or may not.
#pragma once

#include <cstdint>

#include "compiler/ast/ast.h"
#include "compiler/check/check.h"

namespace healthc::lint {

struct ScoreRange {
  double lo = 0, hi = 100;  // closed
  bool holds(double from, double to) const { return from <= hi && to >= lo; }
};

// The scores measure `m` can give (its scoring clamped to 0-100, and its `missing = N`).
ScoreRange measure_score_range(const ast::Scorecard& card, int32_t m);
// The integer scores an account can end with: every model accounts are scored with, then
// every override's action.
ScoreRange reachable_scores(const ast::Scorecard& card, const check::CheckedScorecard& checked);
// The integer scores band `b` holds.
ScoreRange band_scores(const ast::Scorecard& card, size_t b);

}  // namespace healthc::lint
