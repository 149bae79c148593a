// attribute(): the spec's split of a score change into contributions (by score, by weight),
// rounding and override effects, which must sum exactly to the change; measures matched by
// name across card versions; accounts without a weighted score not attributed.
#include "runtime/analysis/attribution.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace healthc::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

history::CardNames names(std::vector<std::string> measures) {
  history::CardNames n;
  n.key_field = "id";
  n.segments = {"enterprise", "default"};
  n.bands = {"critical", "at_risk", "healthy", "unscored"};
  n.labels = {"expand", "retain"};
  n.overrides = {"csm_red", "escalation"};
  n.measures = std::move(measures);
  return n;
}

history::AccountRecord record(std::vector<double> w, std::vector<double> s, int32_t weighted, int32_t score) {
  history::AccountRecord r;
  r.key = "a1";
  r.m_weight = std::move(w);
  r.m_score = std::move(s);
  r.m_value.assign(r.m_score.size(), 0);
  r.weighted = weighted;
  r.score = score;
  r.band = score < 0 ? 3 : score >= 71 ? 2 : score >= 31 ? 1 : 0;
  return r;
}

double identity_gap(const AccountChange& c) {
  double sum = 0;
  for (double x : c.contribution) sum += x;
  return (c.after.score - c.before.score) -
         (sum + c.after.rounding - c.before.rounding + c.after.override_effect - c.before.override_effect);
}

TEST(Attribution, SplitsAMeasureMoveIntoScoreAndWeight) {
  const auto n = names({"adoption", "support"});
  const auto m = match_measures(n, n);
  // adoption 40 -> 60 at weight 0.5; support steady at 80.
  const auto c = attribute(record({0.5, 0.5}, {40, 80}, 60, 60), n, record({0.5, 0.5}, {60, 80}, 70, 70), n, m);
  ASSERT_TRUE(c.attributed);
  EXPECT_DOUBLE_EQ(c.contribution[0], 10);
  EXPECT_DOUBLE_EQ(c.by_score[0], 10);
  EXPECT_DOUBLE_EQ(c.by_weight[0], 0);
  EXPECT_DOUBLE_EQ(c.contribution[1], 0);
  EXPECT_DOUBLE_EQ(c.before.rounding, 0);
  EXPECT_NEAR(identity_gap(c), 0, 1e-9);
}

TEST(Attribution, UnscoredMeasureCountsAsZeroAndShiftsWeight) {
  const auto n = names({"adoption", "sentiment"});
  const auto m = match_measures(n, n);
  // sentiment becomes unscored: its weight moves to adoption (by weight), its own term leaves.
  const auto c = attribute(record({0.5, 0.5}, {60, 90}, 75, 75), n, record({1.0, kNaN}, {60, kNaN}, 60, 60), n, m);
  ASSERT_TRUE(c.attributed);
  EXPECT_DOUBLE_EQ(c.by_score[0], 0);
  EXPECT_DOUBLE_EQ(c.by_weight[0], 30);  // (1 - 0.5) * 60
  EXPECT_DOUBLE_EQ(c.contribution[1], -45);
  EXPECT_DOUBLE_EQ(c.by_score[1], 0.5 * (0 - 90));
  EXPECT_DOUBLE_EQ(c.by_weight[1], 0);
  EXPECT_NEAR(identity_gap(c), 0, 1e-9);
}

TEST(Attribution, MeasureOutsideTheModelHasZeroScoreEvenWhenScored) {
  const auto n = names({"adoption", "pace"});
  const auto m = match_measures(n, n);
  // pace is scored on both sides but only in the later model: all of it is by weight.
  const auto c = attribute(record({1.0, kNaN}, {50, 80}, 50, 50), n, record({0.5, 0.5}, {50, 80}, 65, 65), n, m);
  EXPECT_DOUBLE_EQ(c.by_score[1], 0);
  EXPECT_DOUBLE_EQ(c.by_weight[1], 40);
  EXPECT_NEAR(identity_gap(c), 0, 1e-9);
}

