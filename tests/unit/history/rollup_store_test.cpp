// Roll-ups in the store (schema version 2, runtime/history/rollup_store.h): what a snapshot's
// roll-ups read back, replacing and rollback, the views, and migrating a version-1 store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "runtime/history/rollup_store.h"
#include "runtime/history/schema.h"
#include "runtime/history/snapshot_writer.h"
#include "runtime/history/store.h"
#include "tests/unit/history/store_fixture.h"

namespace healthc::history {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using analysis::RollupGroup;
using analysis::RollupTable;

class RollupStoreTest : public StoreFixture {
 protected:
  void SetUp() override { make_dir("healthc_rollup_store_test"); }

  static CardNames names() {
    CardNames n;
    n.key_field = "account_id";
    n.segments = {"default"};
    n.bands = {"red", "green", "unscored"};
    n.band_colors = {"red", "green", "grey"};
    n.measures = {"adoption", "support"};
    n.measure_titles = {"", ""};
    return n;
  }
  static AccountRecord account(const std::string& key, int64_t row, int32_t score) {
    AccountRecord a;
    a.key = key;
    a.row = row;
    a.weighted = a.score = score;
    a.band = score < 0 ? 2 : score >= 50 ? 1 : 0;
    a.m_value = {1, 2};
    a.m_score = {static_cast<double>(score), kNaN};
    a.m_weight = {1.0, kNaN};
    return a;
  }
  static RollupGroup group(std::vector<std::optional<std::string>> key, int32_t score, int64_t accounts) {
    RollupGroup g;
    g.key = std::move(key);
    g.accounts = accounts;
    g.scored = score < 0 ? 0 : accounts;
    g.unscored = accounts - g.scored;
    g.score = score;
    g.band = score < 0 ? 2 : score >= 50 ? 1 : 0;
    g.min_score = score;
    g.min_account = score < 0 ? "" : "a";
    g.band_accounts = {score >= 0 && score < 50 ? accounts : 0, score >= 50 ? accounts : 0};
    g.band_weight = {score >= 0 && score < 50 ? 1250.5 * static_cast<double>(accounts) : 0.0,
                     score >= 50 ? 1000.0 * static_cast<double>(accounts) : 0.0};
    g.measure_score = {score < 0 ? kNaN : score + 0.25, kNaN};
    return g;
  }
  // A region roll-up weighted by ARR and a two-field roll-up with a missing cell and an empty one.
  static std::vector<RollupTable> tables(int32_t emea_score = 40) {
    RollupTable region;
    region.name = "region";
    region.title = "By region";
    region.by = {"region"};
    region.weight = "arr";
    region.bands = {"red", "green"};
    region.measures = {"adoption", "support"};
    region.groups = {group({std::nullopt}, 70, 1), group({"AMER"}, 55, 3), group({"EMEA"}, emea_score, 2)};
    region.groups[1].score_change = -4;  // the store's to set: ignored
    RollupTable two;
    two.name = "region_plan";
    two.by = {"region", "plan"};
    two.bands = {"red", "green"};
    two.measures = {"adoption", "support"};
    two.groups = {group({"EMEA", std::nullopt}, -1, 1), group({"EMEA", ""}, 30, 1), group({"EMEA", "pro"}, 60, 1)};
    return {region, two};
  }
  void write(Store& s, const std::string& as_of, const std::vector<RollupTable>& rollups,
             const std::vector<AccountRecord>& accounts = {account("a", 0, 40), account("b", 1, 70)}) {
    auto w = s.begin_snapshot("T", as_of, "scorecard \"T\"", names(), "{}");
    for (const auto& a : accounts) w->add(a);
    w->add_rollups(rollups);
    w->commit(static_cast<int64_t>(accounts.size()), static_cast<int64_t>(accounts.size()), 0);
  }
  int64_t only_snapshot(const Store& s, const std::string& as_of) {
    for (const auto& i : s.snapshots("T"))
      if (i.as_of == as_of) return i.id;
    ADD_FAILURE() << "no snapshot " << as_of;
    return 0;
  }
};

void expect_same(const RollupTable& a, const RollupTable& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.by, b.by);
  EXPECT_EQ(a.weight, b.weight);
  EXPECT_EQ(a.bands, b.bands);
  EXPECT_EQ(a.measures, b.measures);
  ASSERT_EQ(a.groups.size(), b.groups.size()) << a.name;
  for (size_t i = 0; i < a.groups.size(); ++i) {
    const RollupGroup &x = a.groups[i], &y = b.groups[i];
    EXPECT_EQ(x.key, y.key) << a.name << " group " << i;
    EXPECT_EQ(x.accounts, y.accounts);
    EXPECT_EQ(x.scored, y.scored);
    EXPECT_EQ(x.unscored, y.unscored);
    EXPECT_EQ(x.score, y.score);
    EXPECT_EQ(x.band, y.band);
    EXPECT_EQ(x.min_score, y.min_score);
    EXPECT_EQ(x.min_account, y.min_account);
    EXPECT_EQ(x.band_accounts, y.band_accounts);
    EXPECT_EQ(x.band_weight, y.band_weight);
    EXPECT_EQ(x.score_change, y.score_change);
    ASSERT_EQ(x.measure_score.size(), y.measure_score.size());
    for (size_t m = 0; m < x.measure_score.size(); ++m) {
      if (std::isnan(x.measure_score[m])) EXPECT_TRUE(std::isnan(y.measure_score[m]));
      else EXPECT_EQ(x.measure_score[m], y.measure_score[m]);
    }
  }
}

