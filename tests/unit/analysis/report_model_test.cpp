// `healthc report`'s figures on in-memory snapshots: the headline per band and its change, the
// weight from a weighted roll-up, movers each way with their attribution, the histogram, the
// roll-up rows worst first with their trend, stale inputs per segment, outcome rates, the limits.
#include "runtime/analysis/report_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace healthc::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

history::CardNames names() {
  history::CardNames n;
  n.key_field = "account_id";
  n.segments = {"enterprise", "default"};
  n.bands = {"critical", "at_risk", "healthy", "unscored"};
  n.band_colors = {"red", "yellow", "green", ""};
  n.measures = {"adoption", "support"};
  n.alerts = {"went_critical"};
  n.alert_titles = {"Went critical"};
  n.alert_severities = {ir::Severity::Critical};
  n.stale_measures = {"support"};
  return n;
}

int32_t band_of(int32_t s) { return s < 0 ? 3 : s >= 71 ? 2 : s >= 31 ? 1 : 0; }

history::AccountRecord account(const std::string& key, int64_t row, int32_t segment, double adoption, double support) {
  history::AccountRecord r;
  r.key = key;
  r.row = row;
  r.segment = segment;
  r.m_value = {adoption / 100, 0};
  r.m_score = {adoption, support};
  r.m_weight = {0.5, 0.5};
  const double raw = 0.5 * adoption + 0.5 * support;
  r.weighted = r.score = static_cast<int32_t>(std::floor(raw + 0.5 + 1e-9));
  r.band = band_of(r.score);
  if (r.band == 0) r.alerts_active = 1;
  return r;
}

history::Snapshot snapshot(const std::string& as_of, std::vector<history::AccountRecord> accounts) {
  history::Snapshot s;
  s.info.title = "B2B";
  s.info.as_of = as_of;
  s.names = names();
  s.accounts = std::move(accounts);
  for (auto& a : s.accounts) a.alerts_fired = a.alerts_active;  // fixed below where it was active before
  return s;
}

RollupTable region(std::vector<std::pair<std::string, int32_t>> groups) {
  RollupTable t;
  t.name = "region";
  t.by = {"region"};
  t.weight = "arr";
  t.bands = {"critical", "at_risk", "healthy"};
  for (auto& [name, score] : groups) {
    RollupGroup g;
    g.key = {name};
    g.accounts = g.scored = 1;
    g.score = score;
    g.band = band_of(score);
    g.band_accounts.assign(3, 0);
    g.band_weight.assign(3, 0);
    g.band_accounts[g.band] = 1;
    g.band_weight[g.band] = 1000;
    t.groups.push_back(g);
  }
  return t;
}

struct Fixture {
  history::Snapshot before = snapshot("2026-11-16", {account("a", 0, 0, 100, 100), account("b", 1, 1, 60, 60),
                                                     account("c", 2, 1, 10, 10), account("gone", 3, 1, 50, 50)});
  history::Snapshot after = snapshot("2026-11-23", {account("a", 0, 0, 20, 20), account("b", 1, 1, 90, 80),
                                                    account("c", 2, 1, 20, 10), account("new", 3, 1, 80, 80)});
  ReportInputs in;
  Fixture() {
    after.accounts[2].alerts_fired = 0;  // c was critical before too: active, not fired
    after.accounts[1].stale = 1;
    after.accounts[2].stale = 1;
    before.accounts[2].stale = 1;
    in.latest = &after;
    in.previous = &before;
    for (const auto* s : {&before, &after}) {
      history::BandCounts bc;
      bc.as_of = s->info.as_of;
      bc.bands = s->names.bands;
      bc.accounts.assign(4, 0);
      for (const auto& a : s->accounts) ++bc.accounts[a.band], ++bc.scored, bc.score_sum += a.score;
      in.over_time.push_back(bc);
    }
    in.rollups = {{region({{"emea", 50}, {"amer", 80}})}, {region({{"emea", 20}, {"amer", 90}, {"apac", 60}})}};
  }
};

