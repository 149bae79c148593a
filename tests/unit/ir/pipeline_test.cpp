// The account pipeline lives in the IR's instructions: the engines (the evaluator and both of
// codegen's emitters) interpret instructions and store the named results, so editing the
// metadata kept for explain, output and lint changes no score.
#include <gtest/gtest.h>

#include <string>

#include "compiler/ir/verify.h"
#include "tests/unit/ir/ir_test_util.h"

namespace healthc::ir {
namespace {

// `filler` measures in no model push the card past the split emitter's threshold.
std::string card(int filler) {
  std::string s = testing::kEveryPartCard;
  for (int i = 0; i < filler; ++i) s += "measure f" + std::to_string(i) + " { score = a + " + std::to_string(i) + " }\n";
  return s;
}

// Rows over (plan, other, a, b, e, d) that reach every segment, override and label.
testing::Columns rows(const Program& p) {
  testing::Columns cols(p, 6);
  const double a[] = {5, -1, 12, 3, 9, 5}, b[] = {50, 200, 5000, 0, 150, 2000};
  for (size_t r = 0; r < 6; ++r) {
    cols.set(3, r, a[r]);
    cols.set(4, r, b[r]);
    cols.set(5, r, static_cast<double>(r % 2));
    cols.set(6, r, 20000 - 10.0 * r);
  }
  cols.missing(1, 0), cols.missing(2, 0);  // plan and other missing: not `same`
  cols.missing(3, 3);                      // a missing: m0 unscored
  cols.missing(5, 4);
  return cols;
}

class IrPipeline : public ::testing::TestWithParam<int> {};
INSTANTIATE_TEST_SUITE_P(BothEmitters, IrPipeline, ::testing::Values(0, 600));

TEST_P(IrPipeline, EnginesReadOnlyTheInstructions) {
  Program p = testing::lower_text(card(GetParam()));
  ASSERT_EQ(jit::is_split(p, jit::Variant::Basic), GetParam() > 0);
  const testing::Columns cols = rows(p);
  const testing::Outputs before = testing::run_eval(p, cols, 6, true);
  testing::expect_same(testing::run_jit(p, cols, 6, true), before);
  // Every row's results are something (the rows were chosen to differ).
  EXPECT_NE(before.segment[0], before.segment[2]);
  EXPECT_NE(before.override_[1], before.override_[0]);

  // What the engines used to re-decide from: trees, segment models, override actions, labels.
  for (Model& m : p.models)
    for (WeightNode& n : m.roots) n.weight = 99, n.children.clear();
  for (Segment& s : p.segments) s.model = 0, s.condition = p.measures[0].score;
  for (Override& o : p.overrides) o.action = ActionKind::Score, o.amount = 1, o.segments.clear();
  for (Label& l : p.labels) l.condition = kNone;
  p.default_model = 1;
  const testing::Outputs after = testing::run_eval(p, cols, 6, true);
  testing::expect_same(after, before);
  testing::expect_same(testing::run_jit(p, cols, 6, true), before);
}

TEST(IrPipeline, TheBasicVariantSkipsTheDetailBlock) {
  // An instruction in the detail block that would make any reader of it differ: the basic
  // run's results are unchanged (nothing outside the block reads it, the verifier checks).
  Program p = testing::lower_text(card(0));
  const testing::Columns cols = rows(p);
  const testing::Outputs basic = testing::run_eval(p, cols, 6, false);
  for (uint32_t i = p.detail_block.begin; i < p.detail_block.end; ++i) p.code[i] = Inst{Op::Missing};
  EXPECT_TRUE(verify(p).empty());
  testing::expect_same(testing::run_eval(p, cols, 6, false), basic);
  testing::expect_same(testing::run_jit(p, cols, 6, false), basic);
  const testing::Outputs detail = testing::run_eval(p, cols, 6, true);
  for (uint8_t ok : detail.m_weight_valid) EXPECT_EQ(ok, 0);  // the weights were the detail block
}

TEST(IrPipeline, ResultsAreInstructionsOfTheBasicBlocks) {
  const Program p = testing::lower_text(card(0));
  const Results& r = p.results;
  for (uint32_t i : {r.segment, r.weighted_score, r.score, r.band, r.label, r.override_}) {
    EXPECT_LT(i, p.labels_block.end);
    EXPECT_FALSE(i >= p.detail_block.begin && i < p.detail_block.end);
  }
  EXPECT_EQ(p.code[r.weighted_score].op, Op::RoundScore);
  EXPECT_EQ(p.code[r.band].op, Op::BandOf);
  for (const Measure& m : p.measures) EXPECT_NE(m.weight, kNone) << m.name;  // every measure is in a model
  EXPECT_NE(print(p).find("results: segment %"), std::string::npos);
}

}  // namespace
}  // namespace healthc::ir
