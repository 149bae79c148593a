// `healthc rollup`'s rendering of a hand-made roll-up: worst score first in text and Markdown
// (groups without a score last), missing and empty key cells told apart, the change column,
// JSON in key order with nulls.
#include "compiler/driver/rollup_report.h"

#include <gtest/gtest.h>

#include <limits>

namespace healthc::driver {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

analysis::RollupGroup group(std::optional<std::string> region, int32_t score, std::optional<int32_t> change) {
  analysis::RollupGroup g;
  g.key = {std::move(region)};
  g.accounts = 2;
  g.scored = score < 0 ? 0 : 2;
  g.unscored = 2 - g.scored;
  g.score = score;
  g.band = score < 0 ? 2 : score >= 50 ? 1 : 0;
  g.min_score = score < 0 ? -1 : score - 5;
  g.min_account = score < 0 ? "" : "acct-" + std::to_string(score);
  g.band_accounts = {score >= 0 && score < 50 ? 2 : 0, score >= 50 ? 2 : 0};
  g.band_weight = {score >= 0 && score < 50 ? 1500.5 : 0.0, score >= 50 ? 3000.0 : 0.0};
  g.measure_score = {score < 0 ? kNaN : score + 0.25};
  g.score_change = change;
  return g;
}

RollupView view() {
  RollupView v;
  v.scorecard = "B2B";
  v.as_of = "2026-11-08";
  v.previous_as_of = "2026-11-01";
  v.previous_has_rollup = true;
  analysis::RollupTable& t = v.table;
  t.name = "region";
  t.title = "By region";
  t.by = {"region"};
  t.weight = "arr";
  t.bands = {"red", "green"};
  t.measures = {"adoption"};
  // In key order (missing first), as the store returns them.
  t.groups = {group(std::nullopt, -1, std::nullopt), group("", 60, 3), group("AMER", 40, -7), group("EMEA", 40, std::nullopt),
              group("APAC", 80, 0)};
  return v;
}

TEST(RollupReport, TextIsWorstScoreFirstWithUnscoredGroupsLastAndTiesInKeyOrder) {
  EXPECT_EQ(worst_first(view().table), (std::vector<size_t>{2, 3, 1, 4, 0}));
  std::string out;
  render_rollup(view(), HistoryFormat::Text, out);
  const size_t amer = out.find("AMER"), emea = out.find("EMEA"), empty = out.find("\"\""),
               apac = out.find("APAC"), missing = out.find("(missing)");
  ASSERT_NE(missing, std::string::npos) << out;
  EXPECT_LT(amer, emea);
  EXPECT_LT(emea, empty);
  EXPECT_LT(empty, apac);
  EXPECT_LT(apac, missing);
  EXPECT_NE(out.find("Roll-up By region (region) of \"B2B\" as of 2026-11-08: by region, weighted by arr"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("change since 2026-11-01"), std::string::npos);
  EXPECT_NE(out.find("red_arr"), std::string::npos);
  EXPECT_NE(out.find("1500.50"), std::string::npos);  // a weight with cents
  EXPECT_NE(out.find("3000 "), std::string::npos);    // a whole weight without
  // The AMER line: score 40, band red, change -7, the lowest account.
  const std::string line = out.substr(out.rfind('\n', amer) + 1, out.find('\n', amer) - out.rfind('\n', amer) - 1);
  EXPECT_NE(line.find("40  red"), std::string::npos) << line;
  EXPECT_NE(line.find("-7"), std::string::npos) << line;
  EXPECT_NE(line.find("acct-40"), std::string::npos) << line;
}

TEST(RollupReport, ThePreviousSnapshotIsNamedOrItsAbsenceSaid) {
  RollupView v = view();
  v.previous_has_rollup = false;
  std::string out;
  render_rollup(v, HistoryFormat::Text, out);
  EXPECT_NE(out.find("that snapshot has no roll-up `region` by the same fields"), std::string::npos) << out;
  v.previous_as_of.reset();
  out.clear();
  render_rollup(v, HistoryFormat::Markdown, out);
  EXPECT_NE(out.find("no previous snapshot"), std::string::npos) << out;
  EXPECT_EQ(out.rfind("### Roll-up By region", 0), 0u) << out;
  EXPECT_NE(out.find("| region | accounts |"), std::string::npos) << out;
}

TEST(RollupReport, JsonKeepsKeyOrderAndWritesMissingAsNull) {
  std::string out;
  render_rollup(view(), HistoryFormat::Json, out);
  EXPECT_EQ(out.find("{\"scorecard\":\"B2B\",\"as_of\":\"2026-11-08\",\"previous_as_of\":\"2026-11-01\""), 0u) << out;
  const size_t missing = out.find("{\"key\":{\"region\":null}"), empty = out.find("{\"key\":{\"region\":\"\"}"),
               amer = out.find("{\"key\":{\"region\":\"AMER\"}");
  ASSERT_NE(missing, std::string::npos) << out;
  EXPECT_LT(missing, empty);
  EXPECT_LT(empty, amer);
  EXPECT_NE(out.find("\"score\":null,\"band\":\"unscored\",\"score_change\":null,\"min_score\":null,\"min_account\":null"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\"score_change\":-7"), std::string::npos);
  EXPECT_NE(out.find("\"red\":{\"accounts\":2,\"weight\":1500.5}"), std::string::npos) << out;
  EXPECT_NE(out.find("\"measures\":{\"adoption\":null}"), std::string::npos) << out;
  EXPECT_EQ(out.back(), '\n');
}

}  // namespace
}  // namespace healthc::driver