TEST_F(RollupStoreTest, RollupsReadBackAsWrittenWithAMissingCellApartFromAnEmptyOne) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-03-01", tables());
  const auto back = s->rollups(only_snapshot(*s, "2026-03-01"));
  auto in = tables();
  in[0].groups[1].score_change.reset();  // no previous snapshot: no change, whatever was given
  ASSERT_EQ(back.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) expect_same(back[i], in[i]);
  EXPECT_FALSE(back[1].groups[0].key[1].has_value());
  EXPECT_EQ(back[1].groups[1].key[1], std::optional<std::string>(""));
}

TEST_F(RollupStoreTest, ASnapshotWithoutRollupsHasNone) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-03-01", {});
  EXPECT_TRUE(s->rollups(only_snapshot(*s, "2026-03-01")).empty());
}

TEST_F(RollupStoreTest, ReplacingASnapshotReplacesItsRollupsWhole) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-03-01", tables());
  write(*s, "2026-03-08", tables(20));
  auto one = tables(45);
  one.pop_back();
  write(*s, "2026-03-01", one);
  const auto back = s->rollups(only_snapshot(*s, "2026-03-01"));
  ASSERT_EQ(back.size(), 1u);
  one[0].groups[1].score_change.reset();
  expect_same(back[0], one[0]);
  expect_same(s->rollups(only_snapshot(*s, "2026-03-08"))[1], tables(20)[1]);
  Db db;
  db.open(path_, true, false);
  EXPECT_EQ(db.scalar_int("SELECT count(*) FROM rollup"), 3);
  EXPECT_EQ(db.scalar_int("SELECT count(*) FROM rollup_group"), 9);
}

TEST_F(RollupStoreTest, AnAbandonedWriterLeavesNoRollup) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  {
    auto w = s->begin_snapshot("T", "2026-03-01", "x", names(), "{}");
    w->add(account("a", 0, 40));
    w->add_rollups(tables());
  }
  Db db;
  db.open(path_, true, false);
  EXPECT_EQ(db.scalar_int("SELECT count(*) FROM rollup"), 0);
  EXPECT_EQ(db.scalar_int("SELECT count(*) FROM rollup_group"), 0);
  EXPECT_TRUE(s->snapshots("T").empty());
}