TEST(ReportModel, HeadlineCountsEachBandAgainstThePreviousSnapshot) {
  Fixture f;
  const auto m = build_report(f.in);
  EXPECT_EQ(m.headline.accounts, 4);
  EXPECT_EQ(m.headline.new_accounts, 1);
  EXPECT_EQ(m.headline.gone_accounts, 1);
  ASSERT_EQ(m.headline.bands.size(), 4u);
  // After: a 20 critical, b 85 healthy, c 15 critical, new 80 healthy. Before: 100, 60, 10, 50.
  EXPECT_EQ(m.headline.bands[0].accounts, 2);
  EXPECT_EQ(m.headline.bands[0].previous_accounts, 1);
  EXPECT_EQ(m.headline.bands[1].accounts, 0);
  EXPECT_EQ(m.headline.bands[1].previous_accounts, 2);
  EXPECT_EQ(m.headline.bands[2].accounts, 2);
  EXPECT_DOUBLE_EQ(m.headline.mean_score, (20 + 85 + 15 + 80) / 4.0);
  // The weight is the weighted roll-up's field, summed over its groups.
  EXPECT_EQ(m.headline.weight_field, "arr");
  EXPECT_DOUBLE_EQ(m.headline.bands[0].weight, 1000);  // emea
  EXPECT_DOUBLE_EQ(m.headline.bands[1].weight, 1000);  // apac
  EXPECT_DOUBLE_EQ(m.headline.bands[1].previous_weight, 1000);  // emea at 50
  EXPECT_TRUE(std::isnan(m.headline.bands[3].weight));  // the roll-up has no unscored band
}

TEST(ReportModel, WithoutAWeightedRollupTheWeightIsTheCount) {
  Fixture f;
  f.in.rollups.clear();
  const auto m = build_report(f.in);
  EXPECT_EQ(m.headline.weight_field, "");
  EXPECT_DOUBLE_EQ(m.headline.bands[2].weight, 2);
  EXPECT_DOUBLE_EQ(m.headline.bands[2].previous_weight, 1);
  EXPECT_TRUE(m.rollups.empty());
}

TEST(ReportModel, MoversEachWayCarryTheirAttribution) {
  Fixture f;
  const auto m = build_report(f.in);
  EXPECT_EQ(m.movers.in_both, 3);
  EXPECT_EQ(m.movers.down_total, 1);
  EXPECT_EQ(m.movers.up_total, 2);
  ASSERT_EQ(m.movers.down.size(), 1u);
  const auto& a = m.movers.down[0];
  EXPECT_EQ(a.account, "a");
  EXPECT_EQ(a.before, 100);
  EXPECT_EQ(a.after, 20);
  double sum = 0;
  for (const auto& l : a.lines) sum += l.change;
  EXPECT_NEAR(sum, -80, 1e-9);  // the lines add up to the change, as in `healthc changes`
  ASSERT_EQ(m.movers.up.size(), 2u);
  EXPECT_EQ(m.movers.up[0].account, "b");  // +25 before c's +5
  EXPECT_EQ(m.movers.up[1].account, "c");
  f.in.limits.movers = 1;
  EXPECT_EQ(build_report(f.in).movers.up.size(), 1u);
  EXPECT_EQ(build_report(f.in).movers.up_total, 2);
}

TEST(ReportModel, HistogramBinsTenPointsWithOneHundredInTheLast) {
  Fixture f;
  const auto m = build_report(f.in);
  ASSERT_EQ(m.histogram.now.size(), 10u);
  EXPECT_EQ(m.histogram.now[1], 1);  // 15
  EXPECT_EQ(m.histogram.now[2], 1);  // 20
  EXPECT_EQ(m.histogram.now[8], 2);  // 85, 80
  EXPECT_EQ(m.histogram.previous[9], 1);  // 100
  EXPECT_EQ(m.histogram.previous[1], 1);  // 10
}

