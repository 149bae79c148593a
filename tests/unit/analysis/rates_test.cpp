// Outcome rates, lift and band order; apportioning weights to 100; the key-hash split.
#include "runtime/analysis/rates.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "runtime/analysis/apportion.h"
#include "runtime/analysis/sampling.h"

namespace healthc::analysis {
namespace {

// 60 accounts, 6 churned: base rate 10%. The worst band holds 10 accounts, 3 churned: 30%,
// lift 3.
TEST(Rates, LiftOfTheWorstBandOverTheBaseRate) {
  std::vector<int32_t> band;
  std::vector<uint8_t> churned;
  for (int i = 0; i < 60; ++i) {
    band.push_back(i < 10 ? 0 : i < 30 ? 1 : 2);
    churned.push_back(i < 3 || i == 10 || i == 11 || i == 40 ? 1 : 0);
  }
  const auto r = rates_by_group(band, churned, 3);
  Rate base;
  for (uint8_t c : churned) base.add(c != 0);
  EXPECT_EQ(base.rate(), 0.1);
  EXPECT_EQ(r[0].count, 10u);
  EXPECT_EQ(r[0].positives, 3u);
  EXPECT_DOUBLE_EQ(lift(r[0], base), 3.0);
  EXPECT_DOUBLE_EQ(lift(r[1], base), 1.0);   // 2 of 20
  EXPECT_DOUBLE_EQ(lift(r[2], base), 1.0 / 3);  // 1 of 30
  EXPECT_TRUE(out_of_order(r, true).empty());
}

TEST(Rates, NegativeGroupsAreLeftOutAndEmptyRatesAreNaN) {
  const auto r = rates_by_group(std::vector<int32_t>{-1, 0, 0}, std::vector<uint8_t>{1, 0, 1}, 2);
  EXPECT_EQ(r[0].count, 2u);
  EXPECT_EQ(r[0].rate(), 0.5);
  EXPECT_TRUE(std::isnan(r[1].rate()));
  EXPECT_TRUE(std::isnan(lift(r[1], r[0])));
}

TEST(Rates, OutOfOrderSkipsEmptyGroups) {
  std::vector<Rate> r(4);
  r[0] = {10, 5};  // 50%
  r[1] = {0, 0};   // empty
  r[2] = {10, 6};  // 60%: above 50%, out of order for a descending series
  r[3] = {10, 1};
  EXPECT_EQ(out_of_order(r, true), std::vector<size_t>{2});
  EXPECT_EQ(out_of_order(r, false), std::vector<size_t>{3});
}

TEST(Apportion, WholeNumbersSummingToTheTotal) {
  EXPECT_EQ(apportion(std::vector<double>{40, 25, 20, 15}, 100), (std::vector<int64_t>{40, 25, 20, 15}));
  EXPECT_EQ(apportion(std::vector<double>{1, 1, 1}, 100), (std::vector<int64_t>{34, 33, 33}));
  EXPECT_EQ(apportion(std::vector<double>{0.5, 0.25, 0.25}, 100), (std::vector<int64_t>{50, 25, 25}));
  EXPECT_EQ(apportion(std::vector<double>{2, 1}, 100), (std::vector<int64_t>{67, 33}));
  EXPECT_EQ(apportion(std::vector<double>{0, 0}, 100), (std::vector<int64_t>{50, 50}));
  EXPECT_EQ(apportion(std::vector<double>{-3, 1}, 100), (std::vector<int64_t>{0, 100}));
}

TEST(Sampling, SplitIsDeterministicAndNearItsShare) {
  size_t in = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string key = "acc-" + std::to_string(i);
    EXPECT_EQ(in_training(key, 7, 0.7), in_training(key, 7, 0.7));
    in += in_training(key, 7, 0.7);
  }
  EXPECT_NEAR(static_cast<double>(in) / 10000, 0.7, 0.02);
  EXPECT_NE(unit_hash("acc-1", 1), unit_hash("acc-1", 2));
  const double u = unit_hash("", 0);
  EXPECT_GE(u, 0.0);
  EXPECT_LT(u, 1.0);
}

}  // namespace
}  // namespace healthc::analysis
