// ExactSum: sums that do not depend on the order of their terms, rounded once.
#include "runtime/analysis/exact_sum.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
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


// The quotient of the exact sums, rounded once: 98 x 10.1 / (10.1 + 7.7) is 55.60674157303371;
// rounding the two sums first and dividing gives 55.6067415730337 (one ulp off).
TEST(ExactSum, RatioIsCorrectlyRounded) {
  ExactSum num, den;
  num.add_product(10.1, 98);
  num.add_product(7.7, 0);
  den.add(10.1);
  den.add(7.7);
  EXPECT_EQ(ExactSum::ratio(num, den), 55.60674157303371);
  // a x b / b is a, exactly, although a x b is no double.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(1, 2);
  for (int i = 0; i < 2000; ++i) {
    const double a = std::ldexp(u(rng), static_cast<int>(rng() % 200) - 100);
    const double b = std::ldexp(u(rng), static_cast<int>(rng() % 200) - 100);
    ExactSum ab, bb;
    ab.add_product(a, b);
    bb.add(b);
    ASSERT_EQ(ExactSum::ratio(ab, bb), a) << a << " " << b;
  }
  // Subnormal and zero quotients, and a zero divisor.
  ExactSum tiny, big, zero;
  tiny.add(std::ldexp(1.0, -1070));
  big.add(std::ldexp(1.0, 10));
  EXPECT_EQ(ExactSum::ratio(tiny, big), 0.0);  // 2^-1080: below half the smallest subnormal
  tiny.add(std::ldexp(1.0, -1060));
  EXPECT_EQ(ExactSum::ratio(tiny, big), std::ldexp(1.0, -1070));  // 2^-1070 + 2^-1080 on the 2^-1074 grid
  EXPECT_EQ(ExactSum::ratio(zero, big), 0.0);
  EXPECT_TRUE(std::isnan(ExactSum::ratio(big, zero)));
}

// CompactSum keeps a sum in 128 bits while its terms fit and spills to an ExactSum when not; the
// value is the ExactSum's either way, whichever order the terms and merges come in.
TEST(CompactSum, SameValueAsExactSum) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 300; ++trial) {
    SumPool pool, other;
    CompactSum a, b;
    ExactSum want;
    const int spread = trial % 3 == 0 ? 2 : trial % 3 == 1 ? 40 : 600;
    const int terms = 1 + static_cast<int>(rng() % 50);
    for (int i = 0; i < terms; ++i) {
      const double x = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % spread) - spread / 2 - 53);
      const double y = trial % 2 ? 1.0 : std::ldexp(static_cast<double>(rng() >> 11), -53);
      uint64_t mx, my;
      int ex, ey;
      ExactSum::decompose(x, mx, ex);
      ExactSum::decompose(y, my, ey);
      want.add_product(x, y);
      // Half the terms go to a second sum of another pool, merged in at the end.
      if (i % 2) other.add_bits(b, static_cast<unsigned __int128>(mx) * my, ex + ey);
      else pool.add_bits(a, static_cast<unsigned __int128>(mx) * my, ex + ey);
    }
    pool.add(a, b, other);
    ASSERT_EQ(pool.exact(a).value(), want.value()) << trial;
    ExactSum one;
    one.add(1.0);
    ASSERT_EQ(ExactSum::ratio(pool.exact(a), one), want.value()) << trial;
    if (spread == 600 && terms > 8) {
      EXPECT_GT(pool.spilled() + other.spilled(), 0u) << trial;
    }
  }
  // A carry out of 128 bits spills too: 2 (2^128 - 1).
  SumPool pool;
  CompactSum s;
  const unsigned __int128 ones = ~static_cast<unsigned __int128>(0);
  pool.add_bits(s, ones, 0);
  EXPECT_EQ(pool.spilled(), 0u);
  pool.add_bits(s, ones, 0);
  EXPECT_EQ(pool.spilled(), 1u);
  EXPECT_EQ(pool.exact(s).value(), std::ldexp(1.0, 129));
}

// Roll-up terms (an integer weight without its trailing zeros, as the roll-ups decompose it, times
// a 53-bit score; scores at exponents a few apart, zeros in between) stay
// in the 128-bit window: the base moves down to a lower term's exponent instead of spilling, and
// the sum is the ExactSum's whichever order the terms come in.
TEST(CompactSum, TermsOfSimilarSizeNeverSpill) {
  std::mt19937_64 rng(9);
  for (int trial = 0; trial < 50; ++trial) {
    SumPool pool;
    CompactSum s;
    ExactSum want;
    for (int i = 0; i < 20000; ++i) {
      const double w = static_cast<double>(1 + rng() % 10000);
      const double score = i % 7 == 0 ? 0.0 : std::ldexp(static_cast<double>(rng() >> 11), -53) * 100;
      uint64_t mw, ms;
      int ew, es;
      ExactSum::decompose(w, mw, ew);
      ExactSum::decompose(score, ms, es);
      const int tz = std::countr_zero(mw);
      mw >>= tz;
      ew += tz;
      pool.add_bits(s, static_cast<unsigned __int128>(mw) * ms, ew + es);
      want.add_product(w, score);
    }
    EXPECT_EQ(pool.spilled(), 0u) << trial;
    ASSERT_EQ(pool.exact(s).value(), want.value()) << trial;
  }
}

}  // namespace
}  // namespace healthc::analysis
