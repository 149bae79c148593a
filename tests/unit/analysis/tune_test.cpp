// tune(): the search moves weight to the measure that predicts the outcome, keeps whole
// weights summing to 100, and refuses data it cannot fit on.
#include "runtime/analysis/tune.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/unit/analysis/analysis_test_util.h"

namespace healthc::analysis {
namespace {

// The card with its two weights and the high band's threshold filled in: the test's builder.
std::string card_text(double good, double noise, int32_t high_from) {
  return fmt::format(R"(scorecard "T"
fields {{ id : text key  x : number  y : number }}
bands {{ low from 0 color red  high from {} color green }}
measure good {{ value = x  score = value }}
measure noise {{ value = y  score = value }}
model default {{ good {}  noise {} }}
)",
                     high_from, good, noise);
}

// Churn follows x (low x churned); y is unrelated to it.
std::string data(int rows) {
  std::string s = "id,x,y,churned\n";
  for (int i = 0; i < rows; ++i) {
    const int x = (i * 7919) % 100, y = (i * 37 + 11) % 100;
    s += fmt::format("acc{},{},{},{}\n", i, x, y, x < 40 ? 1 : 0);
  }
  return s;
}

TEST(Tune, MovesWeightToTheMeasureThatPredicts) {
  auto card = test_util::compile(card_text(50, 50, 50));
  const rt::Dataset ds = test_util::load(*card, data(400), {"churned"});
  size_t built = 0;
  CandidateBuilder build = [&](const std::vector<ir::Model>& models, const std::vector<int32_t>& band_from, Engine,
                               std::string& error) -> std::shared_ptr<const Scorecard> {
    ++built;
    const auto& roots = models[0].roots;
    auto c = test_util::compile(card_text(roots[0].weight, roots[1].weight, band_from[1]));
    if (!c) error = "the candidate does not compile";
    return c;
  };
  TuneOptions o;
  o.max_evals = 200;
  const TuneResult t = tune(*card, ds, o, build);
  ASSERT_EQ(t.status, TuneStatus::Ok) << t.error;
  EXPECT_EQ(t.with_outcome, 400u);
  EXPECT_EQ(t.training + t.held_out, 400u);
  EXPECT_GT(t.training, t.held_out);
  EXPECT_EQ(t.evals + 1, built);  // every candidate, plus the final card
  EXPECT_GT(t.after_train.auc, t.before_train.auc);
  EXPECT_GT(t.after_held_out.auc, t.before_held_out.auc);
  ASSERT_EQ(t.levels.size(), 1u);
  EXPECT_EQ(t.levels[0].nodes, (std::vector<std::string>{"good", "noise"}));
  EXPECT_EQ(t.levels[0].before, (std::vector<double>{50, 50}));
  EXPECT_GT(t.levels[0].after[0], 50);
  EXPECT_EQ(t.levels[0].after[0] + t.levels[0].after[1], 100);
  EXPECT_EQ(t.models[0].roots[0].weight, t.levels[0].after[0]);
  EXPECT_EQ(t.band_from, (std::vector<int32_t>{0, 50}));  // fixed bands
}

TEST(Tune, RefusesAnOutcomeMissingFromTheData) {
  auto card = test_util::compile(card_text(50, 50, 50));
  const rt::Dataset ds = test_util::load(*card, "id,x,y\na,1,2\n", {"churned"});
  const TuneResult t = tune(*card, ds, TuneOptions{}, [](auto&&...) { return nullptr; });
  EXPECT_EQ(t.status, TuneStatus::DataError);
  EXPECT_EQ(t.error, "data.csv has no column `churned` for the outcome");
}

TEST(Tune, ABuilderFailureIsAnInternalError) {
  auto card = test_util::compile(card_text(50, 50, 50));
  const rt::Dataset ds = test_util::load(*card, data(100), {"churned"});
  const TuneResult t = tune(*card, ds, TuneOptions{},
                            [](const std::vector<ir::Model>&, const std::vector<int32_t>&, Engine, std::string& error) {
                              error = "no compiler here";
                              return std::shared_ptr<const Scorecard>();
                            });
  EXPECT_EQ(t.status, TuneStatus::InternalError);
  EXPECT_EQ(t.error, "no compiler here");
}

}  // namespace
}  // namespace healthc::analysis
