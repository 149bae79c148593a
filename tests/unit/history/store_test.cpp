// The history store (runtime/history/store.h): schema creation and migration, what a snapshot
// reads back, replacing, rollback of an uncommitted writer, latest() and account_history().
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "runtime/history/schema.h"
#include "runtime/history/snapshot_writer.h"
#include "runtime/history/store.h"
#include "tests/unit/history/store_fixture.h"

namespace healthc::history {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class StoreTest : public StoreFixture {
 protected:
  void SetUp() override { make_dir("healthc_store_test"); }

  static CardNames names() {
    CardNames n;
    n.key_field = "account_id";
    n.segments = {"enterprise", "default"};
    n.bands = {"critical", "healthy", "unscored"};
    n.band_colors = {"red", "green", "grey"};
    n.labels = {"retain"};
    n.label_titles = {"Retain"};
    n.overrides = {"cap_red"};
    n.override_titles = {""};
    n.measures = {"adoption", "support"};
    n.measure_titles = {"Seat adoption", ""};
    n.alerts = {"went_red"};
    n.alert_titles = {"Went red"};
    n.alert_severities = {ir::Severity::High};
    n.stale_measures = {"support"};
    return n;
  }
  static AccountRecord account(const std::string& key, int64_t row, int32_t score, double adoption) {
    AccountRecord a;
    a.key = key;
    a.row = row;
    a.segment = 1;
    a.weighted = score;
    a.score = score;
    a.band = score < 0 ? 2 : score > 70 ? 1 : 0;
    a.label = score >= 50 ? 0 : -1;
    a.alerts_active = score < 30 ? 1 : 0;
    a.m_value = {adoption, 2};
    a.m_score = {adoption * 100, kNaN};
    a.m_weight = score < 0 ? std::vector<double>{kNaN, kNaN} : std::vector<double>{1.0, kNaN};
    return a;
  }
  void write(Store& s, const std::string& as_of, const std::vector<AccountRecord>& accounts,
             const std::string& text = "scorecard \"T\"") {
    auto w = s.begin_snapshot("T", as_of, text, names(), "{}");
    for (const auto& a : accounts) w->add(a);
    w->commit(static_cast<int64_t>(accounts.size()), static_cast<int64_t>(accounts.size()), 0);
  }
};

void expect_same(const AccountRecord& a, const AccountRecord& b) {
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.row, b.row);
  EXPECT_EQ(a.segment, b.segment);
  EXPECT_EQ(a.weighted, b.weighted);
  EXPECT_EQ(a.score, b.score);
  EXPECT_EQ(a.band, b.band);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.override_, b.override_);
  EXPECT_EQ(a.alerts_active, b.alerts_active);
  EXPECT_EQ(a.alerts_fired, b.alerts_fired);
  EXPECT_EQ(a.stale, b.stale);
  ASSERT_EQ(a.m_value.size(), b.m_value.size());
  for (size_t m = 0; m < a.m_value.size(); ++m) {
    for (auto [x, y] : {std::pair{a.m_value[m], b.m_value[m]}, {a.m_score[m], b.m_score[m]}, {a.m_weight[m], b.m_weight[m]}}) {
      if (std::isnan(x)) EXPECT_TRUE(std::isnan(y));
      else EXPECT_EQ(x, y);
    }
  }
}

