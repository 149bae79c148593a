// The store readers' rendering on in-memory snapshots: `healthc history` (table, sparkline, CSV,
// JSON), `healthc changes` (transitions, order, attribution lines, the CSV of issue 14 item 6)
// and `healthc alerts` (the spec's order, the alerts file's columns, --severity).
#include "compiler/driver/history_report.h"
#include "compiler/driver/history_report_cells.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace healthc::driver {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

history::CardNames card_names() {
  history::CardNames n;
  n.key_field = "account_id";
  n.segments = {"enterprise", "default"};
  n.bands = {"critical", "at_risk", "healthy", "unscored"};
  n.labels = {"expand", "action"};
  n.overrides = {"csm_red"};
  n.measures = {"adoption", "support"};
  n.alerts = {"went_red", "slipping"};
  n.alert_titles = {"Went red", ""};
  n.alert_severities = {ir::Severity::Low, ir::Severity::Critical};
  return n;
}

int32_t band_of(int32_t s) { return s < 0 ? 3 : s >= 71 ? 2 : s >= 31 ? 1 : 0; }

// An account scored with adoption and support at half weight each, no override.
history::AccountRecord account(const std::string& key, int64_t row, double adoption, double support) {
  history::AccountRecord r;
  r.key = key;
  r.row = row;
  r.segment = 1;
  r.m_value = {adoption / 100, 0};
  r.m_score = {adoption, support};
  r.m_weight = {0.5, 0.5};
  const double raw = 0.5 * adoption + 0.5 * support;
  r.weighted = r.score = std::isnan(raw) ? -1 : static_cast<int32_t>(std::floor(raw + 0.5 + 1e-9));
  r.band = band_of(r.score);
  return r;
}

history::Snapshot snapshot(const std::string& as_of, std::vector<history::AccountRecord> accounts) {
  history::Snapshot s;
  s.info.title = "B2B";
  s.info.as_of = as_of;
  s.info.card_hash = "h";
  s.names = card_names();
  s.accounts = std::move(accounts);
  return s;
}

TEST(HistoryReport, SparklineSpansTheBlocksAndLeavesUnscoredBlank) {
  EXPECT_EQ(sparkline({0, 50, 100, -1, 99}), "▁▄█ ▇");
}

TEST(HistoryReport, HistoryTableHasChangeBandAndMeasureScores) {
  history::AccountHistory h;
  h.names.push_back(std::make_unique<history::CardNames>(card_names()));
  auto entry = [&](const std::string& date, history::AccountRecord r) {
    history::AccountHistoryEntry e;
    e.info.as_of = date;
    e.names = h.names[0].get();
    e.record = std::move(r);
    h.entries.push_back(std::move(e));
  };
  entry("2026-11-01", account("a", 0, 80, 80));
  auto r2 = account("a", 0, 40, 60);
  r2.label = 1;
  r2.override_ = 0;
  entry("2026-11-08", r2);
  auto r3 = account("a", 0, kNaN, kNaN);
  r3.weighted = r3.score = -1;
  r3.band = 3;
  entry("2026-11-15", r3);

  const std::string csv = render_history(h, "B2B", "a", HistoryFormat::Csv);
  EXPECT_EQ(csv,
            "as_of,score,change,band,label,override,alerts_fired,adoption.score,support.score\n"
            "2026-11-01,80,,healthy,,,,80,80\n"
            "2026-11-08,50,-30,at_risk,action,csm_red,,40,60\n"
            "2026-11-15,,,unscored,,,,,\n");
  const std::string text = render_history(h, "B2B", "a", HistoryFormat::Text);
  EXPECT_NE(text.find("account a in \"B2B\": 3 snapshots"), std::string::npos) << text;
  EXPECT_NE(text.find("score ▆▄ \n"), std::string::npos) << text;
  EXPECT_NE(text.find("unscored"), std::string::npos);
  const std::string json = render_history(h, "B2B", "a", HistoryFormat::Json);
  EXPECT_NE(json.find("\"as_of\":\"2026-11-08\",\"score\":50,\"change\":-30,\"band\":\"at_risk\",\"label\":\"action\","
                      "\"override\":\"csm_red\",\"alerts_fired\":[],\"stale\":[],\"measures\":{\"adoption\":40,\"support\":60}"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"score\":null,\"change\":null"), std::string::npos) << json;
}

