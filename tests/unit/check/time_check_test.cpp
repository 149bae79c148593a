// The checker's v2 rules beyond the golden files: the types of the past forms (spec table),
// alert `for` lists and severities as later stages read them, and one error per mistake.
#include <gtest/gtest.h>

#include <string>

#include "compiler/frontend.h"

namespace healthc {
namespace {

constexpr const char* kHead = R"(scorecard "T"
fields { id : text key  x : number  tier : enum(a, b) }
bands { low from 0 color red  high from 50 color green }
measure m { value = x  score = linear(value, 0 -> 0, 10 -> 100) }
measure e { value = tier  score = match value { a -> 100, b -> 0 } }
model default { m 1  e 1 }
segment big when tier == b use default
override o when x > 100 => cap 10
label l when score > 10
)";

FrontendResult check_text(const std::string& body) { return run_frontend_text("t.health", std::string(kHead) + body); }

size_t errors(const FrontendResult& r) { return r.diags.count(Severity::Error); }

TEST(TimeCheck, PastFormsHaveTheSpecsTypes) {
  FrontendResult r = check_text(R"(alert t when previous.score > 1 and change(score, 1 day) > 0
alert u when previous.band == low and previous.segment == big and previous.label == l and previous.override == o
alert v when previous.e.value == a and previous.m.value > 1 and previous.m.score > 1
)");
  ASSERT_TRUE(r.ok()) << r.diags.items().front().message;
  const auto& alerts = r.card.alerts;
  auto type_of_left = [](const ast::Expr& cmp) { return cmp.args.at(0)->type.kind; };
  const ast::Expr& t = *alerts[0].condition;
  EXPECT_EQ(type_of_left(*t.args[0]), ast::Type::Number);
  EXPECT_EQ(t.args[1]->args[0]->type.kind, ast::Type::Number);  // change(...)
  const ast::Expr& u = *alerts[1].condition;  // ((band and segment) and label) and override
  EXPECT_EQ(type_of_left(*u.args[1]), ast::Type::OverrideSet);
  EXPECT_EQ(type_of_left(*u.args[0]->args[1]), ast::Type::LabelSet);
  EXPECT_EQ(type_of_left(*u.args[0]->args[0]->args[1]), ast::Type::SegmentSet);
  EXPECT_EQ(type_of_left(*u.args[0]->args[0]->args[0]), ast::Type::BandSet);
  const ast::Expr& v = *alerts[2].condition;
  const ast::Type enum_type = v.args[0]->args[0]->args[0]->type;
  EXPECT_EQ(enum_type.kind, ast::Type::Enum);  // as e.value: an enum of `tier`
  EXPECT_EQ(enum_type.index, 2);
}

TEST(TimeCheck, AlertForListsAndSeveritiesAreResolved) {
  FrontendResult r = check_text(R"(alert a for big, default when x > 1 severity info
alert b when x > 2
alert c for default when x > 3 severity critical
)");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.checked.checked.alert_segments,
            (std::vector<std::vector<int32_t>>{{0, -1}, {}, {-1}}));
  EXPECT_EQ(r.checked.checked.alert_severity, (std::vector<uint8_t>{0, 2, 4}));
}

TEST(TimeCheck, OneMistakeOneError) {
  EXPECT_EQ(errors(check_text("alert a when previous.band == hihg\n")), 1u);
  EXPECT_EQ(errors(check_text("segment s when previous.band == low use default\n")), 1u);
  EXPECT_EQ(errors(check_text("label k when change(x, 7 days) > 0\n")), 1u);
  EXPECT_EQ(errors(check_text("label k when change(score) > 0\n")), 1u);
  EXPECT_EQ(errors(check_text("label k when foo.band == low\n")), 1u);
}

TEST(TimeCheck, LabelIsReadOnlyInAlerts) {
  EXPECT_TRUE(check_text("alert a when label == l\n").ok());
  EXPECT_FALSE(check_text("label k when label == l\n").ok());
  EXPECT_FALSE(check_text("override p when label == l => cap 1\n").ok());
}

}  // namespace
}  // namespace healthc