TEST_F(RollupStoreTest, RollupsAreGivenOnceAndMustHaveTheirShape) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  auto w = s->begin_snapshot("T", "2026-03-01", "x", names(), "{}");
  auto bad = tables();
  bad[0].groups[1].band_weight.pop_back();
  EXPECT_THROW(w->add_rollups(bad), StoreError);
  auto twice = tables();
  twice[1].name = "region";
  EXPECT_THROW(w->add_rollups(twice), StoreError);
  w->add_rollups(tables());
  EXPECT_THROW(w->add_rollups(tables()), StoreError);
}

TEST_F(RollupStoreTest, RollupsPastTheColumnLimitAreRefusedNamingTheLimit) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  auto w = s->begin_snapshot("T", "2026-03-01", "x", names(), "{}");
  auto wide = tables();
  wide.resize(1);
  for (int i = 0; i < 2000; ++i) wide[0].measures.push_back("m" + std::to_string(i));
  for (auto& g : wide[0].groups) g.measure_score.resize(wide[0].measures.size(), kNaN);
  try {
    w->add_rollups(wide);
    FAIL() << "a roll-up of 2,002 measures was accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("SQLite's column limit"), std::string::npos) << e.what();
  }
}

TEST_F(RollupStoreTest, ALaterCardWithMoreByFieldsBandsAndMeasuresAddsColumnsAndOldRollupsReadTheSame) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-03-01", tables());
  RollupTable wide;
  wide.name = "wide";
  wide.by = {"a", "b", "c"};
  wide.bands = {"x", "y", "z"};
  wide.measures = {"m1", "m2", "m3", "m4"};
  RollupGroup g;
  g.key = {"1", std::nullopt, "3"};
  g.accounts = g.scored = 1;
  g.score = g.min_score = 10;
  g.min_account = "k";
  g.band_accounts = {1, 0, 0};
  g.band_weight = {1, 0, 0};
  g.measure_score = {1, 2, kNaN, 4};
  wide.groups = {g};
  write(*s, "2026-03-08", {wide});
  expect_same(s->rollups(only_snapshot(*s, "2026-03-08"))[0], wide);
  const auto old = s->rollups(only_snapshot(*s, "2026-03-01"));
  auto in = tables();
  in[0].groups[1].score_change.reset();
  for (size_t i = 0; i < old.size(); ++i) expect_same(old[i], in[i]);
  Db db;
  db.open(path_, true, false);
  EXPECT_EQ(db.scalar_int("SELECT count(*) FROM rollup_measures WHERE rollup = 'wide'"), 4);
  EXPECT_EQ(db.scalar_int("SELECT count(*) FROM rollup_bands WHERE rollup = 'region'"), 6);
}