int user_version(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
  sqlite3_step(st);
  const int v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

void sql(const std::string& path, const std::string& text) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST_F(StoreTest, CreatesTheSchemaAtTheCurrentVersion) {
  { auto s = Store::open(path_, Store::Mode::ReadWrite); }
  EXPECT_EQ(user_version(path_), kSchemaVersion);
  Db db;
  db.open(path_, true, false);
  Stmt meta(db, "SELECT value FROM meta WHERE key = 'schema_version'");
  ASSERT_TRUE(meta.step());
  EXPECT_EQ(meta.text(0), std::to_string(kSchemaVersion));
  for (const char* view : {"account_scores", "measure_scores", "alerts", "snapshots"}) {
    Stmt v(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = ?");
    v.bind(1, std::string_view(view));
    ASSERT_TRUE(v.step());
    EXPECT_EQ(v.int64(0), 1) << view;
  }
}

TEST_F(StoreTest, ASnapshotReadsBackAsWritten) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  std::vector<AccountRecord> in = {account("b", 0, 80, 0.9), account("a", 1, 20, 0.25), account("c", 2, -1, kNaN)};
  in[1].override_ = 0;
  in[1].alerts_fired = 1;
  in[1].stale = 1;
  write(*s, "2026-03-01", in);
  auto snaps = s->snapshots("T");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].as_of, "2026-03-01");
  EXPECT_EQ(snaps[0].rows_scored, 3);
  EXPECT_EQ(snaps[0].card_hash.size(), 64u);
  Snapshot back = s->read(snaps[0].id, true);
  EXPECT_EQ(back.info.card_text, "scorecard \"T\"");
  EXPECT_EQ(back.names.measures, names().measures);
  EXPECT_EQ(back.names.bands, names().bands);
  EXPECT_EQ(back.names.alert_severities, names().alert_severities);
  EXPECT_EQ(back.names.stale_measures, names().stale_measures);
  ASSERT_EQ(back.accounts.size(), 3u);
  for (size_t i = 0; i < 3; ++i) expect_same(back.accounts[i], in[i]);
  EXPECT_EQ(s->titles(), std::vector<std::string>{"T"});
}

// A card without labels, overrides, alerts or stale rules: the writer leaves those columns to
// their defaults (it binds only what the card fills), and every reader reads them as none.
TEST_F(StoreTest, ACardWithoutLabelsOverridesOrAlertsReadsBackAsWritten) {
  CardNames plain = names();
  plain.labels.clear(), plain.label_titles.clear(), plain.overrides.clear(), plain.override_titles.clear();
  plain.alerts.clear(), plain.alert_titles.clear(), plain.alert_severities.clear(), plain.stale_measures.clear();
  std::vector<AccountRecord> in = {account("b", 0, 80, 0.9), account("a", 1, 20, 0.25), account("c", 2, -1, kNaN)};
  for (auto& a : in) a.label = -1, a.alerts_active = 0;
  {
    auto s = Store::open(path_, Store::Mode::ReadWrite);
    auto w = s->begin_snapshot("P", "2026-03-01", "scorecard \"P\"", plain, "{}");
    for (const auto& a : in) w->add(a);
    w->commit(3, 3, 0);
  }
  auto s = Store::open(path_, Store::Mode::ReadOnly);
  const Snapshot back = s->read(s->snapshots("P").at(0).id);
  ASSERT_EQ(back.accounts.size(), 3u);
  for (size_t i = 0; i < 3; ++i) expect_same(back.accounts[i], in[i]);
  const AccountHistory h = s->account_history("P", "a");
  ASSERT_EQ(h.entries.size(), 1u);
  expect_same(h.entries[0].record, in[1]);
  Db db;
  db.open(path_, true, false);
  Stmt v(db, "SELECT count(*), count(label), count(override) FROM account_scores WHERE title = 'P'");
  ASSERT_TRUE(v.step());
  EXPECT_EQ(v.int64(0), 3);
  EXPECT_EQ(v.int64(1), 0);
  EXPECT_EQ(v.int64(2), 0);
  EXPECT_EQ(db.scalar_int("SELECT count(*) FROM alerts WHERE title = 'P'"), 0);
  EXPECT_EQ(db.scalar_int("SELECT count(*) FROM result WHERE alerts_active <> 0 OR alerts_fired <> 0 OR stale <> 0"),
            0);
}

