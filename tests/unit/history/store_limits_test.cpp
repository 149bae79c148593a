// The history store's limits and locking (runtime/history/): SQLite refusing a bind, a card with
// more measures than one compound SELECT or the result table allows, a writer whose
// constructor throws, waiting for another writer's lock, and a read transaction over the past.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <thread>

#include "runtime/history/snapshot_writer.h"
#include "runtime/history/sqlite_db.h"
#include "runtime/history/store.h"

namespace healthc::history {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class StoreLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("healthc_store_limits_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "h.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static CardNames names(size_t measures) {
    CardNames n;
    n.key_field = "id";
    n.segments = {"default"};
    n.bands = {"ok", "unscored"};
    n.band_colors = {"green", "grey"};
    for (size_t m = 0; m < measures; ++m) n.measures.push_back("m" + std::to_string(m)), n.measure_titles.push_back("");
    return n;
  }
  static AccountRecord account(const std::string& key, int64_t row, size_t measures, double weight = 1) {
    AccountRecord a;
    a.key = key;
    a.row = row;
    a.weighted = a.score = 50;
    a.m_value.assign(measures, 1.5);
    a.m_score.assign(measures, 50);
    a.m_weight.assign(measures, weight);
    if (measures) a.m_weight[0] = kNaN;
    return a;
  }
  void write(Store& s, const std::string& as_of, size_t measures, size_t accounts, double weight = 1) {
    // A card version per measure count: its names are recorded once per version.
    auto w = s.begin_snapshot("T", as_of, fmt::format("scorecard \"T\" // {}", measures), names(measures), "{}");
    for (size_t i = 0; i < accounts; ++i) w->add(account("k" + std::to_string(i), static_cast<int64_t>(i), measures, weight));
    w->commit(static_cast<int64_t>(accounts), static_cast<int64_t>(accounts), 0);
  }
  int64_t count(const std::string& sql) {
    Db db;
    db.open(path_, true, false);
    return db.scalar_int(sql);
  }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(StoreLimitsTest, ABindSQLiteRefusesIsAnErrorNotANull) {
  Db db;
  db.open(path_, false, true);
  Stmt s(db, "SELECT ?");
  EXPECT_THROW(s.bind(2, int64_t{1}), StoreError);
  EXPECT_THROW(s.bind(0, 1.0), StoreError);
  EXPECT_THROW(s.bind(3, std::string_view("x")), StoreError);
  EXPECT_THROW(s.bind_null(-1), StoreError);
  s.bind(1, int64_t{7});
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.int64(0), 7);
}

TEST_F(StoreLimitsTest, ACardWithMoreThan500MeasuresIsRecordedAndItsViewReadsEveryMeasure) {
  auto store = Store::open(path_, Store::Mode::ReadWrite);
  write(*store, "2026-01-05", 600, 3);
  Snapshot snap = store->read(store->snapshots("T").at(0).id);
  ASSERT_EQ(snap.accounts.size(), 3u);
  EXPECT_EQ(snap.accounts[2].m_value[599], 1.5);
  EXPECT_EQ(snap.accounts[2].m_weight[599], 1.0);
  store.reset();
  EXPECT_EQ(count("SELECT count(*) FROM measure_scores"), 3 * 600);
  EXPECT_EQ(count("SELECT count(*) FROM measure_scores WHERE measure = 'm599' AND value = 1.5 AND weight = 1"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM measure_scores WHERE measure = 'm0' AND weight IS NULL"), 3);
}

TEST_F(StoreLimitsTest, ACardPastTheColumnLimitIsRefusedNamingTheLimitAndReleasesTheLock) {
  auto store = Store::open(path_, Store::Mode::ReadWrite);
  Db probe;
  probe.open(path_, true, false);
  const int limit = max_measures(probe);
  ASSERT_GT(limit, 500);
  try {
    store->begin_snapshot("T", "2026-01-05", "scorecard \"T\"", names(static_cast<size_t>(limit) + 1), "{}");
    FAIL() << "a card past the column limit was accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(fmt::format("at most {}", limit)), std::string::npos) << e.what();
  }
  // The failed constructor rolled its transaction back: this Store writes on, and so does another.
  write(*store, "2026-01-05", 2, 2);
  auto other = Store::open(path_, Store::Mode::ReadWrite);
  other->lock_for_writing(0);
  write(*other, "2026-01-12", 2, 2);
  EXPECT_EQ(other->snapshots("T").size(), 2u);
  // The largest card allowed is recorded.
  write(*store, "2026-01-19", static_cast<size_t>(limit), 1);
  EXPECT_EQ(count("SELECT count(*) FROM measure_scores WHERE as_of = '2026-01-19'"), limit);
}

TEST_F(StoreLimitsTest, ASecondWriterWaitsForTheLockAndTimesOutClearly) {
  auto first = Store::open(path_, Store::Mode::ReadWrite);
  auto second = Store::open(path_, Store::Mode::ReadWrite);
  first->lock_for_writing(0);
  first->lock_for_writing(0);  // held already: nothing to wait for
  int waits = 0;
  try {
    second->lock_for_writing(1, [&] { ++waits; });
    FAIL() << "the second writer took a held lock";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("held its write lock for 1 s"), std::string::npos) << e.what();
  }
  EXPECT_EQ(waits, 1);
  // The first commits after a while; the second, waiting long enough, goes on.
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    write(*first, "2026-01-05", 1, 2);
  });
  waits = 0;
  EXPECT_NO_THROW(second->lock_for_writing(30, [&] { ++waits; }));
  t.join();
  EXPECT_EQ(waits, 1);
  // Under the lock the past is what the first committed, and nobody else can change it.
  ASSERT_TRUE(second->latest("T", 20600, 20601).has_value());
  EXPECT_THROW(first->lock_for_writing(0), StoreError);
  write(*second, "2026-01-12", 1, 2);
  EXPECT_NO_THROW(first->lock_for_writing(0));
}

