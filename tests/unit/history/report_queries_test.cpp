// `healthc report` over a real store: the per-snapshot band counts of report_queries.h (GROUP BY,
// never a whole snapshot read), and the report's roll-up figures from the roll-ups the store
// recorded with each snapshot (Store::rollups): the weight per band and a trend per group.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <limits>

#include "runtime/analysis/report_model.h"
#include "runtime/history/report_queries.h"
#include "runtime/history/store.h"
#include "tests/unit/history/store_fixture.h"

namespace healthc::history {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class ReportQueriesTest : public StoreFixture {
 protected:
  void SetUp() override { make_dir("healthc_report_queries_test"); }

  static CardNames names() {
    CardNames n;
    n.key_field = "account_id";
    n.segments = {"default"};
    n.bands = {"red", "green", "unscored"};
    n.band_colors = {"red", "green", "grey"};
    n.measures = {"adoption"};
    n.measure_titles = {""};
    return n;
  }
  static AccountRecord account(const std::string& key, int64_t row, int32_t score) {
    AccountRecord a;
    a.key = key;
    a.row = row;
    a.weighted = a.score = score;
    a.band = score < 0 ? 2 : score >= 50 ? 1 : 0;
    a.m_value = {1};
    a.m_score = {score < 0 ? kNaN : static_cast<double>(score)};
    a.m_weight = {score < 0 ? kNaN : 1.0};
    return a;
  }
  // One roll-up `region` weighted by arr: EMEA (red or green by its score) and AMER (green).
  static analysis::RollupTable region(int32_t emea, double emea_arr) {
    analysis::RollupTable t;
    t.name = "region";
    t.by = {"region"};
    t.weight = "arr";
    t.bands = {"red", "green"};
    t.measures = {"adoption"};
    auto group = [](std::string key, int32_t score, double arr) {
      analysis::RollupGroup g;
      g.key = {std::move(key)};
      g.accounts = g.scored = 1;
      g.score = g.min_score = score;
      g.min_account = "a";
      g.band = score >= 50 ? 1 : 0;
      g.band_accounts = {score >= 50 ? 0 : 1, score >= 50 ? 1 : 0};
      g.band_weight = {score >= 50 ? 0.0 : arr, score >= 50 ? arr : 0.0};
      g.measure_score = {static_cast<double>(score)};
      return g;
    };
    t.groups = {group("AMER", 80, 500), group("EMEA", emea, emea_arr)};
    return t;
  }
  void write(Store& s, const std::string& as_of, const std::vector<AccountRecord>& accounts, int32_t emea) {
    auto w = s.begin_snapshot("T", as_of, "scorecard \"T\"", names(), "{}");
    for (const auto& a : accounts) w->add(a);
    w->add_rollups({region(emea, 1000)});
    w->commit(static_cast<int64_t>(accounts.size()), static_cast<int64_t>(accounts.size()), 0);
  }
};

TEST_F(ReportQueriesTest, BandCountsPerSnapshotInDateOrder) {
  {
    auto s = Store::open(path_, Store::Mode::ReadWrite);
    write(*s, "2026-11-08", {account("a", 0, 40), account("b", 1, 70), account("c", 2, -1)}, 60);
    write(*s, "2026-11-01", {account("a", 0, 90), account("b", 1, 30)}, 70);  // recorded later, dated earlier
    write(*s, "2026-11-15", {account("a", 0, 20), account("b", 1, 10), account("d", 2, 75)}, 20);
  }
  auto s = Store::open(path_, Store::Mode::ReadOnly);
  const auto snaps = s->snapshots("T");
  const auto counts = band_counts(path_, snaps, s->generation());
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0].as_of, "2026-11-01");
  EXPECT_EQ(counts[0].bands, (std::vector<std::string>{"red", "green", "unscored"}));
  EXPECT_EQ(counts[0].accounts, (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(counts[1].accounts, (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(counts[1].scored, 2);
  EXPECT_DOUBLE_EQ(counts[1].score_sum, 110);
  EXPECT_EQ(counts[2].accounts, (std::vector<int64_t>{2, 1, 0}));

  // The report's roll-up figures from what the store recorded.
  const Snapshot latest = s->read(snaps[2].id), previous = s->read(snaps[1].id);
  analysis::ReportInputs in;
  in.latest = &latest;
  in.previous = &previous;
  in.over_time = counts;
  for (const auto& i : snaps) in.rollups.push_back(s->rollups(i.id));
  ASSERT_EQ(in.rollups.back().size(), 1u);
  const auto m = analysis::build_report(in);
  EXPECT_EQ(m.headline.weight_field, "arr");
  EXPECT_EQ(m.headline.weight_rollup, "region");
  EXPECT_DOUBLE_EQ(m.headline.bands[0].weight, 1000);  // EMEA at 20: red
  EXPECT_DOUBLE_EQ(m.headline.bands[1].weight, 500);
  EXPECT_DOUBLE_EQ(m.headline.bands[1].previous_weight, 1500);  // EMEA at 60 was green
  ASSERT_EQ(m.rollups.size(), 1u);
  ASSERT_EQ(m.rollups[0].shown.size(), 2u);
  EXPECT_EQ(m.rollups[0].shown[0].group, "EMEA");  // worst first
  EXPECT_EQ(m.rollups[0].shown[0].trend, (std::vector<int32_t>{70, 60, 20}));
  EXPECT_EQ(m.rollups[0].shown[1].trend, (std::vector<int32_t>{80, 80, 80}));
  EXPECT_DOUBLE_EQ(m.rollups[0].shown[0].low_weight, 1000);

  // As the command reads them: whole roll-ups for the last two snapshots only, the trends of the
  // shown groups from the rollup_groups view.
  std::vector<int64_t> ids;
  for (const auto& i : snaps) ids.push_back(i.id);
  in.rollups[0].clear();
  in.trends = [&](const analysis::RollupTable& t, const std::vector<size_t>& groups) {
    std::vector<std::vector<std::optional<std::string>>> keys;
    for (size_t g : groups) keys.push_back(t.groups[g].key);
    return rollup_group_scores(path_, ids, t.name, keys, s->generation());
  };
  const auto q = analysis::build_report(in);
  ASSERT_EQ(q.rollups.size(), 1u);
  EXPECT_EQ(q.rollups[0].shown[0].trend, (std::vector<int32_t>{70, 60, 20}));
  EXPECT_EQ(q.rollups[0].shown[1].trend, (std::vector<int32_t>{80, 80, 80}));
  EXPECT_DOUBLE_EQ(q.headline.bands[1].previous_weight, 1500);
}

TEST_F(ReportQueriesTest, GroupScoresTellAMissingCellFromAnEmptyOne) {
  {
    auto s = Store::open(path_, Store::Mode::ReadWrite);
    auto w = s->begin_snapshot("T", "2026-11-01", "scorecard \"T\"", names(), "{}");
    w->add(account("a", 0, 40));
    auto t = region(30, 100);
    t.groups[0].key = {std::nullopt};
    t.groups[1].key = {std::string()};
    w->add_rollups({t});
    w->commit(1, 1, 0);
  }
  auto s = Store::open(path_, Store::Mode::ReadOnly);
  const auto snaps = s->snapshots("T");
  const auto scores = rollup_group_scores(path_, {snaps[0].id}, "region",
                                          {{std::nullopt}, {std::string()}, {std::string("EMEA")}}, s->generation());
  EXPECT_EQ(scores, (std::vector<std::vector<int32_t>>{{80}, {30}, {-1}}));
}

TEST_F(ReportQueriesTest, AMissingStoreIsAStoreError) {
  EXPECT_THROW(band_counts((dir_ / "none.db").string(), {}, 0), StoreError);
}

// Every committed snapshot moves the generation on, so a reader's second connection knows when
// it sees another store than the listing did (a run recorded a snapshot in between).
TEST_F(ReportQueriesTest, ASnapshotRecordedMeanwhileIsStoreChanged) {
  auto writer = Store::open(path_, Store::Mode::ReadWrite);
  EXPECT_EQ(writer->generation(), 0);
  write(*writer, "2026-11-01", {account("a", 0, 90)}, 70);
  EXPECT_EQ(writer->generation(), 1);
  auto reader = Store::open(path_, Store::Mode::ReadOnly);
  int64_t seen = 0;
  std::vector<SnapshotInfo> snaps;
  {
    const auto reading = reader->read_transaction();
    snaps = reader->snapshots("T");
    seen = reader->generation();
    write(*writer, "2026-11-01", {account("a", 0, 20)}, 70);  // replaces it under a fresh id
    EXPECT_EQ(reader->generation(), seen);                   // the listing's transaction
    // The stale listing names a snapshot that is gone: only the generation tells the reader.
    EXPECT_TRUE(band_counts(path_, snaps, seen + 1)[0].accounts.empty());
    const auto fresh = writer->snapshots("T");
    ASSERT_EQ(fresh.size(), 1u);
    EXPECT_GT(fresh[0].id, snaps[0].id);
    EXPECT_EQ(band_counts(path_, fresh, seen + 1)[0].accounts, (std::vector<int64_t>{1, 0, 0}));
    EXPECT_THROW(band_counts(path_, snaps, seen), StoreChanged);
    EXPECT_THROW(rollup_group_scores(path_, {snaps[0].id}, "region", {{std::string("EMEA")}}, seen), StoreChanged);
  }
  EXPECT_EQ(reader->generation(), 2);
}

}  // namespace
}  // namespace healthc::history