// The writer does not bind a column its card cannot fill: a record with a label (alert, stale
// measure) the card does not declare would lose it, so it is refused, and nothing is recorded.
TEST_F(StoreTest, ARecordWithALabelItsCardDoesNotDeclareIsRefused) {
  CardNames plain = names();
  plain.labels.clear(), plain.label_titles.clear();
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  AccountRecord a = account("a", 0, 80, 0.9);
  ASSERT_EQ(a.label, 0);
  {
    auto w = s->begin_snapshot("P", "2026-03-01", "scorecard \"P\"", plain, "{}");
    w->add(a);
    EXPECT_THROW(w->commit(1, 1, 0), StoreError);
  }
  EXPECT_TRUE(s->snapshots("P").empty());
}

TEST_F(StoreTest, ANewStoreHasLargePagesAnOldOneKeepsItsOwn) {
  { auto s = Store::open(path_, Store::Mode::ReadWrite); }
  Db db;
  db.open(path_, true, false);
  EXPECT_EQ(db.scalar_int("PRAGMA page_size"), kNewStorePageSize);
  db.close();
  std::string old = path_;
  old.append(".old");
  sql(old, "PRAGMA page_size = 4096; CREATE TABLE t(x); DROP TABLE t;");
  { auto s = Store::open(old, Store::Mode::ReadWrite); }
  db.open(old, true, false);
  EXPECT_EQ(db.scalar_int("PRAGMA page_size"), 4096);
}

TEST_F(StoreTest, TheViewsReadNames) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-03-01", {account("a", 0, 20, 0.25)});
  Db db;
  db.open(path_, true, false);
  Stmt a(db, "SELECT account, segment, band, color, label, score FROM account_scores");
  ASSERT_TRUE(a.step());
  EXPECT_EQ(a.text(0), "a");
  EXPECT_EQ(a.text(1), "default");
  EXPECT_EQ(a.text(2), "critical");
  EXPECT_EQ(a.text(3), "red");
  EXPECT_TRUE(a.is_null(4));
  EXPECT_EQ(a.int64(5), 20);
  Stmt m(db, "SELECT measure, value, score, weight FROM measure_scores ORDER BY measure");
  ASSERT_TRUE(m.step());
  EXPECT_EQ(m.text(0), "adoption");
  EXPECT_EQ(m.real(1), 0.25);
  EXPECT_EQ(m.real(3), 1.0);
  ASSERT_TRUE(m.step());
  EXPECT_EQ(m.text(0), "support");
  EXPECT_TRUE(m.is_null(2));
  Stmt al(db, "SELECT alert, severity, fired FROM alerts");
  ASSERT_TRUE(al.step());
  EXPECT_EQ(al.text(0), "went_red");
  EXPECT_EQ(al.text(1), "high");
  EXPECT_EQ(al.int64(2), 0);
}

TEST_F(StoreTest, ScoringTheSameDateAgainReplacesTheSnapshotWhole) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-03-01", {account("a", 0, 50, 0.5), account("b", 1, 60, 0.6)});
  write(*s, "2026-03-01", {account("c", 0, 70, 0.7)});
  auto snaps = s->snapshots("T");
  ASSERT_EQ(snaps.size(), 1u);
  Snapshot back = s->read(snaps[0].id);
  ASSERT_EQ(back.accounts.size(), 1u);
  EXPECT_EQ(back.accounts[0].key, "c");
  EXPECT_EQ(s->account_history("T", "a").entries.size(), 0u);
}

// The replacing snapshot takes an id past every snapshot's (the replaced one's too, which was
// the latest), and the replaced rows are gone: the result key's ranges never overlap.
TEST_F(StoreTest, AReplacedDateTakesAFreshIdAndLeavesNoRowsOfTheOldOne) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-03-01", {account("x", 0, 40, 0.4)});
  write(*s, "2026-03-08", {account("a", 0, 50, 0.5), account("b", 1, 60, 0.6)});
  const int64_t old_id = s->snapshots("T").back().id;
  write(*s, "2026-03-08", {account("b", 0, 65, 0.65)});
  const auto snaps = s->snapshots("T");
  ASSERT_EQ(snaps.size(), 2u);
  EXPECT_GT(snaps[1].id, old_id);
  Db db;
  db.open(path_, true, false);
  ASSERT_TRUE(keyed_results(db));
  EXPECT_EQ(db.scalar_int(fmt::format("SELECT count(*) FROM result WHERE id >> 32 = {}", old_id)), 0);
  EXPECT_EQ(db.scalar_int("SELECT count(*) FROM result"), 2);
  EXPECT_EQ(db.scalar_int(fmt::format("SELECT count(*) FROM account_scores WHERE snapshot_id = {} AND account = 'b' "
                                      "AND score = 65",
                                      snaps[1].id)),
            1);
  const AccountHistory h = s->account_history("T", "b");
  ASSERT_EQ(h.entries.size(), 1u);
  EXPECT_EQ(h.entries[0].record.score, 65);
  EXPECT_EQ(s->account_history("T", "x").entries.size(), 1u);
}

