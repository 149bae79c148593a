// "Did you mean": the nearest of a set of names to a misspelt one, for diagnostics that can
// suggest the fix.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace healthc {

// "; did you mean `x`" for the candidate nearest to `word` by edit distance, when it is close
// enough to be a typo (at most a third of the longer name's length, and at least 1); else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// The candidate did_you_mean would name, or "" when none is close enough: for a fix-it.
std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace healthc
