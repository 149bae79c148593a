// diff_cards(): band transitions, score changes, movers and counts between two cards on the
// same accounts; field_differences() names what keeps two cards from scoring the same data.
#include "runtime/analysis/diff.h"

#include <gtest/gtest.h>

#include "tests/unit/analysis/analysis_test_util.h"

namespace healthc::analysis {
namespace {

constexpr const char* kOld = R"(scorecard "Old"
fields { id : text key  x : number  y : number }
bands { low from 0 color red  high from 50 color green }
measure mx { value = x  score = value }
measure my { value = y  score = value }
model default { mx 50  my 50 }
label watch when x < 20
)";
// The same fields in another order, all weight on x, the threshold moved.
constexpr const char* kNew = R"(scorecard "New"
fields { id : text key  y : number  x : number }
bands { low from 0 color red  high from 60 color green }
measure mx { value = x  score = value }
measure my { value = y  score = value }
model default { mx 100  my 0 }
label watch when x < 20
)";

TEST(Diff, CountsTransitionsChangesAndMovers) {
  auto o = test_util::compile(kOld), n = test_util::compile(kNew);
  ASSERT_TRUE(field_differences(o->program(), n->program(), "old", "new").empty());
  // Scores old -> new: a 50 -> 10 (high -> low), b 55 -> 100 (high -> high), c 30 -> 30, d 60 -> 80.
  const rt::Dataset data = test_util::load(*o, "id,x,y\na,10,90\nb,100,10\nc,30,30\nd,80,40\n");
  DiffOptions opts;
  opts.top = 2;
  const CardDiff d = diff_cards(*o, *n, data, opts);
  EXPECT_EQ(d.rows, 4u);
  EXPECT_EQ(d.scored_by_both, 4u);
  EXPECT_EQ(d.band_changed, 1u);
  EXPECT_EQ(d.moved_down, 1u);
  EXPECT_EQ(d.moved_up, 0u);
  ASSERT_EQ(d.matrix.size(), 3u);
  EXPECT_EQ(d.matrix[1][0], 1u);  // a: high -> low
  EXPECT_EQ(d.matrix[1][1], 2u);  // b, d
  EXPECT_EQ(d.matrix[0][0], 1u);  // c
  EXPECT_FALSE(d.unscored_row_used);
  EXPECT_EQ(d.changed, 3u);
  EXPECT_DOUBLE_EQ(d.mean_change, (-40.0 + 45 + 0 + 20) / 4);
  ASSERT_EQ(d.movers.size(), 2u);  // --top 2: the largest changes, b (+45) then a (-40)
  EXPECT_EQ(d.movers[0].key, "b");
  EXPECT_EQ(d.movers[0].new_score - d.movers[0].old_score, 45);
  EXPECT_EQ(d.movers[1].key, "a");
  EXPECT_EQ(d.movers[1].old_band, "high");
  EXPECT_EQ(d.movers[1].new_band, "low");
  ASSERT_FALSE(d.movers[1].measures.empty());
  EXPECT_EQ(d.movers[1].measures[0].first, "my");  // a lost y's 45 points, gained x's 5
  EXPECT_DOUBLE_EQ(d.movers[1].measures[0].second, -45);
  ASSERT_EQ(d.labels.size(), 2u);  // watch, (none)
  EXPECT_EQ(d.labels[0].name, "watch");
  EXPECT_EQ(d.labels[0].old_count, 1u);
  EXPECT_EQ(d.labels[0].new_count, 1u);
  size_t binned = 0;
  for (const ChangeBin& b : d.histogram) binned += b.count;
  EXPECT_EQ(binned, 4u);
}

TEST(Diff, FieldDifferencesNameEachMismatch) {
  auto o = test_util::compile(kOld);
  auto other = test_util::compile(R"(scorecard "Other"
fields { id : text key  x : text  z : number }
bands { low from 0 color red }
measure mz { value = z  score = value }
model default { mz 1 }
)");
  const auto diffs = field_differences(o->program(), other->program(), "old", "other");
  EXPECT_EQ(diffs, (std::vector<std::string>{"field `x` is `number` in old but `text` in other",
                                             "field `y` is in old but not in other",
                                             "field `z` is in other but not in old"}));
}

}  // namespace
}  // namespace healthc::analysis
