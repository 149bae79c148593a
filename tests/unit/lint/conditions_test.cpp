// The interval / member-set domain the reachability rules reason in: what it proves, and
// that it stays silent (no "never", no "covers") wherever it cannot tell.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "compiler/frontend.h"
#include "compiler/lint/conditions.h"

namespace healthc::lint {
namespace {

// A card whose labels carry the conditions under test, in order.
class Card {
 public:
  explicit Card(const std::vector<std::string>& conditions) {
    std::string text = R"(scorecard "T"
fields { id : text key  x : number  nps : number optional  t : enum(a, b, c)  flag : bool
         pulse : enum(red, green) optional }
param p = 3
bands { low from 0 color red  high from 50 color green }
measure m { value = x  score = value }
model default { m 1 }
segment s1 when t == a use default
segment s2 when t == b use default
)";
    for (size_t i = 0; i < conditions.size(); ++i) text += fmt::format("label l{} when {}\n", i, conditions[i]);
    result_ = run_frontend_text("t.health", text);
  }
  bool ok() const { return result_.ok(); }
  ConditionDomain domain() const { return ConditionDomain(result_.card); }
  Region truth(size_t i) const { return domain().when_true(*result_.card.labels[i].condition); }
  Region falsity(size_t i) const { return domain().when_false(*result_.card.labels[i].condition); }