// The change is against the previous snapshot, as `score --columns score_change`: none after a
// snapshot the account was absent from; machine formats carry no `+`, the text does.
TEST(HistoryReport, HistoryChangeOnlyAgainstTheSnapshotJustBefore) {
  history::AccountHistory h;
  h.names.push_back(std::make_unique<history::CardNames>(card_names()));
  auto entry = [&](const std::string& date, int32_t score) {
    history::AccountHistoryEntry e;
    e.info.as_of = date;
    e.names = h.names[0].get();
    e.record = account("a", 0, score, score);
    h.entries.push_back(std::move(e));
  };
  entry("2026-11-01", 40);
  entry("2026-11-08", 45);
  entry("2026-11-29", 80);  // absent on 11-15 and 11-22
  const std::vector<std::string> dates = {"2026-11-01", "2026-11-08", "2026-11-15", "2026-11-22", "2026-11-29"};
  const std::string csv = render_history(h, "B2B", "a", HistoryFormat::Csv, dates);
  EXPECT_NE(csv.find("2026-11-08,45,5,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("2026-11-29,80,,"), std::string::npos) << csv;
  const std::string text = render_history(h, "B2B", "a", HistoryFormat::Text, dates);
  EXPECT_NE(text.find("+5"), std::string::npos) << text;
  EXPECT_EQ(text.find("+35"), std::string::npos) << text;
}

TEST(HistoryReport, HistoryNamesFiredAlertsAndStaleMeasures) {
  history::AccountHistory h;
  auto n = card_names();
  n.stale_measures = {"support"};
  h.names.push_back(std::make_unique<history::CardNames>(n));
  history::AccountHistoryEntry e;
  e.info.as_of = "2026-11-01";
  e.names = h.names[0].get();
  e.record = account("a", 0, 80, 80);
  e.record.alerts_fired = 0b11;
  e.record.alerts_active = 0b11;
  e.record.stale = 0b1;
  h.entries.push_back(e);
  e.info.as_of = "2026-11-08";
  e.record.alerts_fired = 0;  // still active, so not fired again
  e.record.stale = 0;
  h.entries.push_back(e);
  const std::string csv = render_history(h, "B2B", "a", HistoryFormat::Csv);
  EXPECT_EQ(csv,
            "as_of,score,change,band,label,override,alerts_fired,stale,adoption.score,support.score\n"
            "2026-11-01,80,,healthy,,,went_red;slipping,support,80,80\n"
            "2026-11-08,80,0,healthy,,,,,80,80\n");
  const std::string json = render_history(h, "B2B", "a", HistoryFormat::Json);
  EXPECT_NE(json.find("\"alerts_fired\":[\"went_red\",\"slipping\"],\"stale\":[\"support\"]"), std::string::npos) << json;
  const std::string text = render_history(h, "B2B", "a", HistoryFormat::Text);
  EXPECT_NE(text.find("went_red;slipping  support"), std::string::npos) << text;
}

TEST(HistoryReport, HistoryColumnsCoverEveryCardVersion) {
  history::AccountHistory h;
  h.names.push_back(std::make_unique<history::CardNames>(card_names()));
  auto newer = card_names();
  newer.measures = {"support", "pulse"};
  h.names.push_back(std::make_unique<history::CardNames>(newer));
  history::AccountHistoryEntry e1, e2;
  e1.info.as_of = "2026-11-01", e1.names = h.names[0].get(), e1.record = account("a", 0, 80, 60);
  e2.info.as_of = "2026-11-08", e2.names = h.names[1].get(), e2.record = account("a", 0, 70, 90);
  h.entries.push_back(std::move(e1));
  h.entries.push_back(std::move(e2));
  const std::string csv = render_history(h, "B2B", "a", HistoryFormat::Csv);
  // The later version's measures first; its arrays are (support, pulse) = (70, 90).
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "as_of,score,change,band,label,override,alerts_fired,support.score,pulse.score,adoption.score");
  EXPECT_NE(csv.find("2026-11-01,70,,at_risk,,,,60,,80\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("2026-11-08,80,10,healthy,,,,70,90,\n"), std::string::npos) << csv;
}

TEST(HistoryReport, ChangesOrderLargestDropFirstTiesInRowOrder) {
  const auto before = snapshot("2026-11-01", {account("up", 0, 40, 40), account("drop5", 1, 80, 80),
                                              account("drop20", 2, 80, 80), account("gone", 3, 50, 50),
                                              account("same", 4, 60, 60), account("drop5b", 5, 80, 80)});
  const auto after = snapshot("2026-11-08", {account("drop5b", 0, 70, 80), account("drop20", 1, 40, 80),
                                             account("up", 2, 60, 60), account("new", 3, 50, 50),
                                             account("same", 4, 60, 60), account("drop5", 5, 70, 80)});
  const auto r = analysis::compute_changes(before, after, {});
  EXPECT_EQ(r.in_both, 5);
  EXPECT_EQ(r.only_after, 1);
  EXPECT_EQ(r.only_before, 1);
  std::vector<std::string> order;
  for (const auto& p : r.accounts) order.push_back(after.accounts[p.after].key);
  EXPECT_EQ(order, (std::vector<std::string>{"drop20", "drop5b", "drop5", "same", "up"}));

  std::string text;
  render_changes(r, HistoryFormat::Text, text, nullptr);
  EXPECT_NE(text.find("accounts: 5 in both, 1 new, 1 gone"), std::string::npos) << text;
  EXPECT_NE(text.find("accounts that moved: 4"), std::string::npos) << text;
  EXPECT_NE(text.find("drop20: 80 -> 60 (-20); band healthy -> at_risk"), std::string::npos) << text;
  EXPECT_NE(text.find("adoption   -20.0     -20.0        0.0"), std::string::npos) << text;
  EXPECT_EQ(text.find("same:"), std::string::npos) << text;

  const auto only_big = analysis::compute_changes(before, after, {"", 10, false});
  EXPECT_EQ(only_big.accounts.size(), 2u);  // drop20, up
  const auto band_only = analysis::compute_changes(before, after, {"", 0, true});
  ASSERT_EQ(band_only.accounts.size(), 1u);
  EXPECT_EQ(after.accounts[band_only.accounts[0].after].key, "drop20");
}

TEST(HistoryReport, ChangesCsvHasTheIssueColumns) {
  auto a1 = account("acme", 0, 80, 60);
  auto a2 = account("acme", 0, 50, 60);  // weighted 55
  a2.override_ = 0;
  a2.score = 50;
  a2.band = 1;
  const auto before = snapshot("2026-11-01", {a1});
  const auto after = snapshot("2026-11-08", {a2});
  std::string csv;
  render_changes(analysis::compute_changes(before, after, {}), HistoryFormat::Csv, csv, nullptr);
  EXPECT_EQ(csv,
            "account_id,score1,score2,band1,band2,segment1,segment2,"
            "adoption.contribution,adoption.by_score,adoption.by_weight,"
            "support.contribution,support.by_score,support.by_weight,"
            "rounding1,rounding2,override1,override2,override_name1,override_name2\n"
            "acme,70,50,at_risk,at_risk,default,default,-15,-15,0,0,0,0,0,0,0,-5,,csm_red\n");
}

TEST(HistoryReport, ChangesCsvPrintsNoNegativeZero) {
  auto a2 = account("acme", 0, 0, 80);
  a2.m_weight = {0.25, 0.75};  // adoption's weight fell while it scored 0: (0.25 - 0.5) * 0 is -0
  a2.weighted = a2.score = 60;
  a2.band = 1;
  const auto before = snapshot("2026-11-01", {account("acme", 0, 40, 80)});
  const auto after = snapshot("2026-11-08", {a2});
  std::string csv;
  render_changes(analysis::compute_changes(before, after, {}), HistoryFormat::Csv, csv, nullptr);
  EXPECT_NE(csv.find("\nacme,60,60,at_risk,at_risk,default,default,-20,-20,0,20,0,20,"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("-0,"), std::string::npos) << csv;
}

TEST(HistoryReport, ChangesSayWhenAnAccountIsUnscoredOnASide) {
  auto a2 = account("acme", 0, kNaN, kNaN);
  a2.m_weight = {kNaN, kNaN};
  a2.weighted = a2.score = -1;
  a2.band = 3;
  const auto before = snapshot("2026-11-01", {account("acme", 0, 80, 60)});
  const auto after = snapshot("2026-11-08", {a2});
  const auto r = analysis::compute_changes(before, after, {"", 5, false});
  ASSERT_EQ(r.accounts.size(), 1u);  // an unscored flip passes --min-change
  std::string text, csv, md, json;
  render_changes(r, HistoryFormat::Text, text, nullptr);
  EXPECT_NE(text.find("acme: 70 -> unscored; band at_risk -> unscored"), std::string::npos) << text;
  EXPECT_NE(text.find("no weighted score in the later snapshot: no contributions"), std::string::npos) << text;
  render_changes(r, HistoryFormat::Csv, csv, nullptr);
  EXPECT_NE(csv.find("acme,70,,at_risk,unscored,default,default,,,,,,,0,,0,,,\n"), std::string::npos) << csv;
  render_changes(r, HistoryFormat::Markdown, md, nullptr);
  EXPECT_NE(md.find("| at_risk | unscored | 1 |"), std::string::npos) << md;
  render_changes(r, HistoryFormat::Json, json, nullptr);
  EXPECT_NE(json.find("\"key\":\"acme\",\"moved\":true,\"change\":null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"measures\":null"), std::string::npos) << json;
}

// Past one slice the CSV is rendered by two threads: the rows still come in the result's order,
// and a flushed output is the same text as a whole one.
TEST(HistoryReport, ChangesCsvInPiecesAndInOrder) {
  std::vector<history::AccountRecord> b, a;
  for (int i = 0; i < 100000; ++i) {
    b.push_back(account("acct" + std::to_string(i), i, 50, 50));
    a.push_back(account("acct" + std::to_string(i), i, 40 + i % 20, 50));
  }
  const auto before = snapshot("2026-11-01", b), after = snapshot("2026-11-08", a);
  std::string whole, out, pieces;
  int flushes = 0;
  const auto r = analysis::compute_changes(before, after, {});
  render_changes(r, HistoryFormat::Csv, whole, nullptr);
  render_changes(r, HistoryFormat::Csv, out, [&](std::string& s) { pieces += s, ++flushes; });
  pieces += out;
  EXPECT_GT(flushes, 0);
  EXPECT_EQ(pieces, whole);
  size_t line = 0, at = whole.find('\n') + 1;
  for (; at < whole.size(); at = whole.find('\n', at) + 1, ++line) {
    ASSERT_LT(line, r.accounts.size());
    const std::string& key = after.accounts[r.accounts[line].after].key;
    ASSERT_EQ(whole.compare(at, key.size() + 1, key + ","), 0) << "line " << line;
  }
  EXPECT_EQ(line, r.accounts.size());
  // The text lists the moved accounts in the same order, across slices too.
  std::string text;
  render_changes(r, HistoryFormat::Text, text, nullptr);
  size_t from = 0, listed = 0;
  for (const auto& p : r.accounts) {
    if (!r.moved(p)) continue;
    const std::string head = "\n  " + after.accounts[p.after].key + ": ";
    const size_t at = text.find(head, from);
    ASSERT_NE(at, std::string::npos) << head;
    from = at + head.size();
    ++listed;
  }
  EXPECT_EQ(listed, 90000u);  // scores 40..59 by adoption: two in twenty stay at 50
  EXPECT_NE(text.find(fmt::format("accounts that moved: {}", listed)), std::string::npos);
  std::string json;
  render_changes(r, HistoryFormat::Json, json, nullptr);
  EXPECT_EQ(json.substr(json.size() - 3), "]}\n");
  EXPECT_EQ(static_cast<size_t>(std::count(json.begin(), json.end(), '\n')), r.accounts.size() + 1);
}

TEST(HistoryReport, AlertsInSeverityThenFileThenRowOrder) {
  auto p = account("b", 0, 80, 80);
  auto x = account("a", 1, 20, 20);
  x.alerts_fired = 0b11;
  x.label = 1;
  auto y = account("b", 0, 20, 40);
  y.alerts_fired = 0b01;
  auto z = account("c", 2, 20, 40);
  z.alerts_fired = 0b10;
  const auto prev = snapshot("2026-11-01", {p});
  const auto snap = snapshot("2026-11-08", {x, y, z});
  const auto fired = analysis::fired_alerts(snap, &prev, ir::Severity::Info);
  std::string csv;
  render_alerts(snap, &prev, fired, HistoryFormat::Csv, csv);
  EXPECT_EQ(csv,
            "as_of,account_id,alert,title,severity,segment,score,previous_score,band,previous_band,label,reasons\n"
            "2026-11-08,a,slipping,,critical,default,20,,critical,,action,adoption -40.0; support -40.0\n"
            "2026-11-08,c,slipping,,critical,default,30,,critical,,,adoption -40.0; support -30.0\n"
            "2026-11-08,b,went_red,Went red,low,default,30,80,critical,healthy,,adoption -40.0; support -30.0\n"
            "2026-11-08,a,went_red,Went red,low,default,20,,critical,,action,adoption -40.0; support -40.0\n");
  const auto high = analysis::fired_alerts(snap, &prev, ir::Severity::High);
  EXPECT_EQ(high.size(), 2u);
  std::string json;
  render_alerts(snap, &prev, high, HistoryFormat::Json, json);
  EXPECT_EQ(json.substr(0, json.find('\n')),
            "{\"as_of\":\"2026-11-08\",\"account_id\":\"a\",\"alert\":\"slipping\",\"title\":\"\",\"severity\":"
            "\"critical\",\"segment\":\"default\",\"score\":20,\"previous_score\":null,\"band\":\"critical\","
            "\"previous_band\":null,\"label\":\"action\",\"reasons\":\"adoption -40.0; support -40.0\"}");
  std::string text;
  render_alerts(snap, nullptr, {}, HistoryFormat::Text, text);
  EXPECT_EQ(text, "alerts fired in \"B2B\" as of 2026-11-08: 0\n");
  text.clear();
  render_alerts(snap, &prev, high, HistoryFormat::Text, text, ir::Severity::High);
  EXPECT_EQ(text.substr(0, text.find('\n')), "alerts fired in \"B2B\" as of 2026-11-08 (high and above): 2");
}

TEST(HistoryReport, SeverityNamesRoundTrip) {
  for (auto s : {ir::Severity::Info, ir::Severity::Low, ir::Severity::Medium, ir::Severity::High, ir::Severity::Critical})
    EXPECT_EQ(analysis::parse_severity(analysis::severity_name(s)), s);
  EXPECT_FALSE(analysis::parse_severity("urgent"));
}

// JSON has no inf or NaN: the readers' JSON numbers are null for every non-finite value.
TEST(HistoryReport, JsonNumbersAreNeverInfOrNan) {
  for (double v : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity()}) {
    std::string out;
    cells::json_number(out, v);
    EXPECT_EQ(out, "null") << v;
  }
  std::string out;
  cells::json_number(out, 1.5e308);
  EXPECT_EQ(out, "1.5e+308");
}

}  // namespace
}  // namespace healthc::driver
