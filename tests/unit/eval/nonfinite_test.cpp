// A weighted score that is not finite, or not a score at all (outside 0..100), is unscored
// on both engines, bit for bit alike: weights of 1e308 once gave a NaN score with band `low`
// (the NaN reached a float-to-int conversion, undefined behaviour in both engines). The
// weights are set in the IR, past the checker's bound, as a card built another way could.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "tests/unit/jit/engine_fixture.h"

namespace healthc {
namespace {

// `filler` unused measures make the card large enough for the split code generator, so both
// of codegen's emitters are checked.
std::string card(int filler) {
  std::string s = R"(scorecard "nan"
fields { id : text key  a : number  b : number  c : number }
bands { low from 0 color red  high from 50 color green }
measure ma { score = a }
measure mb { score = b }
measure mc { score = c }
model default { group g 1 { ma 2  mb 2 }  mc 5 }
label rest otherwise
)";
  for (int i = 0; i < filler; ++i) s += "measure f" + std::to_string(i) + " { score = a + " + std::to_string(i) + " }\n";
  return s;
}

class NonFiniteScore : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    program_ = testing::lower_text(card(GetParam()));
    ASSERT_EQ(program_.models.size(), 1u);
    const bool split = jit::is_split(program_, jit::Variant::Basic);
    EXPECT_EQ(split, GetParam() > 0);
  }
  // Sets every weight `from` (the card's weights are distinct by level: g 1, mc 5, g's
  // children 2) to `to`, in the tree and in the pipeline's instructions that carry it.
  void set_weight(double from, double to) {
    std::function<void(std::vector<ir::WeightNode>&)> walk = [&](std::vector<ir::WeightNode>& nodes) {
      for (ir::WeightNode& n : nodes) {
        if (n.weight == from) n.weight = to;
        walk(n.children);
      }
    };
    walk(program_.models[0].roots);
    for (ir::Inst& in : program_.code)
      if ((in.op == ir::Op::WeightedSum || in.op == ir::Op::WeightSum || in.op == ir::Op::EffectiveWeight) &&
          in.imm == from)
        in.imm = to;
  }
  // Row r: a = 50, b = 60, c = 70.
  testing::Columns columns(size_t rows) {
    testing::Columns cols(program_, rows);
    for (size_t r = 0; r < rows; ++r) cols.set(1, r, 50), cols.set(2, r, 60), cols.set(3, r, 70);
    return cols;
  }
  // Both engines, both variants; returns the evaluator's detail run after checking they agree.
  testing::Outputs both(const testing::Columns& cols, size_t rows) {
    testing::Outputs basic_eval = testing::run_eval(program_, cols, rows, false);
    testing::expect_same(testing::run_jit(program_, cols, rows, false), basic_eval);
    testing::Outputs detail_eval = testing::run_eval(program_, cols, rows, true);
    testing::expect_same(testing::run_jit(program_, cols, rows, true), detail_eval);
    EXPECT_EQ(basic_eval.score, detail_eval.score);
    return detail_eval;
  }
  ir::Program program_;
};

INSTANTIATE_TEST_SUITE_P(BothEmitters, NonFiniteScore, ::testing::Values(0, 800));

TEST_P(NonFiniteScore, OverflowingWeightsLeaveTheAccountUnscored) {
  set_weight(1, 1e308);  // root sums overflow: inf / inf
  set_weight(5, 1e308);
  set_weight(2, 1e308);
  testing::Outputs out = both(columns(3), 3);
  for (size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(out.score[r], -1);
    EXPECT_EQ(out.band[r], 2);  // `unscored`, never `low`
    EXPECT_EQ(out.m_weight_valid[2 * 3 + r], 0);
  }
}

TEST_P(NonFiniteScore, OverflowingGroupIsUnscoredAndItsWeightRedistributed) {
  set_weight(2, 1e308);
  testing::Outputs out = both(columns(2), 2);
  for (size_t r = 0; r < 2; ++r) {
    EXPECT_EQ(out.score[r], 70);  // only mc is left
    EXPECT_EQ(out.band[r], 1);
    EXPECT_EQ(out.m_weight_valid[0 * 2 + r], 0);  // ma sits in the unscored group
    EXPECT_EQ(out.m_weight_valid[2 * 2 + r], 1);
    EXPECT_EQ(out.m_weight[2 * 2 + r], 1.0);
  }
}

TEST_P(NonFiniteScore, WeightedScoreOutsideTheScaleIsUnscored) {
  set_weight(1, 3);     // the group scores 55
  set_weight(5, -2.9);  // mc scores 70: (3 * 55 - 2.9 * 70) / 0.1 = -380
  testing::Outputs out = both(columns(2), 2);
  for (size_t r = 0; r < 2; ++r) {
    EXPECT_EQ(out.score[r], -1);
    EXPECT_EQ(out.band[r], 2);
  }
}

TEST_P(NonFiniteScore, HugeButFiniteWeightsStillScore) {
  set_weight(1, 1e300);  // sums stay finite
  set_weight(5, 1e300);
  testing::Outputs out = both(columns(2), 2);
  for (size_t r = 0; r < 2; ++r) EXPECT_EQ(out.score[r], 63);  // (55 + 70) / 2 rounded half up
}

}  // namespace
}  // namespace healthc