// A version-2 store (result keyed by (snapshot_id, account_id), written by the version-2 steps'
// writer) is read as it is by a read-only open, then migrated to version 3 by a read-write one:
// Store::read, account_history and every view read the same rows, and writing goes on.
TEST_F(StoreTest, AVersion2StoreIsReadAsItIsThenRekeyedReadingTheSame) {
  const std::vector<AccountRecord> first = {account("a", 0, 20, 0.25), account("b", 1, 80, 0.9),
                                            account("c", 2, -1, kNaN)};
  {
    Db db;
    db.open(path_, false, true);
    ASSERT_EQ(migrate(db, migrations().first(2)), 0);
    ASSERT_FALSE(keyed_results(db));
    for (const char* date : {"2026-03-01", "2026-03-08"}) {
      db.exec("BEGIN IMMEDIATE");
      auto w = make_writer(db, "T", date, "scorecard \"T\"", names(), "{}", std::make_shared<int>(0));
      for (AccountRecord a : first) {
        if (date[9] == '8') a.score = a.score < 0 ? -1 : a.score + 5;
        w->add(a);
      }
      w->commit(3, 3, 0);
    }
    // Replacing a date in the older layout too.
    db.exec("BEGIN IMMEDIATE");
    auto w = make_writer(db, "T", "2026-03-08", "scorecard \"T\"", names(), "{}", std::make_shared<int>(0));
    for (const AccountRecord& a : first) w->add(a);
    w->commit(3, 3, 0);
  }
  auto dump = [&](Store& s) {
    std::vector<std::string> out;
    for (const auto& info : s.snapshots("T")) {
      for (const auto& a : s.read(info.id).accounts)
        out.push_back(fmt::format("{} {} {} {} {}", info.id, a.key, a.row, a.score, a.alerts_active));
    }
    for (const char* key : {"a", "b", "c"})
      for (const auto& e : s.account_history("T", key).entries)
        out.push_back(fmt::format("{} {} {} {}", e.info.as_of, e.record.key, e.record.score, e.record.m_value[0]));
    Db db;
    db.open(path_, true, false);
    for (const char* view : {"account_scores", "measure_scores", "alerts", "snapshots"}) {
      sqlite3_stmt* v = nullptr;
      EXPECT_EQ(sqlite3_prepare_v2(db.get(), fmt::format("SELECT * FROM {}", view).c_str(), -1, &v, nullptr),
                SQLITE_OK);
      while (sqlite3_step(v) == SQLITE_ROW) {
        std::string row = view;
        for (int i = 0; i < sqlite3_column_count(v); ++i) {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(v, i));
          row += fmt::format("|{}={}", sqlite3_column_name(v, i), text ? text : "NULL");
        }
        out.push_back(row);
      }
      sqlite3_finalize(v);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  std::vector<std::string> before;
  {
    auto ro = Store::open(path_, Store::Mode::ReadOnly);
    before = dump(*ro);
    EXPECT_EQ(user_version(path_), 2);
  }
  ASSERT_EQ(std::count_if(before.begin(), before.end(), [](const std::string& r) { return r.starts_with("alerts|"); }),
            4);
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  EXPECT_EQ(user_version(path_), kSchemaVersion);
  {
    Db db;
    db.open(path_, true, false);
    EXPECT_TRUE(keyed_results(db));
    EXPECT_EQ(db.scalar_int("SELECT count(*) FROM result"), 6);
  }
  EXPECT_EQ(dump(*s), before);
  write(*s, "2026-03-15", {account("a", 0, 30, 0.3), account("d", 1, 90, 0.95)});
  EXPECT_EQ(s->account_history("T", "a").entries.size(), 3u);
  EXPECT_EQ(s->account_history("T", "d").entries.size(), 1u);
}

TEST_F(StoreTest, AnUncommittedWriterLeavesTheStoreAsItWas) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-03-01", {account("a", 0, 50, 0.5)});
  {
    auto w = s->begin_snapshot("T", "2026-03-01", "changed", names(), "{}");
    w->add(account("z", 0, 10, 0.1));
    // One writer at a time through a store.
    EXPECT_THROW(s->begin_snapshot("T", "2026-03-02", "changed", names(), "{}"), StoreError);
  }
  {
    auto w = s->begin_snapshot("T", "2026-03-02", "changed", names(), "{}");
    w->add(account("z", 0, 10, 0.1));
  }
  auto snaps = s->snapshots("T");
  ASSERT_EQ(snaps.size(), 1u);
  Snapshot back = s->read(snaps[0].id);
  ASSERT_EQ(back.accounts.size(), 1u);
  EXPECT_EQ(back.accounts[0].key, "a");
}

