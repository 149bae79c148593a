// The v2 engine contract on hand-built IR, for the evaluator, the single-kernel JIT and the
// split JIT: Op::History reads its column (missing cells, and no columns at all, read as
// missing), the alerts block runs after the labels in both variants, and the new outputs
// (weighted score, alert and stale masks) are written exactly when wanted, with hand-computed
// values.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <string>

#include "tests/unit/jit/engine_fixture.h"

namespace healthc {
namespace {

using ir::Op;

constexpr const char* kCard = R"(scorecard "H"
fields { id : text key  a : number optional  b : number optional  c : number optional }
bands { red from 0 color red  mid from 40 color yellow  top from 70 color green }
measure m { value = a  score = value }
measure n { value = b  score = value }
model default { m 1  n 1 }
override low when a < 5 => cap 30
label up when score >= 50
)";

int32_t field(const ir::Program& p, const std::string& name) {
  for (size_t f = 0; f < p.fields.size(); ++f)
    if (p.fields[f].name == name) return static_cast<int32_t>(f);
  ADD_FAILURE() << "no field " << name;
  return 0;
}

// Appends an alerts block (and a stale rule computed there: the engines only read the rule's
// instruction) to a lowered card, as the lowering of these lines would:
//   history 0 = previous.score, history 1 = m's score 7 days back
//   alert 0: change(score) < -10;  alert 1: previous.score is missing;  alert 2: h1 > 50
//   alerts 3..3+extra-1: previous.score > i - 3 (a mask wider than a chunk of code)
//   stale rule 0: measure n, date field c, 30 days
struct V2 {
  uint32_t h0 = 0, h1 = 0;
};
V2 add_v2(ir::Program& p, int extra_alerts = 0) {
  const uint32_t begin = static_cast<uint32_t>(p.code.size());
  auto emit = [&](Op op, uint32_t a = 0, uint32_t b = 0, uint32_t c = 0, double imm = 0) {
    p.code.push_back(ir::Inst{op, a, b, c, imm, 0});
    return static_cast<uint32_t>(p.code.size() - 1);
  };
  p.history = {{ir::HistoryKind::FinalScore, -1, -1}, {ir::HistoryKind::MeasureScore, 0, 7}};
  V2 v;
  v.h0 = emit(Op::History, 0);
  v.h1 = emit(Op::History, 1);
  const uint32_t change = emit(Op::Sub, p.results.score, v.h0);
  p.alerts.push_back({"drop", "", {}, emit(Op::Lt, change, emit(Op::Const, 0, 0, 0, -10)), ir::Severity::High});
  p.alerts.push_back({"new", "", {}, emit(Op::IsMissing, v.h0), ir::Severity::Info});
  p.alerts.push_back({"was_high", "", {}, emit(Op::Gt, v.h1, emit(Op::Const, 0, 0, 0, 50)), ir::Severity::Low});
  for (int i = 0; i < extra_alerts; ++i)
    p.alerts.push_back({"x" + std::to_string(i), "", {}, emit(Op::Gt, v.h0, emit(Op::Const, 0, 0, 0, i)), ir::Severity::Medium});
  const uint32_t date = emit(Op::Load, static_cast<uint32_t>(field(p, "c")));
  const uint32_t age = emit(Op::Sub, emit(Op::AsOf), date);
  const uint32_t stale = emit(Op::Or, emit(Op::IsMissing, date), emit(Op::Gt, age, emit(Op::Const, 0, 0, 0, 30)));
  p.stale_rules.push_back({1, field(p, "c"), 30, stale});
  p.alerts_block = {begin, static_cast<uint32_t>(p.code.size())};
  return v;
}

// Four accounts (as-of 20000) covering: no history; a drop and a high past measure; a cap
// (weighted 46, final 30) with a missing cell holding junk; an unscored account.
testing::Columns rows_for(const ir::Program& p) {
  testing::Columns cols(p, 4);
  const size_t a = field(p, "a"), b = field(p, "b"), c = field(p, "c");
  cols.set(a, 0, 80), cols.set(b, 0, 60), cols.missing(c, 0);
  cols.set(a, 1, 50), cols.set(b, 1, 30), cols.set(c, 1, 19990), cols.set_history(0, 1, 95), cols.set_history(1, 1, 60);
  cols.set(a, 2, 2), cols.set(b, 2, 90), cols.set(c, 2, 19960), cols.set_history(0, 2, 35), cols.junk_history(1, 2, 99);
  cols.missing(a, 3), cols.missing(b, 3), cols.set(c, 3, 20000), cols.set_history(0, 3, 50), cols.set_history(1, 3, 10);
  return cols;
}

struct Run {
  const char* name;
  testing::Outputs (*run)(const ir::Program&, const testing::Columns&, size_t, bool, bool);
};
void PrintTo(const Run& r, std::ostream* os) { *os << r.name; }  // test names without pointers
testing::Outputs eval_run(const ir::Program& p, const testing::Columns& c, size_t rows, bool detail, bool v2) {
  return testing::run_eval(p, c, rows, detail, v2);
}
testing::Outputs jit_run(const ir::Program& p, const testing::Columns& c, size_t rows, bool detail, bool v2) {
  return testing::run_jit(p, c, rows, detail, {false, ""}, nullptr, v2);
}

class V2Engines : public ::testing::TestWithParam<Run> {};
INSTANTIATE_TEST_SUITE_P(Engines, V2Engines, ::testing::Values(Run{"eval", eval_run}, Run{"jit", jit_run}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_P(V2Engines, HistoryAlertsStaleAndWeightedScore) {
  ir::Program p = testing::lower_text(kCard);
  add_v2(p);
  const testing::Columns cols = rows_for(p);
  for (bool detail : {false, true}) {
    SCOPED_TRACE(detail ? "detail" : "basic");
    const testing::Outputs o = GetParam().run(p, cols, 4, detail, true);
    EXPECT_EQ(o.score, (std::vector<int32_t>{70, 40, 30, -1}));
    EXPECT_EQ(o.weighted_score, (std::vector<int32_t>{70, 40, 46, -1}));
    // Row 0: no previous (alert 1); row 1: dropped 55 and m was 60 (alerts 0, 2); row 2: down 5
    // only, m's past cell missing (its junk unread); row 3: unscored, so no change.
    EXPECT_EQ(o.alerts_active, (std::vector<uint64_t>{0b010, 0b101, 0, 0}));
    EXPECT_EQ(o.stale, (std::vector<uint64_t>{1, 0, 1, 0}));
  }
}

TEST_P(V2Engines, NoHistoryColumnsReadAsMissing) {
  ir::Program p = testing::lower_text(kCard);
  add_v2(p);
  testing::Columns cols = rows_for(p);
  cols.give_history = false;
  const testing::Outputs o = GetParam().run(p, cols, 4, true, true);
  EXPECT_EQ(o.alerts_active, (std::vector<uint64_t>(4, 0b010)));  // every account is new
  EXPECT_EQ(o.score, (std::vector<int32_t>{70, 40, 30, -1}));
}

TEST_P(V2Engines, UnwantedOutputsAreNotWrittenAndChangeNothingElse) {
  ir::Program p = testing::lower_text(kCard);
  add_v2(p);
  const testing::Columns cols = rows_for(p);
  const testing::Outputs with = GetParam().run(p, cols, 4, true, true);
  const testing::Outputs without = GetParam().run(p, cols, 4, true, false);
  EXPECT_EQ(without.weighted_score, std::vector<int32_t>(4, -77));
  EXPECT_EQ(without.alerts_active, std::vector<uint64_t>(4, testing::Outputs::kUnwritten));
  EXPECT_EQ(without.stale, std::vector<uint64_t>(4, testing::Outputs::kUnwritten));
  EXPECT_EQ(with.score, without.score);
  EXPECT_EQ(with.label, without.label);
  EXPECT_EQ(with.m_score_valid, without.m_score_valid);
}

TEST_P(V2Engines, AV1CardWritesZeroMasksAndItsWeightedScore) {
  const ir::Program p = testing::lower_text(kCard);
  testing::Columns cols(p, 2);
  cols.set(field(p, "a"), 0, 2), cols.set(field(p, "b"), 0, 90);
  cols.missing(field(p, "a"), 1), cols.missing(field(p, "b"), 1);
  const testing::Outputs o = GetParam().run(p, cols, 2, false, true);
  EXPECT_EQ(o.weighted_score, (std::vector<int32_t>{46, -1}));
  EXPECT_EQ(o.score, (std::vector<int32_t>{30, -1}));
  EXPECT_EQ(o.alerts_active, std::vector<uint64_t>(2, 0));
  EXPECT_EQ(o.stale, std::vector<uint64_t>(2, 0));
}

TEST_P(V2Engines, SixtyFourAlerts) {
  ir::Program p = testing::lower_text(kCard);
  add_v2(p, 61);
  ASSERT_EQ(p.alerts.size(), 64u);
  testing::Columns cols(p, 3);
  cols.set_history(0, 0, 100);   // alerts 3..63 (previous > 0..60)
  cols.set_history(0, 1, 30.5);  // alerts 3..33
  const testing::Outputs o = GetParam().run(p, cols, 3, false, true);
  uint64_t all_extra = 0, to_30 = 0;
  for (int i = 0; i < 61; ++i) {
    all_extra |= uint64_t{1} << (3 + i);
    if (30.5 > i) to_30 |= uint64_t{1} << (3 + i);
  }
  // Row 0, 1: scored 0 (a and b are 0): drops of 100 and 30.5 set alert 0 too; row 2 is new.
  EXPECT_EQ(o.alerts_active, (std::vector<uint64_t>{all_extra | 1, to_30 | 1, 0b010}));
}

// A card past the split threshold: the split emitter agrees with the evaluator on every output,
// with history present, missing and absent.
std::string large_card(int measures) {
  std::string s = "scorecard \"L\"\nfields { id : text key  a : number optional  b : number optional  c : number optional }\n"
                  "bands { red from 0 color red  mid from 40 color yellow  top from 70 color green }\n";
  for (int m = 0; m < measures; ++m)
    s += "measure m" + std::to_string(m) + " { value = " + (m % 2 ? "b" : "a") + " * " + std::to_string(1 + m % 5) +
         "  score = clamp(value - " + std::to_string(m % 13) + ", 0, 100) }\n";
  s += "model default {";
  for (int m = 0; m < measures; ++m) s += " m" + std::to_string(m) + " " + std::to_string(1 + m % 4);
  s += " }\noverride low when a < 5 => cap 30\nlabel up when score >= 50\n";
  return s;
}

TEST(V2Split, SplitKernelAgreesWithTheEvaluator) {
  ir::Program p = testing::lower_text(large_card(300));
  add_v2(p, 61);
  ASSERT_TRUE(jit::is_split(p, jit::Variant::Basic));
  // More than two tiles of rows, not a whole number of them.
  constexpr size_t kRows = 2 * jit::kMaxSplitTileRows + 37;
  testing::Columns cols(p, kRows);
  for (size_t r = 0; r < kRows; ++r) {
    cols.set(field(p, "a"), r, double(r * 7 % 40));
    if (r % 5 == 0) cols.missing(field(p, "b"), r);
    else cols.set(field(p, "b"), r, double(r * 3 % 31));
    if (r % 4 == 0) cols.missing(field(p, "c"), r);
    else cols.set(field(p, "c"), r, 20000.0 - double(r * 3));
    if (r % 3) cols.set_history(0, r, double(r * 11 % 90));
    if (r % 2) cols.set_history(1, r, double(r * 13 % 100));
    else cols.junk_history(1, r, 1e9);
  }
  for (bool detail : {false, true}) {
    SCOPED_TRACE(detail ? "detail" : "basic");
    const testing::Outputs ev = testing::run_eval(p, cols, kRows, detail);
    testing::expect_same(ev, testing::run_jit(p, cols, kRows, detail));
    // Not all zero: the comparison covers set bits.
    EXPECT_NE(ev.alerts_active, std::vector<uint64_t>(kRows, 0));
    EXPECT_NE(ev.stale, std::vector<uint64_t>(kRows, 0));
    testing::Columns none = cols;
    none.give_history = false;
    testing::expect_same(testing::run_eval(p, none, kRows, detail), testing::run_jit(p, none, kRows, detail));
    testing::Outputs unwanted = testing::run_jit(p, cols, kRows, detail, {false, ""}, nullptr, false);
    EXPECT_EQ(unwanted.score, ev.score);
    EXPECT_EQ(unwanted.alerts_active, std::vector<uint64_t>(kRows, testing::Outputs::kUnwritten));
  }
}

// The alert mask is one value built over every alert: wherever the split emitter's chunks
// fall before it (shifted a few statements at a time by padding), the module stays valid and
// agrees with the evaluator.
TEST(V2Split, TheAlertMaskNeverStraddlesAChunk) {
  const ir::Program base = testing::lower_text(large_card(150));
  for (int pad = 0; pad < 48; pad += 4) {
    SCOPED_TRACE("padding " + std::to_string(pad));
    ir::Program p = base;
    const V2 v = add_v2(p, 61);
    for (int k = 0; k < pad; ++k) p.code.push_back(ir::Inst{Op::Abs, v.h0, 0, 0, 0, 0});
    p.alerts_block.end = static_cast<uint32_t>(p.code.size());
    ASSERT_TRUE(jit::is_split(p, jit::Variant::Basic));
    testing::Columns cols(p, 20);
    for (size_t r = 0; r < 20; ++r)
      if (r % 3) cols.set_history(0, r, double(r * 5));
    testing::expect_same(testing::run_eval(p, cols, 20, false), testing::run_jit(p, cols, 20, false));
  }
}

}  // namespace
}  // namespace healthc
