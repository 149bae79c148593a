// The spec's "Missing values" and "The account's score" rules, one test each, run on both
// engines with hand-computed expectations.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "compiler/api/compile.h"
#include "runtime/io/record_reader.h"

namespace healthc {
namespace {

constexpr const char* kFields = R"(scorecard "S"
fields { id : text key  a : number optional  b : number optional  e : enum(x, y) optional }
bands { red from 0 color red  mid from 40 color yellow  top from 70 color green }
)";

struct Row {
  int32_t segment, score, band, label, override_;
  double m0_score;
  bool m0_scored;
};

// Scores `csv` (header id,a,b,e) with `card_body` appended to the common fields, on `engine`.
std::vector<Row> score(const std::string& card_body, const std::string& csv, Engine engine) {
  CompileOptions opts;
  opts.engine = engine;
  CompileOutcome c = compile_scorecard_text("s.health", std::string(kFields) + card_body, opts);
  EXPECT_TRUE(c.scorecard) << (c.front && !c.front->diags.items().empty() ? c.front->diags.items()[0].message : c.error);
  if (!c.scorecard) return {};
  std::string data = "id,a,b,e\n" + csv;
  std::FILE* f = fmemopen(data.data(), data.size(), "r");
  auto reader = rt::make_reader(rt::DataFormat::Csv, f, c.scorecard->schema());
  EXPECT_EQ(reader->open(), "");
  rt::ColumnBlock block;
  block.reset(c.scorecard->schema());
  std::vector<rt::Reject> rejects;
  reader->next(block, rejects, 1000);
  std::fclose(f);
  EXPECT_TRUE(rejects.empty());
  BlockScores s;
  c.scorecard->score(block, 0, true, s);
  std::vector<Row> rows;
  for (size_t r = 0; r < block.rows; ++r)
    rows.push_back({s.segment[r], s.score[r], s.band[r], s.label[r], s.override_[r], s.m_score[r], s.m_score_valid[r] != 0});
  return rows;
}

class Semantics : public ::testing::TestWithParam<Engine> {};
INSTANTIATE_TEST_SUITE_P(BothEngines, Semantics, ::testing::Values(Engine::Jit, Engine::Evaluator));

TEST_P(Semantics, ArithmeticOnAMissingOperandIsMissing) {
  auto r = score("measure m { value = a + 1  score = value }\nmodel default { m 1 }\n", "1,,,\n2,5,,\n", GetParam());
  EXPECT_FALSE(r[0].m0_scored);
  EXPECT_EQ(r[0].score, -1);  // every measure unscored: the account is unscored
  EXPECT_EQ(r[0].band, 3);    // `unscored`
  EXPECT_DOUBLE_EQ(r[1].m0_score, 6);
}

TEST_P(Semantics, DivisionByZeroLogAndSqrtOutsideTheirDomainAreMissing) {
  const char* body = "measure m { value = a / b + log(a) + sqrt(b)  score = value }\nmodel default { m 1 }\n";
  auto r = score(body, "1,4,0,\n2,0,4,\n3,1,-1,\n4,1,4,\n", GetParam());
  EXPECT_FALSE(r[0].m0_scored);
  EXPECT_FALSE(r[1].m0_scored);
  EXPECT_FALSE(r[2].m0_scored);
  EXPECT_DOUBLE_EQ(r[3].m0_score, 0.25 + 0 + 2);
}

TEST_P(Semantics, PctChangeWithBeforeMissingOrZeroIsMissing) {
  const char* body = "measure m { value = pct_change(a, b)  score = value * 100 }\nmodel default { m 1 }\n";
  auto r = score(body, "1,5,,\n2,5,0,\n3,6,4,\n", GetParam());
  EXPECT_FALSE(r[0].m0_scored);
  EXPECT_FALSE(r[1].m0_scored);
  EXPECT_DOUBLE_EQ(r[2].m0_score, 50);
}

TEST_P(Semantics, CoalesceAndIsMissingSeeThroughMissing) {
  const char* body = "measure m { value = coalesce(a, b, 7)  score = if a is missing then value else 1 }\nmodel default { m 1 }\n";
  auto r = score(body, "1,,3,\n2,,,\n3,9,,\n", GetParam());
  EXPECT_DOUBLE_EQ(r[0].m0_score, 3);
  EXPECT_DOUBLE_EQ(r[1].m0_score, 7);
  EXPECT_DOUBLE_EQ(r[2].m0_score, 1);
}

TEST_P(Semantics, UnknownConditionsDoNotMatchAndFollowThreeValuedLogic) {
  // a > 1 is unknown when a is missing: `if` takes else; `or true` is true; `and false` false.
  const char* body = R"(measure m { score = if a > 1 then 10 else 20 }
measure n { score = if (a > 1 or b > 0) and not (a > 1 and b < 0) then 30 else 40 }
model default { m 1 }
segment s when n.score == 30 use default
)";
  auto r = score(body, "1,,1,\n2,,-1,\n", GetParam());
  EXPECT_DOUBLE_EQ(r[0].m0_score, 20);
  EXPECT_EQ(r[0].segment, 0);  // (unknown or true) and not (unknown and false) = true
  EXPECT_EQ(r[1].segment, 1);  // (unknown or false) = unknown: does not match -> default
}

TEST_P(Semantics, MissingEqualsGivesTheScoreAndScoresAreClamped) {
  const char* body = "measure m { value = a  score = value  missing = 35 }\nmodel default { m 1 }\n";
  auto r = score(body, "1,,,\n2,150,,\n3,-5,,\n", GetParam());
  EXPECT_EQ(r[0].score, 35);
  EXPECT_EQ(r[1].score, 100);
  EXPECT_EQ(r[2].score, 0);
}

