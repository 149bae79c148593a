// Lowering of v2's forms (common.md "Lowering conventions"): previous.* and change(...) as
// Op::History over distinct Program::history inputs, alerts in their own block with the `for`
// list folded in, stale rules that unscore their measure; and that a v1 card has none of it.
#include <gtest/gtest.h>

#include "compiler/ir/conventions.h"
#include "compiler/ir/serialize.h"
#include "compiler/ir/verify.h"
#include "tests/unit/ir/ir_test_util.h"

namespace healthc::ir {
namespace {

using testing::lower_text;

std::string card(const std::string& body) {
  return R"(scorecard "v2"
fields { id : text key  x : number optional  tier : enum(a, b)  seen : date optional }
bands { low from 0 color red  mid from 40 color yellow  high from 70 color green }
measure m { value = x  score = linear(value, 0 -> 0, 10 -> 100) }
model default { m 1 }
segment big when tier == b use default
)" + body;
}

bool inside(Block b, uint32_t i) { return i >= b.begin && i < b.end; }

int32_t history_index(const Program& p, HistoryInput h) {
  for (size_t i = 0; i < p.history.size(); ++i)
    if (p.history[i] == h) return static_cast<int32_t>(i);
  return -1;
}

// The instruction `i` is Op::History reading input `h`.
void expect_history(const Program& p, uint32_t i, HistoryInput h) {
  ASSERT_LT(i, p.code.size());
  EXPECT_EQ(p.code[i].op, Op::History);
  const int32_t at = history_index(p, h);
  ASSERT_GE(at, 0) << "no such history input";
  EXPECT_EQ(p.code[i].a, static_cast<uint32_t>(at));
}

TEST(LowerHistory, PreviousScoreIsTheFinalScoreOfThePreviousSnapshot) {
  const Program p = lower_text(card("label up when previous.score > 50\n"));
  ASSERT_EQ(p.history.size(), 1u);
  EXPECT_EQ(p.history[0], (HistoryInput{HistoryKind::FinalScore, -1, -1}));
  const Inst& gt = p.code[p.labels[0].condition];
  ASSERT_EQ(gt.op, Op::Gt);
  expect_history(p, gt.a, {HistoryKind::FinalScore, -1, -1});
  EXPECT_TRUE(verify(p).empty()) << verify(p).front();
}

TEST(LowerHistory, ChangeOfScoreReadsTheWeightedScoreInOverridesAndTheFinalScoreInLabels) {
  const Program p = lower_text(card("override o when change(score, 7 days) < -10 => cap 50\n"
                                    "label l when change(score, 2 weeks) < -10\n"));
  const Inst& lt_o = p.code[p.overrides[0].condition];
  ASSERT_EQ(lt_o.op, Op::Lt);
  const Inst& sub_o = p.code[lt_o.a];
  ASSERT_EQ(sub_o.op, Op::Sub);
  EXPECT_EQ(sub_o.a, p.results.weighted_score);
  expect_history(p, sub_o.b, {HistoryKind::WeightedScore, -1, 7});
  const Inst& sub_l = p.code[p.code[p.labels[0].condition].a];
  ASSERT_EQ(sub_l.op, Op::Sub);
  EXPECT_EQ(sub_l.a, p.results.score);
  expect_history(p, sub_l.b, {HistoryKind::FinalScore, -1, 14});  // weeks are 7 days
}

TEST(LowerHistory, ChangeOfAMeasureReadsItsScoreOrValue) {
  const Program p = lower_text(card(R"(measure t { value = change(m.value, 30 days)  score = 50 + change(m.score, 0 days) }
)"));
  const Measure& t = p.measures[1];
  const Inst& value = p.code[t.value];
  ASSERT_EQ(value.op, Op::Sub);
  EXPECT_EQ(value.a, p.measures[0].value);
  expect_history(p, value.b, {HistoryKind::MeasureValue, 0, 30});
  EXPECT_GE(history_index(p, {HistoryKind::MeasureScore, 0, 0}), 0);
  EXPECT_TRUE(inside(p.measures_block, t.value));
}

TEST(LowerHistory, HistoryInputsAreDistinct) {
  const Program p = lower_text(card("label a when previous.score > 1 and change(score, 1 week) > 0\n"
                                    "label b when previous.score > 2 or change(score, 7 days) > 1\n"
                                    "alert c when previous.score > 3\n"));
  EXPECT_EQ(p.history.size(), 2u);
  EXPECT_GE(history_index(p, {HistoryKind::FinalScore, -1, -1}), 0);
  EXPECT_GE(history_index(p, {HistoryKind::FinalScore, -1, 7}), 0);
}

TEST(LowerHistory, PastNamesCompareWithTheirIndexes) {
  const Program p = lower_text(card(R"(override o when x > 100 => score 1
label keep when previous.band == unscored
label moved when previous.segment == default
label same when previous.label == keep
label was when previous.override == none
label wasnt when previous.override == o
)"));
  auto compared = [&](size_t label, HistoryKind kind) {
    const Inst& eq = p.code[p.labels[label].condition];
    EXPECT_EQ(eq.op, Op::Eq) << label;
    expect_history(p, eq.a, {kind, -1, -1});
    EXPECT_EQ(p.code[eq.b].op, Op::Const);
    return p.code[eq.b].imm;
  };
  EXPECT_EQ(compared(0, HistoryKind::Band), unscored_band(p));
  EXPECT_EQ(compared(1, HistoryKind::Segment), default_segment(p));
  EXPECT_EQ(compared(2, HistoryKind::Label), 0);
  EXPECT_EQ(compared(3, HistoryKind::Override), kNoOverride);
  EXPECT_EQ(compared(4, HistoryKind::Override), 0);
}

TEST(LowerHistory, PreviousMeasureScoreAndValue) {
  const Program p = lower_text(card("label l when previous.m.score > 10 and previous.m.value < 3\n"));
  EXPECT_GE(history_index(p, {HistoryKind::MeasureScore, 0, -1}), 0);
  EXPECT_GE(history_index(p, {HistoryKind::MeasureValue, 0, -1}), 0);
}

TEST(LowerHistory, AMeasureNamedPreviousIsAMeasure) {
  const Program p = lower_text(card(R"(measure previous { value = x  score = value }
label l when previous.score > 10 and previous.m.score > 1
)"));
  ASSERT_EQ(p.history.size(), 1u);  // only previous.m.score reads the past
  EXPECT_EQ(p.history[0], (HistoryInput{HistoryKind::MeasureScore, 0, -1}));
  const Inst& gt = p.code[p.code[p.labels[0].condition].a];
  EXPECT_EQ(gt.a, p.measures[1].score);
}

TEST(LowerHistory, AlertsFoldTheirForListAndComeAfterTheLabels) {
  const Program p = lower_text(card(R"(label watch when score < 40
label fine otherwise
alert a "A" for big, default when label == watch severity critical
alert b when m.score < 10
alert c when x > 5 severity info
)"));
  ASSERT_EQ(p.alerts.size(), 3u);
  EXPECT_EQ(p.alerts_block.begin, p.labels_block.end);
  EXPECT_EQ(p.alerts_block.end, p.code.size());
  EXPECT_EQ(p.alerts[0].title, "A");
  EXPECT_EQ(p.alerts[0].severity, Severity::Critical);
  EXPECT_EQ(p.alerts[1].severity, Severity::Medium);
  EXPECT_EQ(p.alerts[2].severity, Severity::Info);
  EXPECT_EQ(p.alerts[0].segments, (std::vector<int32_t>{0, kDefaultInForList}));
  for (const Alert& a : p.alerts) EXPECT_TRUE(inside(p.alerts_block, a.condition)) << a.name;
  // `for big, default`: condition and (segment == 0 or segment == default).
  const Inst& hit = p.code[p.alerts[0].condition];
  ASSERT_EQ(hit.op, Op::And);
  const Inst& eq = p.code[hit.a];
  ASSERT_EQ(eq.op, Op::Eq);
  EXPECT_EQ(eq.a, p.results.label);
  EXPECT_EQ(p.code[hit.b].op, Op::Or);
  // b's condition is m.score < 10, computed in the alerts block itself.
  EXPECT_EQ(p.code[p.alerts[1].condition].op, Op::Lt);
  EXPECT_TRUE(verify(p).empty()) << verify(p).front();
}

TEST(LowerHistory, AnAlertOnAMeasuresBoolValueStillLiesInTheAlertsBlock) {
  const Program p = lower_text(card(R"(measure flag { value = x > 3  score = 1 }
alert f when flag.value
)"));
  ASSERT_EQ(p.alerts.size(), 1u);
  EXPECT_TRUE(inside(p.alerts_block, p.alerts[0].condition));
  const Inst& copy = p.code[p.alerts[0].condition];
  EXPECT_EQ(copy.op, Op::And);
  EXPECT_EQ(copy.a, p.measures[1].value);
}

TEST(LowerHistory, AStaleRuleUnscoresItsMeasureAfterMissingN) {
  const Program p = lower_text(card(R"(measure s subjective stale after 90 days of seen { score = x  missing = 40 }
measure t subjective stale after 2 weeks of seen { score = 10 }
)"));
  ASSERT_EQ(p.stale_rules.size(), 2u);
  const StaleRule& r = p.stale_rules[0];
  EXPECT_EQ(r.measure, 1);
  EXPECT_EQ(r.date_field, 3);
  EXPECT_EQ(r.days, 90);
  EXPECT_EQ(p.stale_rules[1].days, 14);
  EXPECT_TRUE(inside(p.measures_block, r.stale));
  // stale = (seen is missing) or (as_of - seen > 90): known either way.
  const Inst& stale = p.code[r.stale];
  ASSERT_EQ(stale.op, Op::Or);
  EXPECT_EQ(p.code[stale.a].op, Op::IsMissing);
  EXPECT_EQ(p.code[stale.b].op, Op::Gt);
  const Inst& score = p.code[p.measures[1].score];
  ASSERT_EQ(score.op, Op::Select);
  EXPECT_EQ(score.a, r.stale);
  EXPECT_EQ(p.code[score.b].op, Op::Missing);
  EXPECT_EQ(p.code[score.c].op, Op::OrElse);  // stale wins over `missing = 40`
  EXPECT_TRUE(verify(p).empty()) << verify(p).front();
}

TEST(LowerHistory, AV1CardHasNoHistoryAlertsOrStaleRules) {
  for (const std::string& name : testing::example_cards()) {
    const Program p = testing::lower_example(name);
    EXPECT_TRUE(p.history.empty()) << name;
    EXPECT_TRUE(p.alerts.empty()) << name;
    EXPECT_TRUE(p.stale_rules.empty()) << name;
    EXPECT_EQ(p.alerts_block.begin, p.alerts_block.end) << name;
    EXPECT_EQ(p.alerts_block.begin, p.labels_block.end) << name;
  }
}

TEST(LowerHistory, TheV2ExampleLowersVerifiesAndRoundTrips) {
  const Program p = testing::lower_example("b2b_saas_v2");
  EXPECT_TRUE(verify(p).empty()) << verify(p).front();
  EXPECT_EQ(p.alerts.size(), 5u);
  EXPECT_EQ(p.stale_rules.size(), 1u);
  EXPECT_FALSE(p.history.empty());
  const std::string bytes = serialize(p);
  Program q;
  std::string error;
  ASSERT_TRUE(deserialize(bytes, q, error)) << error;
  EXPECT_EQ(serialize(q), bytes);
  EXPECT_EQ(q.history, p.history);
  ASSERT_EQ(q.alerts.size(), p.alerts.size());
  for (size_t i = 0; i < p.alerts.size(); ++i) {
    EXPECT_EQ(q.alerts[i].name, p.alerts[i].name);
    EXPECT_EQ(q.alerts[i].title, p.alerts[i].title);
    EXPECT_EQ(q.alerts[i].segments, p.alerts[i].segments);
    EXPECT_EQ(q.alerts[i].condition, p.alerts[i].condition);
    EXPECT_EQ(q.alerts[i].severity, p.alerts[i].severity);
  }
  ASSERT_EQ(q.stale_rules.size(), 1u);
  EXPECT_EQ(q.stale_rules[0].stale, p.stale_rules[0].stale);
  EXPECT_EQ(q.stale_rules[0].date_field, p.stale_rules[0].date_field);
  EXPECT_EQ(q.alerts_block.begin, p.alerts_block.begin);
  EXPECT_EQ(q.alerts_block.end, p.alerts_block.end);
  EXPECT_EQ(print(q), print(p));
}

// Every truncation of a v2 program's blob, and every single-bit flip in its v2 tail (history,
// alerts, stale rules), is an error or a program that verifies: never a crash.
TEST(SerializeHistory, DamagedV2BlobsAreRejectedOrVerify) {
  const Program p = testing::lower_example("b2b_saas_v2");
  const std::string bytes = serialize(p);
  Program q;
  std::string error;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(deserialize(std::string_view(bytes).substr(0, n), q, error)) << n;
    EXPECT_FALSE(error.empty());
  }
  Program v1 = p;
  v1.history.clear();
  v1.alerts.clear();
  v1.stale_rules.clear();
  const size_t tail = serialize(v1).size() - 12;  // the three empty counts
  for (size_t at = tail; at < bytes.size(); ++at)
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
      if (deserialize(damaged, q, error)) {
        EXPECT_TRUE(verify(q).empty()) << at;
      }
    }
}

// The verifier's checks of the v2 parts, each on a copy of a good program broken in one place.
TEST(VerifyHistory, RejectsBrokenV2Parts) {
  const Program good = lower_text(card(R"(measure s subjective stale after 9 days of seen { score = 10 }
label l when previous.score > 1
alert a for big when change(score, 7 days) < 0
)"));
  ASSERT_TRUE(verify(good).empty()) << verify(good).front();
  auto problems = [&](auto&& breakit) {
    Program p = good;
    breakit(p);
    return verify(p);
  };
  EXPECT_FALSE(problems([](Program& p) { p.history.push_back(p.history[0]); }).empty());  // repeated
  EXPECT_FALSE(problems([](Program& p) {
                 for (Inst& in : p.code)
                   if (in.op == Op::History) in.a = 99;
               }).empty());
  EXPECT_FALSE(problems([](Program& p) { p.history.push_back({HistoryKind::MeasureScore, 7, -1}); }).empty());
  EXPECT_FALSE(problems([](Program& p) { p.history.push_back({HistoryKind::FinalScore, -1, -5}); }).empty());
  EXPECT_FALSE(problems([](Program& p) { p.alerts[0].condition = p.labels[0].condition; }).empty());
  EXPECT_FALSE(problems([](Program& p) { p.alerts[0].segments = {5}; }).empty());
  EXPECT_FALSE(problems([](Program& p) { p.stale_rules[0].measure = 9; }).empty());
  EXPECT_FALSE(problems([](Program& p) { p.stale_rules[0].date_field = 1; }).empty());  // a number field
  EXPECT_FALSE(problems([](Program& p) { p.stale_rules[0].stale = p.account_block.begin; }).empty());
  EXPECT_FALSE(problems([](Program& p) { p.alerts_block.begin += 1; }).empty());
}

}  // namespace
}  // namespace healthc::ir
