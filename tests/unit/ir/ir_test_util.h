// Helpers for the IR tests: the example cards and random generated cards, lowered.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/common/card_generator.h"
#include "tests/unit/jit/engine_fixture.h"

namespace healthc::testing {

inline std::vector<std::string> example_cards() {
  return {"b2b_saas", "lifecycle", "fintech_platform"};
}

inline std::string read_example(const std::string& name) {
  std::ifstream in(std::string(HEALTHC_SOURCE_DIR) + "/examples/" + name + ".health");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline ir::Program lower_example(const std::string& name) { return lower_text(read_example(name)); }

// A small card that uses every part of a Program: text and enum fields, groups, two models,
// segments, every override action with a `for` list, labels with `otherwise`.
inline constexpr const char* kEveryPartCard = R"(scorecard "every part"
fields { id : text key  plan : text optional  other : text optional  a : number optional
         b : number optional  e : enum(x, y) optional  d : date optional }
param p = 3
bands { red from 0 color red  mid from 40 color yellow  top from 70 color green }
measure m0 "First" { value = a * p  score = linear(value, 0 -> 0, 10 -> 100) }
measure m1 { value = e  score = match value { x -> 80, y -> 20 } }
measure m2 subjective { score = match plan { "gold" -> 90, _ -> 40 }  missing = 50 }
measure m3 { value = days_since(d)  score = ranges(value) { ..30 -> 100  30.. -> 20 } }
model default { group g 2 { m0 1  m1 1 }  m2 1 }
model alt { m0 1  m3 3 }
segment big when b > 100 use alt
segment same when plan == other use default
override o1 for big, default when a < 0 => score 5
override o2 when b > 1000 => band top
override o3 when score > 90 => cap 90
label watch when band == red
label fine otherwise
)";

}  // namespace healthc::testing