TEST_F(StoreLimitsTest, AReadTransactionKeepsTheSnapshotItFoundWhileAnotherRunReplacesIt) {
  auto writer = Store::open(path_, Store::Mode::ReadWrite);
  write(*writer, "2026-01-05", 1, 2);
  auto reader = Store::open(path_, Store::Mode::ReadOnly);
  {
    const auto reading = reader->read_transaction();
    const std::optional<SnapshotInfo> prev = reader->latest("T", 20600, 20601);
    ASSERT_TRUE(prev.has_value());
    write(*writer, "2026-01-05", 1, 3);  // replaced: a new id
    EXPECT_EQ(reader->read(prev->id).accounts.size(), 2u);
  }
  EXPECT_EQ(reader->read(reader->latest("T", 20600, 20601)->id).accounts.size(), 3u);
}

TEST_F(StoreLimitsTest, WeightSetsAreReusedFromTheLatestSnapshotAndReadBackWhateverTheirAge) {
  auto store = Store::open(path_, Store::Mode::ReadWrite);
  write(*store, "2026-01-05", 3, 4, 2.0);
  write(*store, "2026-01-12", 3, 4, 2.0);  // the same set: reused
  EXPECT_EQ(count("SELECT count(*) FROM weight_set"), 1);
  write(*store, "2026-01-19", 3, 4, 3.0);
  write(*store, "2026-01-26", 3, 4, 2.0);  // an older set, not in the latest snapshot: stored again
  for (const SnapshotInfo& s : store->snapshots("T")) {
    const double want = s.as_of == "2026-01-19" ? 3.0 : 2.0;
    for (const AccountRecord& a : store->read(s.id).accounts) {
      EXPECT_TRUE(std::isnan(a.m_weight[0]));
      EXPECT_EQ(a.m_weight[2], want) << s.as_of;
    }
  }
}

}  // namespace
}  // namespace healthc::history
