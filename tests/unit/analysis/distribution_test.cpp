// Quantiles (type 7, as numpy), deciles that keep ties together, histograms.
#include "runtime/analysis/distribution.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace healthc::analysis {
namespace {

TEST(Quantile, InterpolatesBetweenOrderStatistics) {
  const std::vector<double> v{4, 1, 3, 2};  // numpy.quantile([1,2,3,4], q)
  EXPECT_EQ(quantile(v, 0.5), 2.5);
  EXPECT_EQ(quantile(v, 0.25), 1.75);
  EXPECT_EQ(quantile(v, 0.0), 1.0);
  EXPECT_EQ(quantile(v, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(quantile({10, 20, 30}, 0.9), 28.0);
  EXPECT_TRUE(std::isnan(quantile({}, 0.5)));
}

TEST(Mean, OfValuesAndOfNothing) {
  EXPECT_EQ(mean(std::vector<double>{1, 2, 6}), 3.0);
  EXPECT_TRUE(std::isnan(mean(std::vector<double>{})));
}

TEST(Deciles, DistinctValuesFillTenEqualGroups) {
  std::vector<double> v;
  for (int i = 20; i >= 1; --i) v.push_back(i);  // 20 .. 1
  const auto d = deciles(v);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(d[i], static_cast<uint8_t>((static_cast<int>(v[i]) - 1) / 2)) << v[i];
}

// {1, 2, 2, 2, 3}: 1 holds position 0 (middle 0.5 of 5 -> decile index 1), the 2s positions 1-3
// (middle 2.5 -> index 5), 3 position 4 (middle 4.5 -> index 9).
TEST(Deciles, TiesShareTheDecileOfTheirMiddle) {
  const auto d = deciles(std::vector<double>{2, 1, 2, 3, 2});
  EXPECT_EQ(d, (std::vector<uint8_t>{5, 1, 5, 9, 5}));
  const auto same = deciles(std::vector<double>(10, 7.0));
  EXPECT_EQ(same, std::vector<uint8_t>(10, 5));
}

TEST(Histogram, EqualBinsWithOutliersInTheEndBins) {
  const auto h = histogram(std::vector<double>{-5, 0, 1, 2, 3, 9, 40}, 0, 2, 4);  // [0,2) [2,4) [4,6) [6,8)
  EXPECT_EQ(h.counts, (std::vector<size_t>{3, 2, 0, 2}));
  EXPECT_EQ(h.bin_lo(3), 6.0);
}

TEST(TextBar, ScalesToWidthAndShowsSmallCounts) {
  EXPECT_EQ(text_bar(10, 10, 5), "#####");
  EXPECT_EQ(text_bar(1, 1000, 5), "#");
  EXPECT_EQ(text_bar(0, 10, 5), "");
}

}  // namespace
}  // namespace healthc::analysis
