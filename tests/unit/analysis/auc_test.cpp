// AUC with midranks and DeLong's interval, against values worked out by hand.
#include "runtime/analysis/auc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace healthc::analysis {
namespace {

TEST(Midranks, TiesShareTheMeanOfTheirRanks) {
  const std::vector<double> v{3, 2, 2, 2, 1};
  EXPECT_EQ(midranks(v), (std::vector<double>{5, 3, 3, 3, 1}));
}

// Positives {3, 2, 2}, negatives {2, 1}. Of the 6 pairs, 4 are ordered and 2 are ties:
// AUC = (4 + 2 * 0.5) / 6 = 5/6. DeLong: V10 = {1, 0.75, 0.75}, V01 = {2/3, 1};
// S10 = (1/36 + 2/144) / 2 = 1/48, S01 = (1/36 + 1/36) / 1 = 1/18;
// var = S10/3 + S01/2 = 1/144 + 1/36 = 5/144, se = sqrt(5)/12.
TEST(Auc, TiesCountHalfAndDeLongMatchesHandComputation) {
  const std::vector<double> v{3, 2, 2, 2, 1};
  const std::vector<uint8_t> pos{1, 1, 1, 0, 0};
  const Auc a = auc(v, pos);
  EXPECT_NEAR(a.auc, 5.0 / 6, 1e-12);
  EXPECT_NEAR(a.se, std::sqrt(5.0) / 12, 1e-12);
  EXPECT_NEAR(a.lo, 5.0 / 6 - kZ95 * std::sqrt(5.0) / 12, 1e-12);
  EXPECT_EQ(a.hi, 1.0);  // clipped
  EXPECT_EQ(a.positives, 3u);
  EXPECT_EQ(a.negatives, 2u);
  EXPECT_NEAR(auc_only(v, pos), 5.0 / 6, 1e-12);
}

TEST(Auc, PerfectReversedAndChance) {
  const std::vector<double> v{1, 2, 3, 4};
  EXPECT_EQ(auc(v, std::vector<uint8_t>{0, 0, 1, 1}).auc, 1.0);
  EXPECT_EQ(auc(v, std::vector<uint8_t>{1, 1, 0, 0}).auc, 0.0);
  const std::vector<double> same{7, 7, 7, 7};
  EXPECT_EQ(auc(same, std::vector<uint8_t>{1, 0, 1, 0}).auc, 0.5);
}

TEST(Auc, OneClassIsUndefined) {
  const std::vector<double> v{1, 2, 3};
  const Auc a = auc(v, std::vector<uint8_t>{1, 1, 1});
  EXPECT_FALSE(a.defined());
  EXPECT_TRUE(std::isnan(a.auc));
  EXPECT_TRUE(std::isnan(auc_only(v, std::vector<uint8_t>{0, 0, 0})));
}

TEST(Auc, SingleOfAClassHasAnAucButNoInterval) {
  const std::vector<double> v{1, 2, 3};
  const Auc a = auc(v, std::vector<uint8_t>{0, 1, 0});
  EXPECT_EQ(a.auc, 0.5);
  EXPECT_TRUE(std::isnan(a.se));
}

// The rank formula equals the pair count on a larger set with many ties.
TEST(Auc, EqualsPairCountingOnTiedScores) {
  std::vector<double> v;
  std::vector<uint8_t> pos;
  for (int i = 0; i < 300; ++i) {
    v.push_back((i * 37) % 11);
    pos.push_back((i * 13) % 7 < 3 ? 1 : 0);
  }
  double pairs = 0, n = 0;
  for (size_t i = 0; i < v.size(); ++i)
    for (size_t j = 0; j < v.size(); ++j)
      if (pos[i] && !pos[j]) n += 1, pairs += v[i] > v[j] ? 1 : v[i] == v[j] ? 0.5 : 0;
  EXPECT_NEAR(auc(v, pos).auc, pairs / n, 1e-12);
}

}  // namespace
}  // namespace healthc::analysis