TEST_F(StoreTest, AReaderSeesTheLastCommittedStateWhileASnapshotIsWritten) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-03-01", {account("a", 0, 50, 0.5)});
  auto w = s->begin_snapshot("T", "2026-03-01", "v2", names(), "{}");
  for (int i = 0; i < 5000; ++i) w->add(account("n" + std::to_string(i), i, 60, 0.6));
  // Another connection (a BI tool, healthc history) reads meanwhile: the old snapshot, whole.
  auto reader = Store::open(path_, Store::Mode::ReadOnly);
  auto snaps = reader->snapshots("T");
  ASSERT_EQ(snaps.size(), 1u);
  Snapshot old = reader->read(snaps[0].id);
  ASSERT_EQ(old.accounts.size(), 1u);
  EXPECT_EQ(old.accounts[0].key, "a");
  w->commit(5000, 5000, 0);
  w.reset();
  snaps = reader->snapshots("T");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(reader->read(snaps[0].id).accounts.size(), 5000u);
  EXPECT_EQ(reader->account_history("T", "a").entries.size(), 0u);
}

TEST_F(StoreTest, LatestIsByAsOfDateWhateverTheRecordingOrder) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-03-10", {account("a", 0, 50, 0.5)});
  write(*s, "2026-03-01", {account("a", 0, 40, 0.4)});
  write(*s, "2026-03-05", {account("a", 0, 45, 0.45)});
  const int32_t d10 = 20522;  // 2026-03-10
  auto prev = s->latest("T", d10 - 1, d10);
  ASSERT_TRUE(prev);
  EXPECT_EQ(prev->as_of, "2026-03-05");
  auto week = s->latest("T", d10 - 7, d10);
  ASSERT_TRUE(week);
  EXPECT_EQ(week->as_of, "2026-03-01");
  EXPECT_FALSE(s->latest("T", d10 - 30, d10));
  EXPECT_FALSE(s->latest("other", d10, d10 + 1));
  // at_most past `before`: still before it.
  auto same = s->latest("T", d10 + 5, d10);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->as_of, "2026-03-05");
}

