// Generated scorecards of a chosen size, for measuring how scoring and compiling scale with
// the number of measures. Deterministic: the same size always gives the same card.
#pragma once

#include <string>

namespace healthc::bench {

// A card with `measures` measures over numeric fields (a quarter of them optional): linear,
// ranges and plain-expression scorings in turn; a default model of weighted groups, a
// second model, 2 segments, 2 overrides, 3 labels. Field values are meant to lie in [0, 100).
std::string generate_card(int measures);

}  // namespace healthc::bench
