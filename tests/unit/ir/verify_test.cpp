// The IR verifier: every lowered card passes, and each rule catches a hand-broken program.
#include "compiler/ir/verify.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "tests/unit/ir/ir_test_util.h"

namespace healthc::ir {
namespace {

using testing::lower_text;

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += x + "\n";
  return s;
}

// Breaks a copy of the every-part card's program with `edit`; expects a problem naming `what`.
void expect_caught(const std::function<void(Program&)>& edit, const std::string& what) {
  Program p = lower_text(testing::kEveryPartCard);
  ASSERT_TRUE(verify(p).empty()) << joined(verify(p));
  edit(p);
  const std::vector<std::string> problems = verify(p);
  ASSERT_FALSE(problems.empty()) << "not caught: " << what;
  EXPECT_NE(joined(problems).find(what), std::string::npos) << joined(problems);
}

uint32_t first(const Program& p, Op op) {
  for (uint32_t i = 0; i < p.code.size(); ++i)
    if (p.code[i].op == op) return i;
  ADD_FAILURE() << "no " << op_name(op);
  return 0;
}

TEST(Verify, EveryLoweredCardIsValid) {
  for (const std::string& name : testing::example_cards())
    EXPECT_TRUE(verify(testing::lower_example(name)).empty()) << name << "\n" << joined(verify(testing::lower_example(name)));
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    test_support::CardGenerator g(seed);
    const Program p = lower_text(g.card());
    EXPECT_TRUE(verify(p).empty()) << "seed " << seed << "\n" << joined(verify(p));
  }
}

TEST(Verify, OperandsAreDefinedBeforeUse) {
  expect_caught([](Program& p) { const uint32_t i = first(p, Op::Sub); p.code[i].b = i; }, "not an earlier instruction");
  expect_caught([](Program& p) { p.code[first(p, Op::Select)].c = kNone; }, "not an earlier instruction");
}

TEST(Verify, OpsAreKnown) {
  expect_caught([](Program& p) { p.code[0].op = static_cast<Op>(kOpCount); }, "unknown op");
}

TEST(Verify, LoadReadsAFieldInRangeAndNeverText) {
  expect_caught([](Program& p) { p.code[first(p, Op::Load)].a = 99; }, "field 99 is out of range");
  // m0's value is `a * p`: loading the text field `plan` there reads a value text has not.
  expect_caught([](Program& p) { p.code[first(p, Op::Load)].a = 1; }, "reads the value of text field plan");
  expect_caught([](Program& p) {
    for (uint32_t i = 0; i < p.code.size(); ++i)
      if (p.code[i].op == Op::Load && p.code[i].a == 1) p.measures[1].value = i;  // m2's subject, `plan`
  }, "measure m1's value is the text field plan");
}

TEST(Verify, TextEqReadsTextFieldsAndStringsInRange) {
  expect_caught([](Program& p) {
    for (Inst& in : p.code) if (in.op == Op::TextEq && in.aux == 1) { in.b = 42; break; }
  }, "string 42 is out of range");
  expect_caught([](Program& p) {
    for (Inst& in : p.code) if (in.op == Op::TextEq && in.aux == 0) { in.b = 3; break; }
  }, "field 3 is not a text field");
  expect_caught([](Program& p) { p.code[first(p, Op::TextEq)].a = 3; }, "field 3 is not a text field");
  expect_caught([](Program& p) { p.code[first(p, Op::TextEq)].aux = 2; }, "aux 2");
}

TEST(Verify, NothingOutsideTheDetailBlockReadsIt) {
  // The basic variant skips the detail block: a label reading an effective weight would read nothing.
  expect_caught([](Program& p) { p.code[p.labels_block.end - 1] = Inst{Op::IsMissing, p.detail_block.begin}; },
                "of the detail block");
  expect_caught([](Program& p) { p.results.score = p.detail_block.begin; }, "result score");
  expect_caught([](Program& p) { p.measures[0].weight = p.measures[0].score; }, "not in the detail block");
}

TEST(Verify, ResultsAreComputed) {
  expect_caught([](Program& p) { p.results.label = kNone; }, "result label");
  expect_caught([](Program& p) { p.results.band = static_cast<uint32_t>(p.code.size()); }, "result band");
}

TEST(Verify, BlocksCoverTheCodeInOrder) {
  expect_caught([](Program& p) { p.labels_block.end += 1; }, "do not cover");
  expect_caught([](Program& p) { p.overrides_block.begin -= 1; }, "do not cover");
}

TEST(Verify, MeasureSegmentOverrideAndLabelIndexesAreInRange) {
  expect_caught([](Program& p) { p.measures[0].score = p.measures_block.end; }, "score");
  expect_caught([](Program& p) { p.measures[1].enum_field = 0; }, "not an enum field");
  expect_caught([](Program& p) { p.segments[0].model = 7; }, "model 7 is out of range");
  expect_caught([](Program& p) { p.segments[0].condition = kNone; }, "segment big: condition");
  expect_caught([](Program& p) { p.overrides[1].band = 3; }, "band 3 is out of range");
  expect_caught([](Program& p) { p.overrides[0].segments.push_back(2); }, "segment 2 is out of range");
  expect_caught([](Program& p) { p.overrides[0].condition = p.code.size(); }, "override o1: condition");
  expect_caught([](Program& p) { p.labels[0].condition = p.code.size() + 5; }, "label watch: condition");
  expect_caught([](Program& p) { p.default_model = 2; }, "default model 2 is out of range");
  expect_caught([](Program& p) { p.key_field = 7; }, "key field 7");
}

TEST(Verify, PipelineWeightsAreFiniteAndNotNegative) {
  expect_caught([](Program& p) { p.code[first(p, Op::WeightedSum)].imm = -1; }, "weighted_sum: weight -1");
  expect_caught([](Program& p) { p.code[first(p, Op::EffectiveWeight)].imm = std::nan(""); }, "effective_weight: weight nan");
}

TEST(Verify, WeightTreesAreWellFormed) {
  expect_caught([](Program& p) { p.models[0].roots[1].weight = -1; }, "has weight -1");
  expect_caught([](Program& p) { p.models[0].roots[1].weight = std::nan(""); }, "has weight nan");
  expect_caught([](Program& p) { p.models[1].roots[0].measure = 4; }, "names measure 4, out of range");
  expect_caught([](Program& p) { p.models[0].roots[0].children.clear(); }, "has no node");
  expect_caught([](Program& p) { p.models[1].roots[0].children = p.models[0].roots; }, "measure node m0 has children");
}

TEST(Verify, BandsAscendFromZeroAndTileTheScores) {
  expect_caught([](Program& p) { p.bands[0].from = 1; }, "starts at 1, not 0");
  expect_caught([](Program& p) { std::swap(p.bands[1], p.bands[2]); }, "does not tile");
  expect_caught([](Program& p) { p.bands.clear(); p.overrides.erase(p.overrides.begin() + 1); }, "no band");
}

}  // namespace
}  // namespace healthc::ir