TEST(Attribution, RoundingAndOverrideEffectsPerSide) {
  const auto n = names({"adoption"});
  const auto m = match_measures(n, n);
  auto r1 = record({1.0}, {70.4}, 70, 70);
  auto r2 = record({1.0}, {80.6}, 81, 20);
  r2.override_ = 0;
  const auto c = attribute(r1, n, r2, n, m);
  EXPECT_NEAR(c.before.rounding, -0.4, 1e-12);
  EXPECT_NEAR(c.after.rounding, 0.4, 1e-12);
  EXPECT_EQ(c.after.override_effect, -61);
  EXPECT_EQ(c.after.override_name(), "csm_red");
  EXPECT_TRUE(c.override_changed());
  EXPECT_TRUE(c.band_changed());
  EXPECT_NEAR(identity_gap(c), 0, 1e-9);
}

TEST(Attribution, ScoreOverrideWithoutWeightedScoreIsNotAttributed) {
  const auto n = names({"adoption"});
  const auto m = match_measures(n, n);
  auto r1 = record({kNaN}, {kNaN}, -1, 10);  // `score 10` on an all-unscored account
  r1.override_ = 1;
  const auto c = attribute(r1, n, record({1.0}, {40}, 40, 40), n, m);
  EXPECT_FALSE(c.attributed);
  EXPECT_TRUE(c.contribution.empty());
  EXPECT_TRUE(std::isnan(c.before.rounding));
  EXPECT_TRUE(c.scored_both());
  EXPECT_EQ(c.score_change(), 30);
}

TEST(Attribution, MeasuresMatchByNameAcrossCardVersions) {
  const auto n1 = names({"support", "adoption", "retired"});
  const auto n2 = names({"adoption", "fresh", "support"});
  const auto m = match_measures(n1, n2);
  EXPECT_EQ(m.names, (std::vector<std::string>{"adoption", "fresh", "support", "retired"}));
  EXPECT_EQ(m.index1, (std::vector<int32_t>{1, -1, 0, 2}));
  EXPECT_EQ(m.index2, (std::vector<int32_t>{0, 1, 2, -1}));
  // before: support 0.5*80, adoption 0.25*40, retired 0.25*100; after: adoption 0.5*60, fresh 0.5*20.
  const auto c = attribute(record({0.5, 0.25, 0.25}, {80, 40, 100}, 75, 75), n1,
                           record({0.5, 0.5, kNaN}, {60, 20, kNaN}, 40, 40), n2, m);
  ASSERT_TRUE(c.attributed);
  EXPECT_DOUBLE_EQ(c.contribution[0], 30 - 10);  // adoption
  EXPECT_DOUBLE_EQ(c.by_score[0], 0.25 * 20);
  EXPECT_DOUBLE_EQ(c.contribution[1], 10);  // fresh: only after
  EXPECT_DOUBLE_EQ(c.contribution[2], -40);  // support left the model
  EXPECT_DOUBLE_EQ(c.contribution[3], -25);  // retired: only before
  EXPECT_NEAR(identity_gap(c), 0, 1e-9);
}

TEST(Attribution, SegmentAndLabelChangesAreNamed) {
  const auto n = names({"adoption"});
  const auto m = match_measures(n, n);
  auto r1 = record({1.0}, {50}, 50, 50);
  auto r2 = r1;
  r1.segment = 0;
  r1.label = 1;
  r2.segment = 1;
  const auto c = attribute(r1, n, r2, n, m);
  EXPECT_EQ(c.before.segment(), "enterprise");
  EXPECT_EQ(c.after.segment(), "default");
  EXPECT_EQ(c.before.label(), "retain");
  EXPECT_EQ(c.after.label(), "");
  EXPECT_TRUE(c.moved());
  EXPECT_FALSE(c.band_changed());
}

