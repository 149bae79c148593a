// Enum-valued measures across card versions: the store keeps
// each measure's value kind and enum members, and a past enum value is read by member name.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "compiler/api/compile.h"
#include "runtime/history/past.h"
#include "runtime/history/sqlite_db.h"
#include "runtime/io/record_reader.h"
#include "tests/unit/history/store_fixture.h"

namespace healthc::history {
namespace {

constexpr int32_t kDay = 20500;

// The current card: `p`'s members in another order than the snapshot's, `b` gone.
constexpr const char* kCard = R"(scorecard "E"
fields {
  id : text key
  p  : enum(g, r)
}
bands {
  low  from 0  color red
  high from 50 color green
}
measure v { value = p  score = 50 }
measure w { value = p  score = 50 }
model default { v 1  w 1 }
label was_r when previous.v.value == r
label w_was_g when previous.w.value == g
label other otherwise
)";

class EnumPastTest : public StoreFixture {
 protected:
  void SetUp() override { open("healthc_enum_past_test", "e.health", kCard); }
  // The older card: v an enum(r, g, b); w a number then.
  static CardNames old_names() {
    CardNames n;
    n.key_field = "id";
    n.segments = {"default"};
    n.bands = {"low", "high", "unscored"};
    n.band_colors = {"red", "green", "grey"};
    n.measures = {"v", "w"};
    n.measure_titles = {"", ""};
    n.measure_kinds = {"enum", "number"};
    n.measure_members = {{"r", "g", "b"}, {}};
    return n;
  }
  void write(const std::vector<std::pair<std::string, double>>& v_values) {
    auto w = store_->begin_snapshot("E", date_text(kDay - 1), "old card", old_names(), "{}");
    int64_t row = 0;
    for (const auto& [key, v] : v_values) {
      AccountRecord a;
      a.key = key;
      a.row = row++;
      a.score = a.weighted = 50;
      a.band = 1;
      a.m_value = {v, 1.0};
      a.m_score = {50, 50};
      a.m_weight = {0.5, 0.5};
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
  size_t input(const std::string& measure) const {
    const ir::Program& p = card_->program();
    for (size_t i = 0; i < p.history.size(); ++i)
      if (p.history[i].kind == ir::HistoryKind::MeasureValue && p.history[i].measure >= 0 &&
          p.measures[static_cast<size_t>(p.history[i].measure)].name == measure)
        return i;
    ADD_FAILURE() << "no history input for " << measure;
    return 0;
  }

};

TEST_F(EnumPastTest, TheStoreKeepsValueKindsAndMembers) {
  write({{"k1", 0}});
  const Snapshot s = store_->read(store_->snapshots("E").at(0).id);
  EXPECT_EQ(s.names.measure_kinds, (std::vector<std::string>{"enum", "number"}));
  ASSERT_GE(s.names.measure_members.size(), 1u);
  EXPECT_EQ(s.names.measure_members[0], (std::vector<std::string>{"r", "g", "b"}));
  const CardNames now = names_of(card_->program());
  EXPECT_EQ(now.measure_kinds, (std::vector<std::string>{"enum", "enum"}));
  EXPECT_EQ(now.measure_members[1], (std::vector<std::string>{"g", "r"}));
}

TEST_F(EnumPastTest, AnEnumValueIsReadByMemberName) {
  write({{"k1", 0}, {"k2", 1}, {"k3", 2}});
  PastSnapshots past(store_.get(), "E", kDay, card_->program());
  HistoryColumns cols;
  past.fill(block("id,p\nk1,g\nk2,g\nk3,g\nk4,g\n"), cols);
  const size_t v = input("v"), w = input("w");
  // k1 was `r`: this card's member 1; k2 `g`: 0; k3 `b`, a member this card no longer has.
  EXPECT_TRUE(cols.valid[v][0]);
  EXPECT_EQ(cols.values[v][0], 1);
  EXPECT_EQ(cols.values[v][1], 0);
  EXPECT_TRUE(cols.valid[v][2]);
  EXPECT_EQ(cols.values[v][2], ir::kNoSuchName);
  EXPECT_FALSE(cols.valid[v][3]);  // not in the snapshot
  // w was a number then and is an enum now: not comparable, missing.
  for (size_t r = 0; r < 4; ++r) EXPECT_FALSE(cols.valid[w][r]) << r;
}

TEST_F(EnumPastTest, TheMeasureScoresViewNamesEnumMembers) {
  write({{"k1", 0}, {"k2", 2}});
  Db db;
  db.open(path_, true, false);
  Stmt m(db, "SELECT account, measure, value, value_name FROM measure_scores ORDER BY account, measure");
  ASSERT_TRUE(m.step());
  EXPECT_EQ(m.text(1), "v");
  EXPECT_EQ(m.real(2), 0);
  EXPECT_EQ(m.text(3), "r");
  ASSERT_TRUE(m.step());
  EXPECT_EQ(m.text(1), "w");
  EXPECT_TRUE(m.is_null(3));  // a number has no member name
  ASSERT_TRUE(m.step());
  EXPECT_EQ(m.text(0), "k2");
  EXPECT_EQ(m.text(3), "b");
}

}  // namespace
}  // namespace healthc::history
