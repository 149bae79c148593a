// The history provider (runtime/history/past.h) and the snapshot sink: which snapshots a run
// reads, names mapped by name onto the run's card, and alerts firing on edges only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "compiler/api/compile.h"
#include "runtime/history/past.h"
#include "runtime/history/snapshot_sink.h"
#include "runtime/io/record_reader.h"
#include "tests/unit/history/store_fixture.h"

namespace healthc::history {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int32_t kDay = 20500;  // the run's as-of

constexpr const char* kCard = R"(scorecard "T"
fields {
  id : text key
  x  : number
}
bands {
  low  from 0  color red
  high from 50 color green
}
measure m { value = x  score = clamp(value, 0, 100) }
model default { m 1 }
segment big when x >= 90 use default
label up when score > previous.score
label flat otherwise
alert rose when previous.band == low and band == high
alert was_big when previous.segment == big
alert was_up when previous.label == up
alert week when change(m.score, 7 days) > 0 severity critical
)";

class PastTest : public StoreFixture {
 protected:
  void SetUp() override { open("healthc_past_test", "t.health", kCard); }
  const ir::Program& program() const { return card_->program(); }

  // An older card's names: a band and a segment this card no longer has, another label.
  static CardNames old_names() {
    CardNames n;
    n.key_field = "id";
    n.segments = {"gone_segment", "big", "default"};
    n.bands = {"low", "middle", "high", "unscored"};
    n.band_colors = {"red", "yellow", "green", "grey"};
    n.labels = {"flat", "up"};
    n.label_titles = {"", ""};
    n.measures = {"m"};
    n.measure_titles = {""};
    n.alerts = {"week", "rose"};
    n.alert_titles = {"", ""};
    n.alert_severities = {ir::Severity::Medium, ir::Severity::Medium};
    return n;
  }
  static AccountRecord rec(const std::string& key, int32_t segment, int32_t score, int32_t band, int32_t label,
                           double m_score, uint64_t alerts = 0) {
    AccountRecord a;
    a.key = key;
    a.segment = segment;
    a.score = a.weighted = score;
    a.band = band;
    a.label = label;
    a.alerts_active = alerts;
    a.m_value = {m_score};
    a.m_score = {m_score};
    a.m_weight = {std::isnan(m_score) ? kNaN : 1.0};
    return a;
  }
  void write(int32_t day, const std::vector<AccountRecord>& accounts) {
    auto w = store_->begin_snapshot("T", date_text(day), "old card", old_names(), "{}");
    int64_t row = 0;
    for (AccountRecord a : accounts) {
      a.row = row++;
      w->add(a);
    }
    w->commit(row, row, 0);
  }
  rt::ColumnBlock block(const std::string& csv) {
    std::string data = csv;
    std::FILE* in = fmemopen(data.data(), data.size(), "r");
    auto reader = rt::make_reader(rt::DataFormat::Csv, in, card_->schema());
    EXPECT_EQ(reader->open(), "");
    rt::ColumnBlock b;
    std::vector<rt::Reject> rejects;
    reader->next(b, rejects, 1000);
    std::fclose(in);
    return b;
  }
  // The history input of `kind` (and days back).
  size_t input(ir::HistoryKind kind, int32_t days_back = -1) const {
    for (size_t i = 0; i < program().history.size(); ++i)
      if (program().history[i].kind == kind && program().history[i].days_back == days_back) return i;
    ADD_FAILURE() << "no such history input";
    return 0;
  }
};

TEST_F(PastTest, NamesMapOntoThisCardByName) {
  write(kDay - 3, {rec("k1", 0, 40, 1, 1, 40), rec("k2", 2, -1, 3, -1, kNaN), rec("k3", 1, 80, 2, 0, 80)});
  PastSnapshots past(store_.get(), "T", kDay, program());
  ASSERT_TRUE(past.has_previous());
  HistoryColumns cols;
  past.fill(block("id,x\nk1,10\nk2,20\nk3,30\nk4,40\n"), cols);
  const size_t band = input(ir::HistoryKind::Band), seg = input(ir::HistoryKind::Segment),
               label = input(ir::HistoryKind::Label), score = input(ir::HistoryKind::FinalScore);
  ASSERT_EQ(cols.values.size(), program().history.size());
  // k1: a band and a segment the card no longer has; label `up` is this card's 0.
  EXPECT_EQ(cols.values[band][0], ir::kNoSuchName);
  EXPECT_EQ(cols.values[seg][0], ir::kNoSuchName);
  EXPECT_EQ(cols.values[label][0], 0);
  EXPECT_EQ(cols.values[score][0], 40);
  EXPECT_TRUE(cols.valid[score][0]);
  // k2: unscored then: band is this card's unscored index, the score missing, no label -1, default.
  EXPECT_EQ(cols.values[band][1], 2);
  EXPECT_FALSE(cols.valid[score][1]);
  EXPECT_EQ(cols.values[label][1], -1);
  EXPECT_EQ(cols.values[seg][1], 1);
  // k3: `high` is this card's band 1, segment `big` its 0, label `flat` its 1.
  EXPECT_EQ(cols.values[band][2], 1);
  EXPECT_EQ(cols.values[seg][2], 0);
  EXPECT_EQ(cols.values[label][2], 1);
  // k4 was not in the snapshot: everything missing.
  for (size_t h = 0; h < cols.valid.size(); ++h) EXPECT_FALSE(cols.valid[h][3]) << h;
  EXPECT_EQ(past.previous_score("k3"), 80);
  EXPECT_EQ(past.previous_score("k4"), -1);
  EXPECT_EQ(past.previous_band(past.previous_row("k1")), "middle");
}

