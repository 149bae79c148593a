// `healthc report`'s page: every section has its heading, text from the store is escaped (an
// account key with `<` stays text), nothing refers to the network, charts carry a text
// alternative, long lists end with a count of what was left out; and the JSON dump's figures.
#include "compiler/driver/report_html.h"

#include <gtest/gtest.h>

#include "compiler/driver/report_svg.h"

namespace healthc::driver {
namespace {

analysis::ReportModel model() {
  analysis::ReportModel m;
  m.title = "B2B <health> & \"co\"";
  m.as_of = "2026-11-23";
  m.previous_as_of = "2026-11-16";
  m.snapshots = 2;
  m.headline.accounts = 3;
  m.headline.previous_accounts = 2;
  for (const char* b : {"critical", "healthy", "unscored"}) m.headline.bands.push_back({b, 1, 1, 1, 1});
  m.band_colors = {"red", "green", ""};
  m.over_time.bands = {"critical", "healthy", "unscored"};
  m.over_time.dates = {"2026-11-16", "2026-11-23"};
  m.over_time.accounts = {{1, 1, 0}, {1, 1, 1}};
  m.over_time.mean_score = {50, 40};
  m.segments = {{"default", {1, 1, 1}}};
  m.segments_total = 1;
  m.histogram.now.assign(10, 0);
  m.histogram.previous.assign(10, 1);
  m.has_alerts = true;
  m.alerts.by_severity.assign(5, 0);
  m.alerts.total = 60;
  analysis::AlertRow row;
  row.severity = "critical";
  row.alert = "went_critical";
  row.account = "<script>alert(1)</script>";
  row.band = "critical";
  m.alerts.shown.push_back(row);
  m.movers.down_total = 1;
  analysis::ReportMover mv;
  mv.account = "acct<7>";
  mv.before = 90;
  mv.after = 30;
  mv.lines.push_back({"adoption", -60, -60, 0});
  m.movers.down.push_back(mv);
  m.stale.present = true;
  m.stale.measures = {"csm"};
  m.stale.now = {1};
  return m;
}

TEST(ReportHtml, EverySectionHasItsHeading) {
  const std::string page = render_report_html(model());
  for (const char* h : {"<h2>Headline</h2>", "<h2>Bands over time</h2>", "Bands per segment</h3>",
                        "<h2>Score distribution</h2>", "<h2>Alerts that fired</h2>", "<h2>Top movers</h2>",
                        "<h2>Roll-ups</h2>", "<h2>Stale subjective inputs</h2>"})
    EXPECT_NE(page.find(h), std::string::npos) << h;
  EXPECT_EQ(page.find("Outcome per band"), std::string::npos);  // only with --outcome
  EXPECT_NE(page.find("The store has no roll-ups"), std::string::npos);
}

TEST(ReportHtml, TextFromTheStoreIsEscaped) {
  const std::string page = render_report_html(model());
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("acct&lt;7&gt;"), std::string::npos);
  EXPECT_NE(page.find("B2B &lt;health&gt; &amp; &quot;co&quot;"), std::string::npos);
  EXPECT_EQ(svg::escape("a'b"), "a&#39;b");
  EXPECT_EQ(svg::escape(std::string("a\0b\x01", 4)), "a b ");
}

TEST(ReportHtml, NothingComesFromTheNetwork) {
  const std::string page = render_report_html(model());
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
}

TEST(ReportHtml, ChartsHaveTextAlternativesAndLongListsACount) {
  const std::string page = render_report_html(model());
  EXPECT_NE(page.find("<title>Accounts per band over time</title>"), std::string::npos);
  EXPECT_NE(page.find("<title>Score distribution, now and in the previous snapshot</title>"), std::string::npos);
  EXPECT_NE(page.find("and 59 more alerts"), std::string::npos);
  EXPECT_NE(page.find("@page { size: A4"), std::string::npos);
}

TEST(ReportHtml, RollupsAreTablesWithATrendPerGroup) {
  auto m = model();
  analysis::RollupSection r;
  r.name = "region";
  r.title = "ARR by <region>";
  r.by = {"region"};
  r.weight = "arr";
  r.low_band = "critical";
  r.groups_total = 30;
  analysis::RollupRow row;
  row.group = "EMEA / (missing)";
  row.accounts = 1200;
  row.score = 41;
  row.band = "at_risk";
  row.weight = 2500000;
  row.low_weight = 125000;
  row.change = -3;
  row.trend = {50, -1, 41};
  r.shown.push_back(row);
  m.rollups.push_back(r);
  const std::string page = render_report_html(m);
  EXPECT_EQ(page.find("The store has no roll-ups"), std::string::npos);
  EXPECT_NE(page.find("<h3>ARR by &lt;region&gt;</h3>"), std::string::npos);
  EXPECT_NE(page.find("<td>EMEA / (missing)</td><td class=\"n\">1,200</td><td class=\"n\">41</td>"), std::string::npos);
  EXPECT_NE(page.find("2,500,000"), std::string::npos);
  EXPECT_NE(page.find("arr in critical"), std::string::npos);
  EXPECT_NE(page.find("<title>score over time: 2026-11-16 50, 2026-11-23 -, "), std::string::npos);
  EXPECT_NE(page.find("and 29 more groups"), std::string::npos);
}

TEST(ReportSvg, GroupedNumbersAndBandFills) {
  EXPECT_EQ(svg::grouped(1234567.4), "1,234,567");
  EXPECT_EQ(svg::grouped(-1000), "-1,000");
  EXPECT_EQ(svg::grouped(12), "12");
  EXPECT_EQ(svg::band_fill("critical", "red", 0), "#D55E00");
  EXPECT_EQ(svg::band_fill("unscored", "", 3), "#999999");
  // A gap where the group had no score: two lines, not one across it.
  const std::string spark = svg::sparkline({50, -1, 70, 80}, {});
  size_t lines = 0;
  for (size_t at = spark.find("<polyline"); at != std::string::npos; at = spark.find("<polyline", at + 1)) ++lines;
  EXPECT_EQ(lines, 2u);
}

TEST(ReportJson, DumpsTheFigures) {
  const std::string j = render_report_json(model());
  EXPECT_NE(j.find("\"as_of\": \"2026-11-23\""), std::string::npos);
  EXPECT_NE(j.find("\"account\": \"<script>alert(1)</script>\""), std::string::npos);  // JSON, not HTML
  EXPECT_NE(j.find("\"outcome\": null"), std::string::npos);
}

}  // namespace
}  // namespace healthc::driver