TEST_F(RollupStoreTest, TheViewsReadNamesOneRowPerGroupBandAndMeasure) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-02-22", tables(44));
  write(*s, "2026-03-01", tables());
  Db db;
  db.open(path_, true, false);
  Stmt g(db, "SELECT title, as_of, rollup, rollup_title, by_fields, weight_field, key1, key2, accounts, score, band, "
             "min_account, score_change FROM rollup_groups WHERE rollup = 'region' AND as_of = '2026-03-01' "
             "ORDER BY group_idx");
  ASSERT_TRUE(g.step());
  EXPECT_EQ(g.text(0), "T");
  EXPECT_EQ(g.text(1), "2026-03-01");
  EXPECT_EQ(g.text(3), "By region");
  EXPECT_EQ(g.text(4), R"(["region"])");
  EXPECT_EQ(g.text(5), "arr");
  EXPECT_TRUE(g.is_null(6));  // the missing region
  EXPECT_TRUE(g.is_null(7));  // a one-field roll-up has no second cell
  EXPECT_EQ(g.text(10), "green");
  ASSERT_TRUE(g.step());
  EXPECT_EQ(g.text(6), "AMER");
  EXPECT_EQ(g.int64(8), 3);
  EXPECT_EQ(g.int64(9), 55);
  EXPECT_EQ(g.text(11), "a");
  EXPECT_EQ(g.int64(12), 0);  // 55 both times
  ASSERT_TRUE(g.step());
  EXPECT_EQ(g.text(6), "EMEA");
  EXPECT_EQ(g.int64(12), -4);  // 40 after 44
  Stmt u(db, "SELECT band, score FROM rollup_groups WHERE rollup = 'region_plan' AND key2 IS NULL");
  ASSERT_TRUE(u.step());
  EXPECT_EQ(u.text(0), "unscored");
  EXPECT_TRUE(u.is_null(1));
  // "ARR at risk in EMEA": the weight in the red band.
  Stmt b(db, "SELECT weight FROM rollup_bands WHERE rollup = 'region' AND key1 = 'EMEA' AND band = 'red' AND "
             "as_of = '2026-03-01'");
  ASSERT_TRUE(b.step());
  EXPECT_EQ(b.real(0), 2501.0);
  Stmt m(db, "SELECT measure, score FROM rollup_measures WHERE rollup = 'region' AND key1 = 'AMER' AND "
             "as_of = '2026-03-01' ORDER BY measure");
  ASSERT_TRUE(m.step());
  EXPECT_EQ(m.text(0), "adoption");
  EXPECT_EQ(m.real(1), 55.25);
  ASSERT_TRUE(m.step());
  EXPECT_EQ(m.text(0), "support");
  EXPECT_TRUE(m.is_null(1));
}

// A version-1 store (the frozen first step, written with no roll-up) is read as it is by a
// read-only open and migrated to version 2 by a read-write one: every snapshot reads the same,
// and roll-ups can be recorded after.
TEST_F(RollupStoreTest, AVersion1StoreIsMigratedAndItsSnapshotsReadTheSame) {
  {
    Db db;
    db.open(path_, false, true);
    ASSERT_EQ(migrate(db, migrations().first(1)), 0);
    ASSERT_EQ(db.scalar_int("PRAGMA user_version"), 1);
    ASSERT_EQ(db.scalar_int("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'rollup%'"), 0);
    for (const char* date : {"2026-03-01", "2026-03-08"}) {
      db.exec("BEGIN IMMEDIATE");
      auto w = make_writer(db, "T", date, "scorecard \"T\"", names(), "{}", std::make_shared<int>(0));
      w->add(account("a", 0, date[9] == '1' ? 40 : 45));
      w->add(account("b", 1, -1));
      w->commit(2, 2, 0);
    }
  }
  {
    // A read-only open reads it as it is, without roll-ups, and leaves it at version 1.
    auto ro = Store::open(path_, Store::Mode::ReadOnly);
    const auto snaps = ro->snapshots("T");
    ASSERT_EQ(snaps.size(), 2u);
    EXPECT_EQ(ro->read(snaps[0].id).accounts[0].score, 40);
    EXPECT_TRUE(ro->rollups(snaps[1].id).empty());
    Db check;
    check.open(path_, true, false);
    EXPECT_EQ(check.scalar_int("PRAGMA user_version"), 1);
  }
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  Db check;
  check.open(path_, true, false);
  EXPECT_EQ(check.scalar_int("PRAGMA user_version"), kSchemaVersion);
  const auto snaps = s->snapshots("T");
  ASSERT_EQ(snaps.size(), 2u);
  for (const auto& info : snaps) {
    const Snapshot snap = s->read(info.id);
    ASSERT_EQ(snap.accounts.size(), 2u);
    EXPECT_EQ(snap.accounts[0].score, info.as_of == "2026-03-01" ? 40 : 45);
    EXPECT_EQ(snap.accounts[1].score, -1);
    EXPECT_EQ(snap.names.measures, names().measures);
    EXPECT_TRUE(s->rollups(info.id).empty());
  }
  write(*s, "2026-03-15", tables());
  EXPECT_EQ(s->rollups(only_snapshot(*s, "2026-03-15")).size(), 2u);
}