// A card edit that scores the same segment with another model: the model change is named and
// the account moved, though segment, score and band stay; a store that did not record models
// (segment_models empty) names none.
TEST(Attribution, AModelChangeIsNamedWhereBothSidesRecordIt) {
  auto n1 = names({"adoption"});
  auto n2 = n1;
  n1.segment_models = {"enterprise", "standard"};
  n2.segment_models = {"enterprise_v2", "standard"};
  const auto m = match_measures(n1, n2);
  const auto r = record({1.0}, {50}, 50, 50);
  const auto c = attribute(r, n1, r, n2, m);
  EXPECT_EQ(c.before.model(), "enterprise");
  EXPECT_EQ(c.after.model(), "enterprise_v2");
  EXPECT_TRUE(c.model_changed());
  EXPECT_FALSE(c.segment_changed());
  EXPECT_TRUE(c.moved());
  auto old = n1;
  old.segment_models.clear();
  const auto unknown = attribute(r, old, r, n2, m);
  EXPECT_EQ(unknown.before.model(), "");
  EXPECT_FALSE(unknown.model_changed());
  EXPECT_FALSE(unknown.moved());
}

TEST(Attribution, OutOfRangeIndicesDoNotCrash) {
  const auto n = names({"adoption"});
  const auto m = match_measures(n, n);
  auto r1 = record({}, {}, 50, 50);  // measure arrays shorter than the card's
  r1.segment = 99;
  const auto c = attribute(r1, n, record({1.0}, {50}, 50, 50), n, m);
  EXPECT_EQ(c.before.segment(), "?");
  EXPECT_DOUBLE_EQ(c.contribution[0], 50);
}

// The identity score2 - score1 = sum(contributions) + rounding2 - rounding1 + override2 -
// override1 on random records: models of random shape, unscored measures, overrides, card
// versions with measures added and removed.
TEST(Attribution, ContributionsSumExactlyToTheChangeOnRandomRecords) {
  std::mt19937_64 rng(20261201);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 20000; ++trial) {
    const size_t k1 = 1 + rng() % 8, k2 = 1 + rng() % 8;
    std::vector<std::string> m1, m2;
    for (size_t i = 0; i < k1; ++i) m1.push_back("m" + std::to_string(rng() % 10));
    for (size_t i = 0; i < k2; ++i) m2.push_back("m" + std::to_string(rng() % 10));
    std::sort(m1.begin(), m1.end()), m1.erase(std::unique(m1.begin(), m1.end()), m1.end());
    std::sort(m2.begin(), m2.end()), m2.erase(std::unique(m2.begin(), m2.end()), m2.end());
    std::shuffle(m2.begin(), m2.end(), rng);
    const auto n1 = names(m1), n2 = names(m2);
    auto side = [&](size_t k) {
      std::vector<double> w(k), s(k);
      double total = 0;
      for (size_t i = 0; i < k; ++i) {
        s[i] = u(rng) < 0.2 ? kNaN : u(rng) * 100;
        w[i] = std::isnan(s[i]) || u(rng) < 0.2 ? kNaN : u(rng);
        if (!std::isnan(w[i])) total += w[i];
      }
      double raw = 0;
      for (size_t i = 0; i < k; ++i)
        if (!std::isnan(w[i])) w[i] /= total, raw += w[i] * s[i];
      const int32_t weighted = total > 0 ? static_cast<int32_t>(std::floor(raw + 0.5 + 1e-9)) : -1;
      int32_t score = weighted;
      if (u(rng) < 0.3) score = static_cast<int32_t>(rng() % 101);  // an override applied
      auto r = record(w, s, weighted, score);
      if (score != weighted) r.override_ = 0;
      return r;
    };
    const auto r1 = side(m1.size()), r2 = side(m2.size());
    const auto c = attribute(r1, n1, r2, n2, match_measures(n1, n2));
    if (!c.attributed) {
      EXPECT_TRUE(r1.weighted < 0 || r2.weighted < 0);
      continue;
    }
    ASSERT_NEAR(identity_gap(c), 0, 1e-9) << "trial " << trial;
    for (size_t i = 0; i < c.contribution.size(); ++i)
      ASSERT_NEAR(c.contribution[i], c.by_score[i] + c.by_weight[i], 1e-9) << "trial " << trial;
  }
}

}  // namespace
}  // namespace healthc::analysis
