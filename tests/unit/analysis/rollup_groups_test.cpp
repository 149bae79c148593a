// Roll-ups with many groups and many sets of counted measures (measures missing at random), and
// figures out of range: the builder's flat per-group sums against the spec's definitions summed
// directly with ExactSum, for several block sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

#include "compiler/ir/conventions.h"
#include "runtime/analysis/exact_sum.h"
#include "runtime/analysis/rollup.h"
#include "tests/unit/analysis/analysis_test_util.h"

namespace healthc::analysis {
namespace {

constexpr int kMeasures = 12;

std::string card_text() {
  std::string s = "scorecard \"G\"\nfields {\n  id : text key\n  g : text optional\n  w : number optional\n";
  for (int m = 0; m < kMeasures; ++m) s += "  x" + std::to_string(m) + " : number optional\n";
  s += "}\nbands { low from 0 color red  mid from 40 color yellow  high from 70 color green }\n";
  for (int m = 0; m < kMeasures; ++m) s += "measure m" + std::to_string(m) + " { value = x" + std::to_string(m) +
                                          "  score = x" + std::to_string(m) + " }\n";
  s += "model default {";
  for (int m = 0; m < kMeasures; ++m) s += " m" + std::to_string(m) + " 1";
  return s + " }\nrollup weighted by g weight w\nrollup counted by g\nrollup each by id weight w\n";
}

// `groups` groups; each measure missing with probability 1/2 (up to 2^12 sets of counted measures
// a group); weights from 1e-200 to 1e200 now and then, so some sums leave a 128-bit window.
std::string data_text(int rows, int groups, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> score(0, 100);
  std::string s = "id,g,w";
  for (int m = 0; m < kMeasures; ++m) s += ",x" + std::to_string(m);
  s += "\n";
  char buf[64];
  for (int r = 0; r < rows; ++r) {
    s += "a" + std::to_string(r) + ",";
    if (rng() % 10) s += "g" + std::to_string(rng() % groups);
    s += ",";
    const unsigned kind = rng() % 20;
    const double w = kind == 0 ? 1e-200 * (1 + rng() % 7) : kind == 1 ? 1e200 : score(rng) * 1000;
    if (kind != 2) {
      std::snprintf(buf, sizeof buf, "%.17g", w);
      s += buf;
    }
    for (int m = 0; m < kMeasures; ++m) {
      s += ",";
      if (rng() % 2) {
        std::snprintf(buf, sizeof buf, "%.17g", score(rng));
        s += buf;
      }
    }
    s += "\n";
  }
  return s;
}

rt::Dataset load(const Scorecard& card, const std::string& csv, size_t block_rows) {
  std::FILE* f = std::tmpfile();
  std::fwrite(csv.data(), 1, csv.size(), f);
  std::rewind(f);
  rt::Dataset data;
  std::string error;
  EXPECT_TRUE(rt::load_dataset(card, f, rt::DataFormat::Csv, "data.csv", {}, data, error, block_rows)) << error;
  std::fclose(f);
  return data;
}

// The figures the spec defines, per group key, summed account by account.
struct Expected {
  ExactSum weight, weighted_score;
  ExactSum measure_sum[kMeasures], measure_weight[kMeasures];
};

void check_rollup(const Scorecard& card, const rt::Dataset& data, const std::vector<BlockScores>& scores,
                  size_t rollup) {
  const ir::Program& p = card.program();
  const ir::Rollup& r = p.rollups[rollup];
  std::map<std::optional<std::string>, Expected> want;
  for (size_t b = 0; b < data.blocks.size(); ++b) {
    const rt::ColumnBlock& block = data.blocks[b];
    const BlockScores& s = scores[b];
    for (size_t row = 0; row < block.rows; ++row) {
      const int32_t f = r.by[0];
      std::optional<std::string> key;
      if (block.valid[f][row]) key = std::string(block.text[f][row].view());
      Expected& e = want[key];
      double w = 1;
      if (r.weight >= 0) w = block.valid[r.weight][row] && block.num[r.weight][row] > 0 ? block.num[r.weight][row] : 0;
      if (s.score[row] >= 0) {
        e.weight.add(w);
        e.weighted_score.add_product(w, s.score[row]);
      }
      for (int m = 0; m < kMeasures; ++m) {
        const size_t at = m * block.rows + row;
        if (!s.m_score_valid[at] || !s.m_weight_valid[at]) continue;
        e.measure_sum[m].add_product(w, s.m_score[at]);
        e.measure_weight[m].add(w);
      }
    }
  }
  RollupBuilder builder(p, rollup);
  for (size_t b = 0; b < data.blocks.size(); ++b) builder.merge(builder.partial(data.blocks[b], scores[b]));
  const RollupTable t = builder.finish();
  ASSERT_EQ(t.groups.size(), want.size());
  for (const RollupGroup& g : t.groups) {
    const Expected& e = want.at(g.key[0]);
    if (e.weight.is_zero()) {
      EXPECT_EQ(g.score, -1);
    } else {
      const double mean = ExactSum::ratio(e.weighted_score, e.weight);
      EXPECT_EQ(g.score, static_cast<int32_t>(std::clamp(ir::round_score(mean), 0.0, 100.0))) << t.name;
    }
    for (int m = 0; m < kMeasures; ++m) {
      const double want_m = ExactSum::ratio(e.measure_sum[m], e.measure_weight[m]);
      if (std::isnan(want_m)) EXPECT_TRUE(std::isnan(g.measure_score[m])) << t.name << " m" << m;
      else EXPECT_EQ(g.measure_score[m], want_m) << t.name << " m" << m << " group " << g.key[0].value_or("-");
    }
  }
}

std::vector<BlockScores> score(const Scorecard& card, const rt::Dataset& data) {
  std::string error;
  std::vector<BlockScores> s = rt::score_blocks(card, data.blocks, 0, true, 1, error);
  EXPECT_TRUE(error.empty()) << error;
  return s;
}

// Three groups of ~1,000 accounts each meet hundreds of sets: past the few a group keeps by set,
// its measure weights are summed per measure, in blocks of any size (a block's group may switch
// before or after the builder's).
TEST(RollupGroups, ManySetsOfCountedMeasures) {
  auto card = test_util::compile(card_text());
  ASSERT_TRUE(card);
  const std::string csv = data_text(3000, 3, 7);
  for (size_t block_rows : {1u, 5u, 64u, 8192u}) {
    const rt::Dataset data = load(*card, csv, block_rows);
    const std::vector<BlockScores> s = score(*card, data);
    check_rollup(*card, data, s, 0);
    check_rollup(*card, data, s, 1);
  }
}

// A group per account (a roll-up by the key), and many small groups.
TEST(RollupGroups, ManyGroups) {
  auto card = test_util::compile(card_text());
  ASSERT_TRUE(card);
  const std::string csv = data_text(4000, 1500, 11);
  for (size_t block_rows : {7u, 8192u}) {
    const rt::Dataset data = load(*card, csv, block_rows);
    const std::vector<BlockScores> s = score(*card, data);
    check_rollup(*card, data, s, 0);
    check_rollup(*card, data, s, 1);
    RollupBuilder each(card->program(), 2);
    for (size_t b = 0; b < data.blocks.size(); ++b) each.merge(each.partial(data.blocks[b], s[b]));
    EXPECT_EQ(each.finish().groups.size(), 4000u);
  }
}

// Two weights of 1.5e308 in one band: the band's weight is past the largest double. An error that
// names the roll-up and the group, not `inf` in a cell.
TEST(RollupGroups, WeightSumPastTheLargestNumberIsAnError) {
  auto card = test_util::compile(R"(scorecard "R"
fields { id : text key  region : text optional  arr : number }
bands { low from 0 color red  high from 50 color green }
measure m { score = 80 }
model default { m 1 }
rollup by_region by region weight arr
)");
  ASSERT_TRUE(card);
  const rt::Dataset data = load(*card, "id,region,arr\na,EMEA,1.5e308\nb,EMEA,1.5e308\nc,AMER,1\n", 8192);
  const std::vector<BlockScores> s = score(*card, data);
  RollupBuilder b(card->program(), 0);
  b.merge(b.partial(data.blocks[0], s[0]));
  try {
    b.finish();
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("`by_region`"), std::string::npos) << what;
    EXPECT_NE(what.find("region = \"EMEA\""), std::string::npos) << what;
    EXPECT_NE(what.find("high_weight"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace healthc::analysis