TEST_P(Semantics, UnscoredChildWeightIsRedistributedInProportion) {
  // m1 unscored: m0 (w 20) and m2 (w 60) share: (20*10 + 60*90) / 80 = 70.
  const char* body = R"(measure m0 { score = 10 }
measure m1 { value = a  score = value }
measure m2 { score = 90 }
model default { m0 20  m1 20  m2 60 }
)";
  auto r = score(body, "1,,,\n2,50,,\n", GetParam());
  EXPECT_EQ(r[0].score, 70);
  EXPECT_EQ(r[1].score, 66);  // all scored: (20*10 + 20*50 + 60*90) / 100
}

TEST_P(Semantics, AGroupWithNoScoredChildIsUnscored) {
  const char* body = R"(measure m0 { value = a  score = value }
measure m1 { score = 80 }
model default { group g 50 { m0 1 }  m1 50 }
)";
  auto r = score(body, "1,,,\n2,20,,\n", GetParam());
  EXPECT_EQ(r[0].score, 80);
  EXPECT_EQ(r[1].score, 50);
}

TEST_P(Semantics, WeightedScoreRoundsHalfUp) {
  const char* body = "measure m0 { score = 50.5 }\nmeasure m1 { score = 60.49 }\nmodel default { m0 1 }\nmodel other { m1 1 }\nsegment s when a > 0 use other\n";
  auto r = score(body, "1,,,\n2,1,,\n", GetParam());
  EXPECT_EQ(r[0].score, 51);
  EXPECT_EQ(r[1].score, 60);
}

TEST_P(Semantics, WeightedScoreWithinOneBillionthOfAHalfRoundsUp) {
  // The spec pins floor((raw + 0.5) + 1e-9): 72.49999999995 counts as 72.5 (plain
  // floor(raw + 0.5) gave 72); 72.4999 is not within 1e-9 of the half.
  const char* body = "measure m0 { score = 72.49999999995 }\nmeasure m1 { score = 72.4999 }\nmodel default { m0 1 }\nmodel other { m1 1 }\nsegment s when a > 0 use other\n";
  auto r = score(body, "1,,,\n2,1,,\n", GetParam());
  EXPECT_EQ(r[0].score, 73);
  EXPECT_EQ(r[1].score, 72);
}

TEST_P(Semantics, LinearIsEvaluatedInTheSpecsOrder) {
  // s_k + (s_k+1 - s_k) * (X - x_k) / (x_k+1 - x_k): at X = 0.0015 on 0 -> 0, 3 -> 100 that is
  // 100 * 0.0015 / 3 = 0.049999999999999996, where the precomputed slope form
  // 0.0015 * (100 / 3) gives 0.05 (found by a search over both forms in IEEE double).
  const char* body = "measure m { value = a  score = linear(value, 0 -> 0, 3 -> 100, 10 -> 50) }\nmodel default { m 1 }\n";
  auto r = score(body, "1,0.0015,,\n2,3,,\n3,6.5,,\n4,11,,\n5,-1,,\n", GetParam());
  EXPECT_EQ(r[0].m0_score, 0.049999999999999996);
  EXPECT_NE(r[0].m0_score, 0.05);
  EXPECT_EQ(r[1].m0_score, 100);
  EXPECT_EQ(r[2].m0_score, 75);
  EXPECT_EQ(r[3].m0_score, 50);
  EXPECT_EQ(r[4].m0_score, 0);
}

TEST_P(Semantics, FirstMatchingSegmentOverrideAndLabelWin) {
  const char* body = R"(measure m { value = a  score = value }
model default { m 1 }
segment s1 when a > 10 use default
segment s2 when a > 5 use default
override o1 for s2 when a > 0 => score 5
override o2 when a > 0 => cap 60
override o3 when a > 0 => floor 99
label l1 when score >= 60 and band == mid
label l2 when score < 50
label l3 otherwise
)";
  auto r = score(body, "1,80,,\n2,8,,\n3,,,\n", GetParam());
  EXPECT_EQ(r[0].segment, 0);
  EXPECT_EQ(r[0].override_, 1);  // o1 is for s2 only; o2 caps 80 to 60
  EXPECT_EQ(r[0].score, 60);
  EXPECT_EQ(r[0].label, 0);      // 60 is in `mid`
  EXPECT_EQ(r[1].segment, 1);
  EXPECT_EQ(r[1].override_, 0);  // score 5
  EXPECT_EQ(r[1].score, 5);
  EXPECT_EQ(r[1].label, 1);
  EXPECT_EQ(r[2].override_, -1);  // a missing: no override's condition holds
  EXPECT_EQ(r[2].score, -1);
  EXPECT_EQ(r[2].label, 2);
}

TEST_P(Semantics, ScoreOverrideScoresAnUnscoredAccountButCapFloorAndBandDoNot) {
  const char* body = R"(measure m { value = a  score = value }
model default { m 1 }
override o1 when b == 1 => score 42
override o2 when b == 2 => floor 10
override o3 when b == 3 => band top
)";
  auto r = score(body, "1,,1,\n2,,2,\n3,,3,\n4,20,3,\n", GetParam());
  EXPECT_EQ(r[0].score, 42);
  EXPECT_EQ(r[1].score, -1);
  EXPECT_EQ(r[2].score, -1);
  EXPECT_EQ(r[3].score, 70);  // clamped into top's range 70..100
  EXPECT_EQ(r[3].band, 2);
}

}  // namespace
}  // namespace healthc
