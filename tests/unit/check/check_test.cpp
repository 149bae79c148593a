// The checker: resolution, `extends`, and the rules that are not covered by golden files.
#include <gtest/gtest.h>

#include "compiler/frontend.h"

namespace healthc {
namespace {

const char* kBase = R"(scorecard "T"
fields { id : text key  x : number  t : enum(a, b) }
bands { low from 0 color red }
measure m1 { value = x  score = value }
measure m2 { score = match t { a -> 100, b -> 0 } }
measure m3 { score = 50 }
model default { group g 60 { m1 50  m2 50 } m3 40 }
model child extends default { m2 10  drop m3  group g { m3 30 }  group h 5 { m3x 1 } }
)";

TEST(Check, ExtendsSetsMergesDropsAndAdds) {
  std::string text = std::string(kBase);
  text.replace(text.find("group h 5 { m3x 1 }"), 19, "");
  FrontendResult r = run_frontend_text("t.health", text);
  ASSERT_TRUE(r.ok()) << r.diags.items().front().message;
  const check::WeightTree& child = r.checked.checked.models[1];
  ASSERT_EQ(child.roots.size(), 1u);  // m3 dropped from the top
  const check::WeightNode& g = child.roots[0];
  ASSERT_EQ(g.children.size(), 3u);   // m1, m2, and m3 added to g
  EXPECT_EQ(g.children[1].name, "m2");
  EXPECT_DOUBLE_EQ(g.children[1].weight, 10);
  EXPECT_EQ(g.children[2].name, "m3");
  EXPECT_DOUBLE_EQ(g.children[2].weight, 30);
  // The base is untouched.
  EXPECT_EQ(r.checked.checked.models[0].roots.size(), 2u);
}

TEST(Check, EnumMemberNamesMayShadowOtherNames) {
  // `a` is a member of t and also a measure name elsewhere: beside t it is the member.
  const char* text = R"(scorecard "T"
fields { id : text key  t : enum(a, b) }
bands { low from 0 color red }
measure a { score = 1 }
model default { a 1 }
segment s when t == a use default
)";
  FrontendResult r = run_frontend_text("t.health", text);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.card.segments[0].condition->args[1]->resolved.kind, ast::Resolution::EnumMember);
}

TEST(Check, MeasuresAreOrderedAfterWhatTheyRead) {
  const char* text = R"(scorecard "T"
fields { id : text key  x : number }
bands { low from 0 color red }
measure late { value = early.value * 2  score = value }
measure early { value = x  score = value }
model default { late 1  early 1 }
)";
  FrontendResult r = run_frontend_text("t.health", text);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.checked.checked.measure_order, (std::vector<int32_t>{1, 0}));
}

// A card of `n` measures where m<i> reads m<i+1>'s value and the last reads `last_value`.
std::string chain_card(int n, const std::string& last_value) {
  std::string text = "scorecard \"chain\"\nfields { id : text key  x : number }\nbands { low from 0 color red }\n";
  for (int i = 0; i < n; ++i) {
    const std::string value = i + 1 < n ? "m" + std::to_string(i + 1) + ".value + 1" : last_value;
    text += "measure m" + std::to_string(i) + " { value = " + value + "  score = clamp(value, 0, 100) }\n";
  }
  return text + "model default { m0 1 }\n";
}

TEST(Check, LongMeasureChainChecksWithoutDeepRecursion) {
  // 20,000 measures each reading the next: the recursive checker overflowed the stack from
  // about 4,000. The order is still "after what it reads": the end of the chain first.
  constexpr int kLength = 20000;
  FrontendResult r = run_frontend_text("chain.health", chain_card(kLength, "x"));
  ASSERT_TRUE(r.ok());
  const std::vector<int32_t>& order = r.checked.checked.measure_order;
  ASSERT_EQ(order.size(), static_cast<size_t>(kLength));
  EXPECT_EQ(order.front(), kLength - 1);
  EXPECT_EQ(order.back(), 0);
}

TEST(Check, CycleAtTheEndOfALongChainIsReportedOnce) {
  FrontendResult r = run_frontend_text("chain.health", chain_card(20000, "m0.score"));
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diags.items().size(), 1u);
  EXPECT_EQ(r.diags.items()[0].message, "measure `m0` depends on itself");
}

TEST(Check, DiagnosticsComeOutSortedByPosition) {
  FrontendResult r = run_frontend_text("t.health", kBase);
  for (size_t i = 1; i < r.diags.items().size(); ++i)
    EXPECT_LE(r.diags.items()[i - 1].range.begin, r.diags.items()[i].range.begin);
}

}  // namespace
}  // namespace healthc
