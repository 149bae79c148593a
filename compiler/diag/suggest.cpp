// The typo distance behind "did you mean" (suggest.h): edits over bytes, a swap of two
// neighbours counting as one (`hihg` is one from `high`); ties go to the first candidate, so a
// suggestion is the same on every run.
#include "compiler/diag/suggest.h"

#include <algorithm>

namespace healthc {
namespace {

// The optimal-string-alignment distance, over three rows.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], before[j - 2] + 1);
    }
    before.swap(prev);
    prev.swap(row);
  }
  return prev[b.size()];
}

}  // namespace

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string best = nearest_name(word, candidates);
  return best.empty() ? std::string() : "; did you mean `" + best + "`";
}

std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates) {
  // Names are short; a long word is no typo of a keyword and would only cost time.
  if (word.empty() || word.size() > 64) return {};
  const std::string* best = nullptr;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    if (c == word || c.size() > 64) continue;
    const size_t d = edit_distance(word, c);
    const size_t limit = std::max<size_t>(1, std::max(word.size(), c.size()) / 3);
    // Something must be kept: `x` is no typo of `m`.
    if (d > limit || d >= std::max(word.size(), c.size()) || (best && d >= best_distance)) continue;
    best = &c;
    best_distance = d;
  }
  return best ? *best : std::string();
}

}  // namespace healthc