TEST_F(PastTest, ChangeReadsTheLatestAtOrBeforeNDaysAndNeverTheSnapshotBeingReplaced) {
  write(kDay - 10, {rec("k1", 0, 10, 0, -1, 10)});
  write(kDay - 7, {rec("k1", 0, 20, 0, -1, 20)});
  write(kDay - 2, {rec("k1", 0, 30, 0, -1, 30)});
  write(kDay, {rec("k1", 0, 99, 2, -1, 99)});  // the run replaces this one
  PastSnapshots past(store_.get(), "T", kDay, program());
  EXPECT_EQ(past.previous_info().as_of, date_text(kDay - 2));
  HistoryColumns cols;
  past.fill(block("id,x\nk1,50\n"), cols);
  EXPECT_EQ(cols.values[input(ir::HistoryKind::MeasureScore, 7)][0], 20);
  EXPECT_EQ(cols.values[input(ir::HistoryKind::FinalScore)][0], 30);
}

TEST_F(PastTest, WithoutAStoreThePastIsMissing) {
  PastSnapshots past(nullptr, "T", kDay, program());
  EXPECT_FALSE(past.has_previous());
  HistoryColumns cols;
  past.fill(block("id,x\nk1,50\n"), cols);
  ASSERT_EQ(cols.valid.size(), program().history.size());
  for (const auto& v : cols.valid) EXPECT_FALSE(v[0]);
}

// Scores a block through the sink; the snapshot's records by key.
std::map<std::string, AccountRecord> record(const Scorecard& card, Store& store, const PastSnapshots& past,
                                            const rt::ColumnBlock& block, int32_t day, FiredAlerts* alerts) {
  auto w = store.begin_snapshot("T", date_text(day), "card", names_of(card.program()), "{}");
  SnapshotSink sink(card.program(), *w, past, alerts);
  HistoryColumns cols;
  past.fill(block, cols);
  BlockScores s;
  card.score(block, day, true, &cols, s);
  std::vector<rt::Reject> rejects;
  rt::ScoredBlock sb{block, s, rejects};
  std::string scratch;
  EXPECT_EQ(sink.consume(sb, scratch), rt::SinkStatus::Continue);
  w->commit(1, 1, 0);
  std::map<std::string, AccountRecord> out;
  const auto snaps = store.snapshots("T");
  for (const auto& info : snaps)
    if (info.as_of == date_text(day))
      for (const auto& a : store.read(info.id).accounts) out[a.key] = a;
  return out;
}

TEST_F(PastTest, AnAlertFiresWhenItStartsToHoldAndNotWhileItKeepsHolding) {
  const ir::Program& p = program();
  size_t rose = 0;
  for (size_t i = 0; i < p.alerts.size(); ++i)
    if (p.alerts[i].name == "rose") rose = i;
  const uint64_t bit = uint64_t{1} << rose;
  // Day 1: no previous snapshot, nothing can rise.
  auto d1 = record(*card_, *store_, PastSnapshots(store_.get(), "T", kDay, p), block("id,x\na,10\nb,60\n"), kDay, nullptr);
  EXPECT_EQ(d1["a"].alerts_active & bit, 0u);
  // Day 2: a goes low -> high: active and fired. b stays high: not active.
  FiredAlerts alerts(p, date_text(kDay + 1), rt::OutputFormat::Csv);
  PastSnapshots past2(store_.get(), "T", kDay + 1, p);
  auto d2 = record(*card_, *store_, past2, block("id,x\na,70\nb,60\n"), kDay + 1, &alerts);
  EXPECT_EQ(d2["a"].alerts_active & bit, bit);
  EXPECT_EQ(d2["a"].alerts_fired & bit, bit);
  EXPECT_EQ(d2["b"].alerts_active & bit, 0u);
  EXPECT_GE(alerts.count(), 1u);
  // `week` (critical) reads change(m.score, 7 days): no snapshot 7 days back, so never active.
  EXPECT_EQ(d2["a"].weighted, 70);
  // `was_up` (previous.label == up): a's label was flat on day 1 (no previous score) and up on
  // days 2 and 3 (its score rose), so the alert is active on days 3 and 4 and fires on day 3.
  size_t was_up = 0;
  for (size_t i = 0; i < p.alerts.size(); ++i)
    if (p.alerts[i].name == "was_up") was_up = i;
  const uint64_t up = uint64_t{1} << was_up;
  auto d3 = record(*card_, *store_, PastSnapshots(store_.get(), "T", kDay + 2, p), block("id,x\na,80\n"), kDay + 2,
                   nullptr);
  EXPECT_EQ(d3["a"].alerts_active & up, up);
  EXPECT_EQ(d3["a"].alerts_fired & up, up);
  auto d4 = record(*card_, *store_, PastSnapshots(store_.get(), "T", kDay + 3, p), block("id,x\na,90\n"), kDay + 3,
                   nullptr);
  EXPECT_EQ(d4["a"].alerts_active & up, up);  // still holding: active, not fired
  EXPECT_EQ(d4["a"].alerts_fired & up, 0u);
}

}  // namespace
}  // namespace healthc::history
