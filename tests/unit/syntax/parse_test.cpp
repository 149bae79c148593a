// The parser: the AST it builds, and that no input crashes or hangs it.
#include <gtest/gtest.h>

#include <string>

#include "compiler/frontend.h"

namespace healthc {
namespace {

constexpr const char* kCard = R"(scorecard "T"
fields { id : text key  x : number optional  t : enum(a, b) }
bands { low from 0 color red  high from 50 color green "Healthy" }
param p = 40%
measure m "M" subjective { value = -x * 2 + 1e1  score = linear(value, -50% -> 0, 3 -> 100)  missing = 20 }
measure r { score = ranges(x) { ..1 -> 0  1..5 -> 50  5.. -> 100 } }
model default { group g "G" 60 { m 50  r 50 } r2 40 }
)";

bool has_code(const FrontendResult& r, const std::string& code) {
  for (const Diagnostic& d : r.diags.items())
    if (d.code == code) return true;
  return false;
}

TEST(Parse, BuildsDeclarationsWithTheirParts) {
  FrontendResult r = run_frontend_text("t.health", kCard);
  const ast::Scorecard& c = r.card;
  EXPECT_EQ(c.title, "T");
  ASSERT_EQ(c.fields.size(), 3u);
  EXPECT_TRUE(c.fields[0].key);
  EXPECT_TRUE(c.fields[1].optional);
  ASSERT_EQ(c.fields[2].members.size(), 2u);
  ASSERT_EQ(c.params.size(), 1u);
  EXPECT_DOUBLE_EQ(c.params[0].value, 0.40);
  ASSERT_EQ(c.bands.size(), 2u);
  EXPECT_EQ(c.bands[1].title, "Healthy");
  ASSERT_EQ(c.measures.size(), 2u);
  EXPECT_TRUE(c.measures[0].subjective);
  EXPECT_EQ(c.measures[0].missing, ast::Measure::Missing::Score);
  EXPECT_DOUBLE_EQ(c.measures[0].missing_score, 20);
  ASSERT_TRUE(c.measures[0].score);
  ASSERT_EQ(c.measures[0].score->points.size(), 2u);
  EXPECT_DOUBLE_EQ(c.measures[0].score->points[0].x, -0.5);
  const auto& ranges = c.measures[1].score->ranges;
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_FALSE(ranges[0].lo.has_value());
  EXPECT_DOUBLE_EQ(*ranges[0].hi, 1);
  EXPECT_FALSE(ranges[2].hi.has_value());
  ASSERT_EQ(c.models.size(), 1u);
  ASSERT_EQ(c.models[0].entries.size(), 2u);
  EXPECT_EQ(c.models[0].entries[0].kind, ast::ModelEntry::Group);
  EXPECT_EQ(c.models[0].entries[0].children.size(), 2u);
  // r2 is not a measure: a check error, not a parse error.
  EXPECT_TRUE(has_code(r, "E0103"));
  EXPECT_FALSE(has_code(r, "E0005"));
}

TEST(Parse, UnaryMinusBindsTighterThanMultiplication) {
  FrontendResult r = run_frontend_text("t.health", kCard);
  const ast::Expr& v = *r.card.measures[0].value;  // (-x * 2) + 1e1
  ASSERT_EQ(v.kind, ast::ExprKind::Binary);
  EXPECT_EQ(v.op, ast::BinOp::Add);
  EXPECT_DOUBLE_EQ(v.args[1]->number, 10);
  ASSERT_EQ(v.args[0]->op, ast::BinOp::Mul);
  EXPECT_EQ(v.args[0]->args[0]->kind, ast::ExprKind::Neg);
}

TEST(Parse, TenThousandNestedParenthesesAreRefusedNotACrash) {
  std::string text = "scorecard \"x\"\nmeasure m { value = " + std::string(10000, '(') + "1" + std::string(10000, ')') +
                     " score = 1 }\n";
  FrontendResult r = run_frontend_text("deep.health", text);
  EXPECT_TRUE(has_code(r, "E0006"));
  EXPECT_FALSE(r.ok());
}

TEST(Parse, LongUnaryChainsAreRefused) {
  std::string text = "scorecard \"x\"\nmeasure m { value = " + std::string(20000, '-') + "1 score = 1 }\n";
  FrontendResult r = run_frontend_text("neg.health", text);
  EXPECT_TRUE(has_code(r, "E0006"));
}

TEST(Parse, AOneMegabyteLineGivesADiagnostic) {
  std::string text = "scorecard \"x\"\nlabel l when " + std::string(1 << 20, 'a') + " > 1\n";
  FrontendResult r = run_frontend_text("wide.health", text);
  EXPECT_TRUE(has_code(r, "E0101"));  // the huge name is unknown, and that is all
}

TEST(Parse, ErrorsAreCappedWithANote) {
  std::string text = "scorecard \"x\"\n";
  for (int i = 0; i < 500; ++i) text += "label l" + std::to_string(i) + " when nope > 1\n";
  FrontendResult r = run_frontend_text("many.health", text);
  EXPECT_TRUE(has_code(r, "E0007"));
  EXPECT_LE(r.diags.count(Severity::Error), kMaxErrors + 1);
}

TEST(Parse, EveryByteValueAloneNeitherCrashesNorPasses) {
  for (int b = 0; b < 256; ++b) {
    std::string text = "scorecard \"x\"\n" + std::string(1, static_cast<char>(b)) + "\n";
    FrontendResult r = run_frontend_text("byte.health", text);
    EXPECT_FALSE(r.ok()) << b;
  }
}

}  // namespace
}  // namespace healthc
