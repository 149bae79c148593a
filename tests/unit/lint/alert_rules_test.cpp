// The v2 lint rules, each as a pair (fires / stays silent): W408 alert-never-fires, W409
// alert-always-active; and a `stale after` date field counts as read (no W201).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compiler/frontend.h"
#include "compiler/lint/lint.h"

namespace healthc::lint {
namespace {

constexpr const char* kHead = R"(scorecard "T"
fields { id : text key  x : number  y : number optional  tier : enum(a, b)  seen : date optional }
bands { low from 0 color red  high from 50 color green }
measure m { value = x + coalesce(y, 0)  score = linear(value, 0 -> 0, 10 -> 100) }
measure n { value = x * 2  score = linear(value, 0 -> 0, 10 -> 100) }
measure o subjective stale after 30 days of seen { score = match tier { a -> 100, b -> 50 } }
model default { m 40  n 40  o 20 }
segment big when tier == b use default
)";

std::vector<std::string> codes(const std::string& body) {
  FrontendResult r = run_frontend_text("t.health", std::string(kHead) + body);
  EXPECT_TRUE(r.ok()) << (r.diags.items().empty() ? "" : r.diags.items().front().message);
  std::vector<std::string> out;
  if (!r.ok()) return out;
  const DiagnosticList found = lint(r.card, r.checked.checked, *r.file);
  for (const Diagnostic& d : found.items()) out.push_back(d.code);
  return out;
}

TEST(AlertRules, TheBaseCardIsClean) { EXPECT_EQ(codes(""), std::vector<std::string>{}); }

TEST(AlertRules, NeverFiresOnAContradictionButNotOnARealCondition) {
  EXPECT_EQ(codes("alert a when score > 80 and score < 20\n"), std::vector<std::string>{"W408"});
  EXPECT_EQ(codes("alert a when score > 20 and score < 80\n"), std::vector<std::string>{});
}

TEST(AlertRules, NeverFiresWhenNoAccountReachesItsSegments) {
  EXPECT_EQ(codes("segment gone when x > 5 and x < 2 use default\nalert a for gone when score < 50\n"),
            (std::vector<std::string>{"W401", "W408"}));
  EXPECT_EQ(codes("segment gone when x > 5 and x < 2 use default\nalert a for gone, big when score < 50\n"),
            (std::vector<std::string>{"W401"}));
  // `default` is unreachable when an earlier segment takes every account.
  EXPECT_EQ(codes("segment all when tier in [a, b] use default\nalert a for default when score < 50\n"),
            std::vector<std::string>{"W408"});
}

TEST(AlertRules, AlwaysActiveWhenTheConditionHoldsForEveryAccount) {
  EXPECT_EQ(codes("alert a when x > 3 or x <= 3\n"), std::vector<std::string>{"W409"});
  EXPECT_EQ(codes("alert a for big, default when true\n"), std::vector<std::string>{"W409"});
  // Not for every account: an optional field may be missing, the score may be unscored, a
  // `for` list may leave segments out.
  EXPECT_EQ(codes("alert a when y > 3 or y <= 3\n"), std::vector<std::string>{});
  EXPECT_EQ(codes("alert a when score >= 0\n"), std::vector<std::string>{});
  EXPECT_EQ(codes("alert a for big when true\n"), std::vector<std::string>{});
}

TEST(AlertRules, ThePastAndTheLabelAreReadAsAnything) {
  EXPECT_EQ(codes("label l when score < 10\nlabel k otherwise\n"
                  "alert a when previous.band == high and change(score, 7 days) < -10\n"
                  "alert b when label == l\nalert c when previous.score > 200\n"),
            std::vector<std::string>{});
}

TEST(AlertRules, AStaleRuleReadsItsDateField) {
  // `seen` is read only by `stale after`: no W201. Without the rule, it is unused.
  EXPECT_EQ(codes(""), std::vector<std::string>{});
  std::string text = std::string(kHead);
  text.replace(text.find("stale after 30 days of seen "), 28, "");
  FrontendResult r = run_frontend_text("t.health", text);
  ASSERT_TRUE(r.ok());
  const DiagnosticList diags = lint(r.card, r.checked.checked, *r.file);
  std::vector<std::string> found;
  for (const Diagnostic& d : diags.items()) found.push_back(d.code);
  EXPECT_EQ(found, std::vector<std::string>{"W201"});
}

TEST(AlertRules, TheV2ExampleHasTheV1ExamplesFindings) {
  FrontendResult r = run_frontend(std::string(HEALTHC_SOURCE_DIR) + "/examples/b2b_saas_v2.health");
  ASSERT_TRUE(r.ok());
  const DiagnosticList diags = lint(r.card, r.checked.checked, *r.file);
  std::vector<std::string> found;
  for (const Diagnostic& d : diags.items()) found.push_back(d.code);
  EXPECT_EQ(found, (std::vector<std::string>{"W201", "W501"}));
}

}  // namespace
}  // namespace healthc::lint