TEST_F(StoreTest, AccountHistoryIsOldestFirstAcrossCardVersions) {
  auto s = Store::open(path_, Store::Mode::ReadWrite);
  write(*s, "2026-03-10", {account("a", 0, 50, 0.5), account("b", 1, 10, 0.1)}, "v2");
  write(*s, "2026-03-01", {account("a", 0, 40, 0.4)}, "v1");
  write(*s, "2026-03-05", {account("b", 0, 45, 0.45)}, "v1");
  AccountHistory h = s->account_history("T", "a");
  ASSERT_EQ(h.entries.size(), 2u);
  EXPECT_EQ(h.entries[0].info.as_of, "2026-03-01");
  EXPECT_EQ(h.entries[0].record.score, 40);
  EXPECT_EQ(h.entries[1].info.as_of, "2026-03-10");
  EXPECT_EQ(h.entries[1].record.score, 50);
  EXPECT_EQ(h.names.size(), 2u);
  EXPECT_NE(h.entries[0].info.card_hash, h.entries[1].info.card_hash);
  EXPECT_EQ(h.entries[1].names->measures, names().measures);
  EXPECT_TRUE(s->account_history("T", "nobody").entries.empty());
}

TEST_F(StoreTest, ANewerSchemaIsRefusedNamingBothVersions) {
  { auto s = Store::open(path_, Store::Mode::ReadWrite); }
  sql(path_, "PRAGMA user_version = 7");
  for (auto mode : {Store::Mode::ReadWrite, Store::Mode::ReadOnly}) {
    try {
      Store::open(path_, mode);
      FAIL() << "a newer store was opened";
    } catch (const StoreError& e) {
      EXPECT_NE(std::string(e.what()).find("version 7"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("version " + std::to_string(kSchemaVersion)), std::string::npos) << e.what();
    }
  }
}

TEST_F(StoreTest, ADatabaseThatIsNotAStoreIsRefused) {
  sql(path_, "CREATE TABLE customers (id INTEGER)");
  EXPECT_THROW(Store::open(path_, Store::Mode::ReadWrite), StoreError);
}

TEST_F(StoreTest, AReadOnlyStoreRefusesAWriter) {
  { auto s = Store::open(path_, Store::Mode::ReadWrite); }
  auto s = Store::open(path_, Store::Mode::ReadOnly);
  EXPECT_THROW(s->begin_snapshot("T", "2026-03-01", "", names(), "{}"), StoreError);
}

// A synthetic version 2 (one more column) over this build's steps: an older (version-1) store
// with data is brought to version 2 on open, keeping its snapshots, in one step.
void add_note_column(Db& db) { db.exec("ALTER TABLE snapshot ADD COLUMN note TEXT NOT NULL DEFAULT 'migrated'"); }

TEST_F(StoreTest, AnOlderStoreIsMigratedKeepingItsData) {
  {
    auto s = Store::open(path_, Store::Mode::ReadWrite);
    write(*s, "2026-03-01", {account("a", 0, 50, 0.5)});
  }
  std::vector<Migration> steps(migrations().begin(), migrations().end());
  steps.push_back({kSchemaVersion, add_note_column});
  Db db;
  db.open(path_, false, false);
  EXPECT_EQ(migrate(db, steps), kSchemaVersion);
  EXPECT_EQ(db.scalar_int("PRAGMA user_version"), kSchemaVersion + 1);
  Stmt meta(db, "SELECT value FROM meta WHERE key = 'schema_version'");
  ASSERT_TRUE(meta.step());
  EXPECT_EQ(meta.text(0), std::to_string(kSchemaVersion + 1));
  Stmt note(db, "SELECT note, as_of FROM snapshot");
  ASSERT_TRUE(note.step());
  EXPECT_EQ(note.text(0), "migrated");
  EXPECT_EQ(note.text(1), "2026-03-01");
  // Migrating again does nothing; this build refuses the now newer store.
  EXPECT_EQ(migrate(db, steps), kSchemaVersion + 1);
  db.close();
  EXPECT_THROW(Store::open(path_, Store::Mode::ReadWrite), StoreError);
}

TEST_F(StoreTest, AnEmptyFileIsCreatedByTheFirstStep) {
  Db db;
  db.open(path_, false, true);
  EXPECT_EQ(migrate(db, migrations()), 0);
  EXPECT_EQ(db.scalar_int("PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(db.scalar_int("SELECT count(*) FROM sqlite_schema WHERE name = 'result'"), 1);
}

}  // namespace
}  // namespace healthc::history