 private:
  FrontendResult result_;
};

bool never(const std::string& condition) {
  Card c({condition});
  EXPECT_TRUE(c.ok()) << condition;
  return c.domain().never_true(c.truth(0));
}

// Does condition `wide` hold wherever `narrow` does?
bool covers(const std::string& wide, const std::string& narrow) {
  Card c({wide, narrow});
  EXPECT_TRUE(c.ok()) << wide << " / " << narrow;
  return c.domain().covers(c.truth(0), c.truth(1));
}

TEST(Interval, OpenAndClosedEndsDecideEmptiness) {
  const Interval below5{-kInfinity, 5, true, true}, from5{5, kInfinity, false, true};
  EXPECT_TRUE(below5.meet(from5).empty());
  const Interval upto5{-kInfinity, 5, true, false};
  EXPECT_FALSE(upto5.meet(from5).empty());  // exactly 5
}

TEST(Interval, IntegralIntervalsHoldWholeNumbersOnly) {
  const Interval over99{99, kInfinity, true, true, true}, under100{-kInfinity, 100, true, true, true};
  EXPECT_TRUE(over99.meet(under100).empty());
  const Interval closed = Interval{99.5, 100.5, false, false, true}.normalised();
  EXPECT_EQ(closed.lo, 100);
  EXPECT_EQ(closed.hi, 100);
}

TEST(Interval, ContainsComparesEnds) {
  const Interval wide = Interval::closed(0, 10), narrow = Interval::closed(2, 3);
  EXPECT_TRUE(wide.contains(narrow));
  EXPECT_FALSE(narrow.contains(wide));
  EXPECT_FALSE((Interval{0, 10, true, false}).contains(Interval::closed(0, 10)));  // 0 itself
}

TEST(VarSet, MissingIsItsOwnValue) {
  VarSet present_or_missing{true, Interval::all(), {}, true};
  VarSet present{true, Interval::all(), {}, false};
  EXPECT_TRUE(present_or_missing.contains(present));
  EXPECT_FALSE(present.contains(present_or_missing));
}

TEST(Conditions, ContradictionsNeverHold) {
  EXPECT_TRUE(never("x > 5 and x < 3"));
  EXPECT_TRUE(never("x >= 5 and x < 5"));
  EXPECT_TRUE(never("t == a and t == b"));
  EXPECT_TRUE(never("t in [a, b] and t == c"));
  EXPECT_TRUE(never("score > 80 and score < 50"));
  EXPECT_TRUE(never("score > 99 and score < 100"));  // the score is a whole number
  EXPECT_TRUE(never("score > 100"));
  EXPECT_TRUE(never("x is missing"));  // x is required
  EXPECT_TRUE(never("nps is missing and nps > 3"));
  EXPECT_TRUE(never("false"));
}

TEST(Conditions, PossibleConditionsAreNotNever) {
  EXPECT_FALSE(never("x > 5 or x < 3"));
  EXPECT_FALSE(never("x <= 5 and x >= 5"));
  EXPECT_FALSE(never("score > 99 and score <= 100"));
  EXPECT_FALSE(never("nps is missing"));
  EXPECT_FALSE(never("x != 5 and x > 4 and x < 6"));
  EXPECT_FALSE(never("band == low or segment == default"));
}

TEST(Conditions, NotSwapsTrueAndFalse) {
  EXPECT_TRUE(never("not (x < 5) and x < 3"));
  EXPECT_TRUE(never("not (t in [a, b]) and t == a"));
  EXPECT_TRUE(never("not (x > 1 or x < -1) and x > 2"));  // De Morgan
  EXPECT_FALSE(never("not (x > 1 and x < -1)"));
}

TEST(Conditions, ComparisonWithMissingIsNeitherTrueNorFalse) {
  // Three-valued logic: for an account without nps, `nps < 0` and `not (nps < 0)` are both
  // unknown, so neither holds.
  EXPECT_TRUE(never("not (nps < 0) and nps is missing"));
  EXPECT_TRUE(never("nps < 0 and nps is missing"));
  EXPECT_FALSE(covers("nps < 0 or not (nps < 0)", "x > 1"));
  EXPECT_TRUE(covers("nps < 0 or not (nps < 0) or nps is missing", "x > 1"));
}

TEST(Conditions, NarrowerConditionsAreCovered) {
  EXPECT_TRUE(covers("x > 5", "x > 10"));
  EXPECT_TRUE(covers("x > 5", "x > 10 and t == a"));
  EXPECT_TRUE(covers("t in [a, b]", "t == a"));
  EXPECT_TRUE(covers("score >= 50", "score >= 80 and x < 2"));
  EXPECT_TRUE(covers("x < 0 or x > 10", "x > 20"));
  EXPECT_TRUE(covers("t in [a, b, c]", "x > 1"));  // t is required: always one of its members
  EXPECT_TRUE(covers("flag", "flag and x > 1"));
  EXPECT_TRUE(covers("score >= 80", "score > 79.5"));  // whole numbers
}

TEST(Conditions, WiderOrUnrelatedConditionsAreNotCovered) {
  EXPECT_FALSE(covers("x > 10", "x > 5"));
  EXPECT_FALSE(covers("x > 5 and t == a", "x > 10"));  // t may be b
  EXPECT_FALSE(covers("nps < 0", "x > 1"));
  EXPECT_FALSE(covers("pulse in [red, green]", "x > 1"));  // pulse may be missing
  EXPECT_FALSE(covers("x >= 5", "x >= 4.5"));
}

TEST(Conditions, UnknownPartsNeverProveCoverage) {
  // A param may be set to anything from the command line: `x > p` is not read.
  EXPECT_FALSE(covers("x > p", "x > 100"));
  EXPECT_FALSE(never("x > p and x < p"));
  // An unknown part of the narrow side only makes it narrower: still covered.
  EXPECT_TRUE(covers("x > 3", "x > 5 and x > p"));
  EXPECT_TRUE(covers("x > 3", "x > 5 and m.value > nps"));
  // And a contradiction in the readable part is still a contradiction.
  EXPECT_TRUE(never("x > 5 and x < 3 and x > p"));
}

TEST(Conditions, CategoriesIncludeTheirImplicitMember) {
  // `band` may be `unscored` and `segment` may be `default`.
  EXPECT_FALSE(covers("band in [low, high]", "x > 1"));
  EXPECT_FALSE(covers("segment in [s1, s2]", "x > 1"));
  EXPECT_TRUE(covers("segment in [s1, s2, default]", "x > 1"));
}

TEST(Conditions, SegmentListsMeetConditions) {
  Card c({"x > 5", "x > 10"});
  ASSERT_TRUE(c.ok());
  const ConditionDomain d = c.domain();
  const Region everywhere = d.meet(d.segment_in({}), c.truth(0));
  const Region only_s1 = d.meet(d.segment_in({0}), c.truth(1));
  const Region only_default = d.meet(d.segment_in({-1}), c.truth(1));
  EXPECT_TRUE(d.covers(everywhere, only_s1));
  EXPECT_FALSE(d.covers(d.meet(d.segment_in({0}), c.truth(0)), d.meet(d.segment_in({}), c.truth(1))));
  EXPECT_TRUE(d.never_true(d.meet(only_s1, only_default)));
}

TEST(Conditions, OrJoinsIntoOneSetWhereItCan) {
  EXPECT_TRUE(covers("x < 5 or x >= 5", "x > 1"));
  EXPECT_TRUE(covers("x <= 5 or (x > 5 and x < 10) or x >= 10", "x > 1"));
  EXPECT_FALSE(covers("x < 5 or x > 5", "x > 1"));  // not 5 itself
  EXPECT_TRUE(covers("score <= 79 or score >= 80 or score is missing", "x > 1"));  // whole numbers
  EXPECT_TRUE(covers("t == a or t == b or t == c", "x > 1"));
  EXPECT_TRUE(covers("(t == a and x > 1) or (t == b and x > 1)", "t in [a, b] and x > 2"));
  EXPECT_FALSE(covers("(t == a and x > 1) or (t == b and x > 3)", "t in [a, b] and x > 2"));
}

TEST(Conditions, WhenFalseIsTheComplementAmongPresentValues) {
  Card c({"x < 5", "nps < 0"});
  ASSERT_TRUE(c.ok());
  const ConditionDomain d = c.domain();
  EXPECT_TRUE(d.never_true(d.meet(c.truth(0), c.falsity(0))));
  EXPECT_TRUE(d.covers(d.join(c.truth(0), c.falsity(0)), Region::anything(true)));  // x is required
  EXPECT_FALSE(d.covers(d.join(c.truth(1), c.falsity(1)), Region::anything(true)));  // nps may be missing
}

TEST(Conditions, ManyDisjunctsWidenInsteadOfGrowing) {
  std::string big;
  for (int i = 0; i < 12; ++i) big += fmt::format("{}(x == {} or nps > {})", i ? " and " : "", i, i);
  Card c({big});
  ASSERT_TRUE(c.ok());
  const Region r = c.truth(0);
  EXPECT_LE(r.boxes.size(), ConditionDomain::kMaxBoxes);
  EXPECT_FALSE(c.domain().never_true(r));
}

}  // namespace
}  // namespace healthc::lint
