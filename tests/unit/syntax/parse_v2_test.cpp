// The parser's v2 forms: the AST of previous.*, change(...), alerts and `stale after`; v2's
// words as plain names; and that operator chains through `label`, `segment` and `alert`
// (operands and names as well as declaration words) are still bounded.
#include <gtest/gtest.h>

#include <string>

#include "compiler/frontend.h"

namespace healthc {
namespace {

constexpr const char* kHead = R"(scorecard "T"
fields { id : text key  x : number  d : date optional  tier : enum(a, b) }
bands { low from 0 color red  high from 50 color green }
measure m { value = x  score = linear(value, 0 -> 0, 10 -> 100) }
model default { m 1 }
segment big when tier == b use default
)";

bool has_code(const FrontendResult& r, const std::string& code) {
  for (const Diagnostic& d : r.diags.items())
    if (d.code == code) return true;
  return false;
}

const ast::Expr& left(const ast::Expr& e) { return *e.args.at(0); }

TEST(ParseV2, AlertsKeepTitleForListConditionAndSeverity) {
  FrontendResult r = run_frontend_text(
      "t.health", std::string(kHead) + "alert a \"A\" for big, default when x > 1 severity high\nalert b when x > 2\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.card.alerts.size(), 2u);
  const ast::Alert& a = r.card.alerts[0];
  EXPECT_EQ(a.name.text, "a");
  EXPECT_EQ(a.title, "A");
  ASSERT_EQ(a.segments.size(), 2u);
  EXPECT_EQ(a.segments[1].text, "default");
  EXPECT_EQ(a.severity.text, "high");
  EXPECT_TRUE(r.card.alerts[1].severity.text.empty());
  EXPECT_EQ(r.checked.checked.alert_severity, (std::vector<uint8_t>{3, 2}));
}

TEST(ParseV2, ChangeWindowsAreInDays) {
  FrontendResult r = run_frontend_text("t.health", std::string(kHead) +
                                                       "label l when change(score, 2 weeks) < 0 and change(m.score, 1 day) < 0\n");
  ASSERT_TRUE(r.ok());
  const ast::Expr& both = *r.card.labels[0].condition;
  const ast::Expr& weeks = left(left(both));
  ASSERT_EQ(weeks.kind, ast::ExprKind::Change);
  EXPECT_EQ(weeks.number, 14);
  EXPECT_EQ(left(weeks).kind, ast::ExprKind::ScoreRef);
  const ast::Expr& day = left(*both.args[1]);
  EXPECT_EQ(day.number, 1);
  EXPECT_EQ(left(day).kind, ast::ExprKind::MeasureRef);
}

TEST(ParseV2, PreviousFormsBecomePastReads) {
  FrontendResult r = run_frontend_text("t.health", std::string(kHead) + R"(label a when previous.score > 1
label b when previous.band == low
label c when previous.override == none
label d when previous.m.value > 1
)");
  ASSERT_TRUE(r.ok());
  const ast::Expr& a = left(*r.card.labels[0].condition);
  EXPECT_EQ(a.kind, ast::ExprKind::Previous);  // the checker turned `previous.score` into the past
  EXPECT_EQ(a.past, ast::PastKind::Score);
  EXPECT_EQ(left(*r.card.labels[1].condition).past, ast::PastKind::Band);
  EXPECT_EQ(left(*r.card.labels[1].condition).type.kind, ast::Type::BandSet);
  const ast::Expr& none = *r.card.labels[2].condition->args[1];
  EXPECT_EQ(none.resolved.kind, ast::Resolution::Override);
  EXPECT_EQ(none.resolved.index, -1);
  const ast::Expr& d = left(*r.card.labels[3].condition);
  EXPECT_EQ(d.past, ast::PastKind::MeasureValue);
  EXPECT_EQ(d.text, "m");
  EXPECT_EQ(d.resolved.index, 0);
}

TEST(ParseV2, StaleAfterNamesItsFieldAndDays) {
  FrontendResult r = run_frontend_text(
      "t.health", std::string(kHead) + "measure s subjective stale after 3 weeks of d { score = 1 }\n");
  ASSERT_TRUE(r.ok());
  const ast::Measure& s = r.card.measures[1];
  ASSERT_TRUE(s.stale.has_value());
  EXPECT_EQ(s.stale->days, 21);
  EXPECT_EQ(s.stale->field.text, "d");
  EXPECT_EQ(r.checked.checked.stale_field, (std::vector<int32_t>{-1, 2}));
}

TEST(ParseV2, V2WordsAreNamesWhereANameIsWanted) {
  const char* text = R"(scorecard "T"
fields { id : text key  alert : number  severity : number  stale : number  after : number  of : number
         previous : number  days : number  none : enum(info, high) }
bands { low from 0 color red }
measure weeks { value = alert + severity + stale + after + of + previous + days  score = value }
model default { weeks 1 }
segment alert when none == info use default
label stale when alert > 1 and days < 2
)";
  FrontendResult r = run_frontend_text("t.health", text);
  EXPECT_TRUE(r.ok()) << r.diags.items().front().message;
  EXPECT_EQ(r.card.segments.at(0).name.text, "alert");
}

TEST(ParseV2, OperatorChainsThroughLabelAndSegmentAreStillCounted) {
  // `segment` and `label` here are operands, not new declarations, so the chain is one
  // declaration's and is refused past the operator limit rather than nesting without bound.
  for (const char* word : {"segment", "label", "alert"}) {
    std::string chain;
    for (int i = 0; i < 5000; ++i) chain += std::string(" or ") + word + " == x";
    FrontendResult r = run_frontend_text("chain.health", std::string("scorecard \"x\"\nalert z when x == x") + chain + "\n");
    EXPECT_TRUE(has_code(r, "E0006")) << word;
  }
}

}  // namespace
}  // namespace healthc
