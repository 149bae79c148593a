// The generated benchmark cards: shaped like a real card (groups, segments, overrides,
// labels, optional fields), only longer.
#include "bench/card_generator.h"

#include <algorithm>
#include <random>

namespace healthc::bench {

namespace {

constexpr int kGroupSize = 8;  // measures per group of the default model

int field_count(int measures) { return std::clamp(measures / 2, 6, 100); }

}  // namespace

std::string generate_card(int measures) {
  std::mt19937 rng(static_cast<unsigned>(measures) * 7919u + 1u);
  const int fields = field_count(measures);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto field = [&] {
    std::string name = "f";  // built in two steps: GCC 12's -Wrestrict misfires on "f" + string
    name += std::to_string(pick(0, fields - 1));
    return name;
  };

  std::string s = "scorecard \"Generated, " + std::to_string(measures) + " measures\"\n\nfields {\n";
  s += "  account_id : text key\n";
  for (int f = 0; f < fields; ++f) s += "  f" + std::to_string(f) + " : number" + (f % 4 == 3 ? " optional" : "") + "\n";
  s += "}\n\nparam low_cut = 2\n\n";
  s += "bands {\n  low  from 0  color red\n  mid  from 40 color yellow\n  high from 70 color green\n}\n\n";

  for (int m = 0; m < measures; ++m) {
    s += "measure m" + std::to_string(m) + " {\n";
    switch (m % 3) {
      case 0:  // a ratio of two fields, scored piecewise-linearly
        s += "  value = " + field() + " / (" + field() + " + 1)\n";
        s += "  score = linear(value, 0 -> 0, 1 -> 50, 5 -> 100)\n";
        break;
      case 1: {  // a field, scored by ranges
        const int lo = pick(10, 40), hi = lo + pick(10, 40);
        s += "  value = " + field() + "\n";
        s += "  score = ranges(value) {\n    .." + std::to_string(lo) + " -> 20\n    " + std::to_string(lo) + ".." +
             std::to_string(hi) + " -> 60\n    " + std::to_string(hi) + ".. -> 100\n  }\n";
        break;
      }
      default:  // a plain expression over three fields
        s += "  score = clamp(" + field() + " * 0.6 + " + field() + " * 0.4 - " + field() + " * 0.1, 0, 100)\n";
    }
    if (m % 5 == 4) s += "  missing = 50\n";
    s += "}\n";
  }

  // Default model: groups of kGroupSize measures; a short last chunk sits at the root.
  s += "\nmodel default {\n";
  int groups = 0;
  for (int m = 0; m < measures; m += kGroupSize) {
    const int end = std::min(measures, m + kGroupSize);
    const bool group = end - m == kGroupSize || m == 0;
    if (group) s += "  group g" + std::to_string(groups++) + " " + std::to_string(pick(5, 40)) + " {\n";
    for (int k = m; k < end; ++k) s += std::string(group ? "    " : "  ") + "m" + std::to_string(k) + " " + std::to_string(pick(1, 9)) + "\n";
    if (group) s += "  }\n";
  }
  s += "}\n\n";
  // A second model: the default one without its first group when there are several, else
  // with the first measure reweighted.
  s += "model lean extends default {\n";
  s += groups > 1 ? "  drop g0\n" : "  m0 20\n";
  s += "}\n\n";

  s += "segment early  when f0 < 15 use lean\n";
  s += "segment strong when f1 >= 85 and f2 < 50 use default\n\n";
  s += "override floor_hit when f4 < low_cut => cap 40\n";
  s += "override weak_first for strong when m0.score < 10 => band low\n\n";
  s += "label top  when score >= 80 and m0.score >= 50\n";
  s += "label keep when score >= 50\n";
  s += "label rest otherwise\n";
  return s;
}

}  // namespace healthc::bench
