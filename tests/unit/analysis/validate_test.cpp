// validate(): the score's AUC against an outcome, rates per band, each measure's own AUC, and
// the data it refuses.
#include "runtime/analysis/validate.h"

#include <gtest/gtest.h>

#include "tests/unit/analysis/analysis_test_util.h"

namespace healthc::analysis {
namespace {

constexpr const char* kCard = R"(scorecard "V"
fields { id : text key  x : number  y : number optional }
bands { low from 0 color red  high from 50 color green }
measure good { value = x  score = value }
measure noise { value = y  score = value }
model default { good 1  noise 1 }
)";

TEST(Validate, ScoreThatOrdersOutcomesPerfectlyHasAucOne) {
  auto card = test_util::compile(kCard);
  // Low scores churned, high scores stayed; one account without an outcome, one unscored.
  const rt::Dataset data = test_util::load(*card,
                                           "id,x,y,churned\n"
                                           "a,10,10,1\nb,20,20,1\nc,70,70,0\nd,90,90,0\ne,50,50,\n",
                                           {"churned"});
  Validation v;
  std::string error;
  ASSERT_TRUE(validate(*card, data, ValidateOptions{}, v, error)) << error;
  EXPECT_EQ(v.outcome, "churned");
  EXPECT_EQ(v.base.count, 4u);
  EXPECT_EQ(v.base.positives, 2u);
  EXPECT_EQ(v.no_outcome, 1u);
  EXPECT_DOUBLE_EQ(v.auc.auc, 1.0);
  ASSERT_EQ(v.bands.size(), 3u);  // low, high, unscored
  EXPECT_EQ(v.bands[0].name, "low");
  EXPECT_EQ(v.bands[0].rate.count, 2u);
  EXPECT_EQ(v.bands[0].rate.positives, 2u);
  EXPECT_EQ(v.bands[1].rate.positives, 0u);
  EXPECT_EQ(v.worst_band, 0u);
  EXPECT_TRUE(v.out_of_order.empty());
  ASSERT_EQ(v.measures.size(), 2u);
  EXPECT_DOUBLE_EQ(v.measures[0].auc.auc, 1.0);
  EXPECT_DOUBLE_EQ(v.measures[0].missing, 0.0);
  ASSERT_EQ(v.segments.size(), 1u);  // default only
  EXPECT_EQ(v.segments[0].rate.count, 4u);
}

TEST(Validate, PositiveHighFlipsTheExpectedOrder) {
  auto card = test_util::compile(kCard);
  const rt::Dataset data =
      test_util::load(*card, "id,x,y,renewed\na,10,10,1\nb,20,20,1\nc,70,70,0\nd,90,90,0\n", {"renewed"});
  ValidateOptions o;
  o.positive_low = false;
  Validation v;
  std::string error;
  ASSERT_TRUE(validate(*card, data, o, v, error)) << error;
  EXPECT_DOUBLE_EQ(v.auc.auc, 0.0);  // backwards: renewals at low scores
  EXPECT_EQ(v.worst_band, 1u);
  EXPECT_EQ(v.out_of_order, std::vector<size_t>{1});  // high renews less than low
}

TEST(Validate, RefusesDataWithoutBothOutcomesOrWithoutTheColumn) {
  auto card = test_util::compile(kCard);
  Validation v;
  std::string error;
  const rt::Dataset one = test_util::load(*card, "id,x,y,churned\na,10,10,1\nb,20,20,1\n", {"churned"});
  EXPECT_FALSE(validate(*card, one, ValidateOptions{}, v, error));
  EXPECT_EQ(error, "every scored account in data.csv has churned = 1; validating needs accounts with both outcomes");
  const rt::Dataset none = test_util::load(*card, "id,x,y\na,10,10\n", {"churned"});
  EXPECT_FALSE(validate(*card, none, ValidateOptions{}, v, error));
  EXPECT_EQ(error, "data.csv has no column `churned` for the outcome");
  const rt::Dataset bad = test_util::load(*card, "id,x,y,churned\na,10,10,maybe\n", {"churned"});
  EXPECT_FALSE(validate(*card, bad, ValidateOptions{}, v, error));
  EXPECT_EQ(error,
            "data.csv:2: outcome `churned` is `maybe`, not a bool (true/false, yes/no, 1/0); if one of its values "
            "(`maybe`) means the outcome happened, pass --positive-value with it");
}

TEST(Validate, OutcomesTakeTheDataBoolsOrANamedPositiveText) {
  auto card = test_util::compile(kCard);
  Validation v;
  std::string error;
  const rt::Dataset yes_no =
      test_util::load(*card, "id,x,y,churned\na,10,10,Yes\nb,90,90,no\nc,20,20,TRUE\nd,80,80,0\n", {"churned"});
  ASSERT_TRUE(validate(*card, yes_no, ValidateOptions{}, v, error)) << error;
  EXPECT_EQ(v.base.positives, 2u);
  EXPECT_EQ(v.base.count, 4u);
  const rt::Dataset words =
      test_util::load(*card, "id,x,y,churned\na,10,10,Churned\nb,90,90,Stayed\nc,20,20, Churned \n", {"churned"});
  ValidateOptions named;
  named.positive_value = "Churned";
  ASSERT_TRUE(validate(*card, words, named, v, error)) << error;
  EXPECT_EQ(v.base.positives, 2u);  // trimmed, as every outcome cell is
  EXPECT_FALSE(validate(*card, words, ValidateOptions{}, v, error));
}

TEST(Validate, NullCellsInTheOutcomeAreNoOutcome) {
  auto card = test_util::compile(kCard);
  Validation v;
  std::string error;
  rt::Dataset data = test_util::load(*card, "id,x,y,churned\na,10,10,1\nb,90,90,0\nc,20,20,NA\n", {"churned"});
  EXPECT_FALSE(validate(*card, data, ValidateOptions{}, v, error));  // NA is not a bool
  data.null_cells = {"NA"};
  ASSERT_TRUE(validate(*card, data, ValidateOptions{}, v, error)) << error;
  EXPECT_EQ(v.base.count, 2u);
  EXPECT_EQ(v.base.positives, 1u);
  rt::Dataset words =
      test_util::load(*card, "id,x,y,churned\na,10,10,Churned\nb,90,90,Stayed\nc,20,20,NA\n", {"churned"});
  words.null_cells = {"NA"};
  ValidateOptions named;
  named.positive_value = "Churned";
  ASSERT_TRUE(validate(*card, words, named, v, error)) << error;
  EXPECT_EQ(v.base.count, 2u);  // NA is not counted as 0
  EXPECT_EQ(v.base.positives, 1u);
}

TEST(Validate, PositiveValueIsSuggestedAndTakenOnlyForATwoValuedColumnWithoutBools) {
  auto card = test_util::compile(kCard);
  Validation v;
  std::string error;
  // Two words: the hint names both and leaves the choice to the user (the first seen may be
  // the negative one).
  const rt::Dataset words =
      test_util::load(*card, "id,x,y,churned\na,10,10,Stayed\nb,90,90,Churned\n", {"churned"});
  EXPECT_FALSE(validate(*card, words, ValidateOptions{}, v, error));
  EXPECT_EQ(error,
            "data.csv:2: outcome `churned` is `Stayed`, not a bool (true/false, yes/no, 1/0); if one of its values "
            "(`Stayed`, `Churned`) means the outcome happened, pass --positive-value with it");
  // Bools with a stray word: --positive-value 'maybe' would turn every `1` into a 0.
  const rt::Dataset mixed =
      test_util::load(*card, "id,x,y,churned\na,10,10,1\nb,90,90,0\nc,20,20,maybe\n", {"churned"});
  EXPECT_FALSE(validate(*card, mixed, ValidateOptions{}, v, error));
  EXPECT_EQ(error,
            "data.csv:4: outcome `churned` is `maybe`, not a bool (true/false, yes/no, 1/0); the column mixes bools "
            "with other text (`1`, `0`, `maybe`): fix the data");
  ValidateOptions maybe;
  maybe.positive_value = "maybe";
  EXPECT_FALSE(validate(*card, mixed, maybe, v, error));
  EXPECT_EQ(error,
            "data.csv:4: outcome `churned` is `maybe` where other rows hold bools (`1`, `0`, `maybe`); "
            "--positive-value 'maybe' needs a column of two values");
  const rt::Dataset three = test_util::load(
      *card, "id,x,y,churned\na,10,10,Churned\nb,90,90,Stayed\nc,20,20,Paused\nd,30,30,Stayed\n", {"churned"});
  ValidateOptions churned;
  churned.positive_value = "Churned";
  EXPECT_FALSE(validate(*card, three, churned, v, error));
  EXPECT_EQ(error,
            "data.csv:4: outcome `churned` is `Paused`, a third value (`Churned`, `Stayed`, `Paused`); "
            "--positive-value 'Churned' needs a column of two values");
  EXPECT_FALSE(validate(*card, three, ValidateOptions{}, v, error));
  EXPECT_EQ(error,
            "data.csv:2: outcome `churned` is `Churned`, not a bool (true/false, yes/no, 1/0); the column has more "
            "than two values (`Churned`, `Stayed`, `Paused`): an outcome has two");
  ValidateOptions typo;
  typo.positive_value = "churned";
  EXPECT_FALSE(validate(*card, words, typo, v, error));
  EXPECT_EQ(error, "data.csv: no outcome `churned` is `churned` (the column holds `Stayed`, `Churned`)");
  // Bools with a positive text among them are two values: yes/no with --positive-value yes.
  const rt::Dataset yes_no = test_util::load(*card, "id,x,y,churned\na,10,10,yes\nb,90,90,no\n", {"churned"});
  ValidateOptions yes;
  yes.positive_value = "yes";
  ASSERT_TRUE(validate(*card, yes_no, yes, v, error)) << error;
  EXPECT_EQ(v.base.positives, 1u);
}

}  // namespace
}  // namespace healthc::analysis