TEST(ReportModel, AlertsFiredOnlyOnTheirEdge) {
  Fixture f;
  const auto m = build_report(f.in);
  EXPECT_EQ(m.alerts.total, 1);  // a went critical; c was critical already
  EXPECT_EQ(m.alerts.by_severity[static_cast<size_t>(ir::Severity::Critical)], 1);
  ASSERT_EQ(m.alerts.by_alert.size(), 1u);
  EXPECT_EQ(m.alerts.by_alert[0].alert, "went_critical");
  EXPECT_EQ(m.alerts.by_alert[0].fired, 1);
  ASSERT_EQ(m.alerts.shown.size(), 1u);
  EXPECT_EQ(m.alerts.shown[0].account, "a");
  EXPECT_EQ(m.alerts.shown[0].previous_score, 100);
  EXPECT_EQ(m.alerts.shown[0].previous_band, "healthy");
}

TEST(ReportModel, RollupRowsWorstFirstWithATrendPerGroup) {
  Fixture f;
  const auto m = build_report(f.in);
  ASSERT_EQ(m.rollups.size(), 1u);
  const auto& r = m.rollups[0];
  EXPECT_EQ(r.groups_total, 3);
  ASSERT_EQ(r.shown.size(), 3u);
  EXPECT_EQ(r.shown[0].group, "emea");
  EXPECT_EQ(r.shown[1].group, "apac");
  EXPECT_EQ(r.shown[2].group, "amer");
  EXPECT_EQ(r.shown[0].trend, (std::vector<int32_t>{50, 20}));
  EXPECT_EQ(r.shown[1].trend, (std::vector<int32_t>{-1, 60}));  // no apac group before
  f.in.limits.groups = 1;
  EXPECT_EQ(build_report(f.in).rollups[0].shown.size(), 1u);
}

TEST(ReportModel, StaleInputsPerSegmentAndNewlyStale) {
  Fixture f;
  const auto m = build_report(f.in);
  ASSERT_TRUE(m.stale.present);
  EXPECT_EQ(m.stale.now, (std::vector<int64_t>{2}));
  EXPECT_EQ(m.stale.previous, (std::vector<int64_t>{1}));
  EXPECT_EQ(m.stale.newly_stale, 1);  // b; c was stale before
  EXPECT_EQ(m.stale.grouped_by, "segment");
  ASSERT_EQ(m.stale.rows.size(), 2u);
  EXPECT_EQ(m.stale.rows[1].group, "default");
  EXPECT_EQ(m.stale.rows[1].accounts, 3);
  EXPECT_EQ(m.stale.rows[1].stale, (std::vector<int64_t>{2}));
}

TEST(ReportModel, OutcomeRatePerBandAndLift) {
  Fixture f;
  f.in.outcome = std::unordered_map<std::string, bool>{{"a", true}, {"c", true}, {"b", false}, {"zz", false}};
  const auto m = build_report(f.in);
  ASSERT_TRUE(m.outcome.present);
  EXPECT_EQ(m.outcome.matched, 3);
  EXPECT_EQ(m.outcome.without_outcome, 1);  // new
  EXPECT_EQ(m.outcome.not_in_snapshot, 1);  // zz
  EXPECT_EQ(m.outcome.bands[0].rate.count, 2u);
  EXPECT_EQ(m.outcome.bands[0].rate.positives, 2u);
  EXPECT_NEAR(m.outcome.bands[0].lift, 1.0 / (2.0 / 3.0), 1e-12);
}

TEST(ReportModel, ASingleSnapshotHasNoChanges) {
  Fixture f;
  f.in.previous = nullptr;
  f.in.over_time.erase(f.in.over_time.begin());
  f.in.rollups.erase(f.in.rollups.begin());
  const auto m = build_report(f.in);
  EXPECT_EQ(m.headline.previous_accounts, -1);
  EXPECT_TRUE(m.histogram.previous.empty());
  EXPECT_TRUE(m.movers.down.empty());
  EXPECT_EQ(m.alerts.total, 1);  // the fired masks as the store recorded them
  EXPECT_EQ(m.stale.newly_stale, 2);
  EXPECT_EQ(m.over_time.dates.size(), 1u);
  EXPECT_TRUE(std::isnan(m.headline.previous_mean_score));
  (void)kNaN;
}

}  // namespace
}  // namespace healthc::analysis