// score_change is kept current (review item 3): 11-01 and 11-08 recorded, then 11-05. The
// 11-08 change is then against 11-05, in Store::rollups and in the rollup_groups view alike;
// replacing 11-05 restates it again, and an 11-05 without roll-ups leaves 11-08 without change.
TEST_F(RollupStoreTest, AnEarlierDateRecordedLaterRestatesTheNextSnapshotsChange) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  auto emea_change = [&](const std::string& as_of) {
    const auto t = s->rollups(only_snapshot(*s, as_of));
    std::optional<int32_t> stored = t.at(0).groups.at(2).score_change;
    Db db;
    db.open(path_, true, false);
    Stmt v(db, "SELECT score_change FROM rollup_groups WHERE rollup = 'region' AND key1 = 'EMEA' AND as_of = ?");
    v.bind(1, as_of);
    EXPECT_TRUE(v.step());
    EXPECT_EQ(v.is_null(0) ? std::nullopt : std::optional<int32_t>(v.int32(0)), stored) << as_of << ": view vs store";
    return stored;
  };
  write(*s, "2026-11-01", tables(40));
  write(*s, "2026-11-08", tables(28));
  EXPECT_EQ(emea_change("2026-11-08"), -12);
  write(*s, "2026-11-05", tables(36));
  EXPECT_EQ(emea_change("2026-11-05"), -4);
  EXPECT_EQ(emea_change("2026-11-08"), -8);
  EXPECT_EQ(s->rollups(only_snapshot(*s, "2026-11-08"))[0].groups[1].score_change, 0);  // AMER 55 -> 55
  write(*s, "2026-11-05", tables(30));
  EXPECT_EQ(emea_change("2026-11-08"), -2);
  EXPECT_EQ(emea_change("2026-11-01"), std::nullopt);
  write(*s, "2026-11-05", {});
  EXPECT_EQ(emea_change("2026-11-08"), std::nullopt);
  write(*s, "2026-10-25", tables(50));  // before the first: only 11-01 changes
  EXPECT_EQ(emea_change("2026-11-01"), -10);
  EXPECT_EQ(emea_change("2026-11-08"), std::nullopt);
}

// A figure past a double's range (two weights of 1.5e308 in one band) is refused when recorded,
// and found when read from a store written before, naming the roll-up, the group and the band.
TEST_F(RollupStoreTest, AnOutOfRangeFigureIsRefusedNamingRollupGroupAndBand) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  auto bad = tables();
  bad[0].groups[2].band_weight[0] = std::numeric_limits<double>::infinity();
  auto w = s->begin_snapshot("T", "2026-03-01", "x", names(), "{}");
  try {
    w->add_rollups(bad);
    FAIL() << "an infinite weight was accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("roll-up `region`, group region `EMEA`: the weight in band `red` is out of "
                                         "range (inf)"),
              std::string::npos)
        << e.what();
  }
  w.reset();
  write(*s, "2026-03-01", tables());
  {
    Db db;
    db.open(path_, false, false);
    db.exec("UPDATE rollup_group SET b0_weight = 9e999 WHERE idx = 2 AND rollup_id = (SELECT id FROM rollup WHERE "
            "name = 'region')");  // as a store written before the check
  }
  const auto back = s->rollups(only_snapshot(*s, "2026-03-01"));  // read; the reader reports it
  EXPECT_EQ(rollup_out_of_range(back[0]), "roll-up `region`, group region `EMEA`: the weight in band `red` is out of "
                                          "range (inf)");
  EXPECT_EQ(rollup_out_of_range(back[1]), "");
}

}  // namespace
}  // namespace healthc::history
