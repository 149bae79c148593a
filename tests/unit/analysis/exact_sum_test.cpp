// ExactSum: sums that do not depend on the order of their terms, rounded once.
#include "runtime/analysis/exact_sum.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace healthc::analysis {
namespace {

TEST(ExactSum, TenTimesATenthIsOne) {
  ExactSum s;
  double naive = 0;
  for (int i = 0; i < 10; ++i) {
    s.add(0.1);
    naive += 0.1;
  }
  EXPECT_NE(naive, 1.0);  // what a running double sum gives
  EXPECT_EQ(s.value(), 1.0);
}

TEST(ExactSum, OrderDoesNotMatter) {
  ExactSum a, b;
  for (double x : {1e16, 1.0, 1.0}) a.add(x);
  for (double x : {1.0, 1.0, 1e16}) b.add(x);
  EXPECT_EQ(a.value(), 1e16 + 2);
  EXPECT_EQ(b.value(), 1e16 + 2);
  // Left to right in doubles the ones vanish.
  EXPECT_EQ((1e16 + 1.0) + 1.0, 1e16);
}

TEST(ExactSum, ProductsAreExact) {
  ExactSum s;
  s.add_product(0.1, 3);
  s.add_product(0.1, 3);
  s.add_product(0.1, 3);
  // 9 x 0.1 exactly (the double 0.1), rounded once.
  ExactSum nine;
  nine.add_product(0.1, 9);
  EXPECT_EQ(s.value(), nine.value());
  EXPECT_EQ(nine.value(), 0.9000000000000000);
}

TEST(ExactSum, HalfwayRoundsToEven) {
  ExactSum s;  // 2^53 + 1 is halfway between 2^53 and 2^53 + 2: even wins
  s.add(9007199254740992.0);
  s.add(1.0);
  EXPECT_EQ(s.value(), 9007199254740992.0);
  s.add(1.0);
  s.add(1.0);  // 2^53 + 3: halfway between +2 and +4, +4 is even
  EXPECT_EQ(s.value(), 9007199254740996.0);
  ExactSum t;  // just above halfway rounds up
  t.add(9007199254740992.0);
  t.add(1.0);
  t.add(std::ldexp(1.0, -60));
  EXPECT_EQ(t.value(), 9007199254740994.0);
}

TEST(ExactSum, WideRangesAndExtremes) {
  ExactSum s;
  s.add(1e300);
  s.add(1e-300);
  EXPECT_EQ(s.value(), 1e300);
  EXPECT_GT(s.value(-996), 0.0);
  ExactSum tiny;
  tiny.add(5e-324);
  tiny.add(5e-324);
  EXPECT_EQ(tiny.value(), 1e-323);
  EXPECT_EQ(tiny.value(1074), 2.0);
  ExactSum huge;
  huge.add(1.7e308);
  huge.add(1.7e308);
  EXPECT_TRUE(std::isinf(huge.value()));
  EXPECT_EQ(huge.value(-1), 1.7e308);
  ExactSum zero;
  zero.add(0.0);
  EXPECT_TRUE(zero.is_zero());
  EXPECT_EQ(zero.value(), 0.0);
  EXPECT_TRUE(std::isnan(ExactSum::ratio(s, zero)));
}

TEST(ExactSum, RatioScalesBeforeRounding) {
  ExactSum num, den;
  num.add_product(1.7e308, 50);  // weight x score: past the largest double
  den.add(1.7e308);
  den.add(1.7e308);
  EXPECT_TRUE(std::isinf(num.value()));
  EXPECT_EQ(ExactSum::ratio(num, den), 25.0);
}

// Random terms over a wide range: the same total in any order and any split into partial sums
// merged in any order; and close to a long double sum.
TEST(ExactSum, PermutationsAndSplitsAgree) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> mant(0, 1);
  std::uniform_int_distribution<int> exp(-80, 80);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::pair<double, double>> terms;
    for (int i = 0; i < 200; ++i) terms.emplace_back(std::ldexp(mant(rng), exp(rng)), std::floor(mant(rng) * 101));
    auto total = [](const std::vector<std::pair<double, double>>& ts, size_t split) {
      std::vector<ExactSum> parts((ts.size() + split - 1) / split);
      for (size_t i = 0; i < ts.size(); ++i) parts[i / split].add_product(ts[i].first, ts[i].second);
      ExactSum all;
      for (size_t p = parts.size(); p-- > 0;) all.add(parts[p]);
      return all.value();
    };
    const double want = total(terms, terms.size());
    long double approx = 0;
    for (auto [w, s] : terms) approx += static_cast<long double>(w) * s;
    EXPECT_NEAR(want, static_cast<double>(approx), std::fabs(want) * 1e-15);
    std::shuffle(terms.begin(), terms.end(), rng);
    for (size_t split : {1u, 3u, 17u, 64u}) EXPECT_EQ(total(terms, split), want) << "trial " << trial;
  }
}

TEST(ExactSum, CopiesAndMovesKeepEveryBit) {
  // 2^53 + 1 + 2^-300 spans more limbs than are kept inline; only its lowest bit makes it round
  // up to 2^53 + 2.
  ExactSum a;
  a.add(9007199254740992.0);
  a.add(std::ldexp(1.0, -300));
  a.add(1.0);
  EXPECT_EQ(a.value(), 9007199254740994.0);
  ExactSum b = a;
  ExactSum c = std::move(b);
  ExactSum d;
  d.add(5.0);
  d = c;
  EXPECT_EQ(c.value(), 9007199254740994.0);
  EXPECT_EQ(d.value(), 9007199254740994.0);
  EXPECT_TRUE(b.is_zero());  // NOLINT(bugprone-use-after-move): a moved-from sum is empty
  ExactSum merged;
  merged.add(std::ldexp(1.0, -300));
  ExactSum high;
  high.add(1.0);
  high.add(9007199254740992.0);
  merged.add(high);
  EXPECT_EQ(merged.value(), 9007199254740994.0);
}

}  // namespace
}  // namespace healthc::analysis
