// "Did you mean": close typos are suggested (a swap of neighbours counts as one edit), far
// words and exact matches are not, and ties go to the first candidate.
#include "compiler/diag/suggest.h"

#include <gtest/gtest.h>

namespace healthc {
namespace {

TEST(DidYouMean, SuggestsTheNearestCloseName) {
  const std::vector<std::string> levels = {"info", "low", "medium", "high", "critical"};
  EXPECT_EQ(did_you_mean("hihg", levels), "; did you mean `high`");
  EXPECT_EQ(did_you_mean("critcal", levels), "; did you mean `critical`");
  EXPECT_EQ(did_you_mean("Critical", levels), "; did you mean `critical`");
}

TEST(DidYouMean, StaysQuietForFarWordsExactMatchesAndNothingToChoose) {
  const std::vector<std::string> levels = {"info", "low", "medium", "high", "critical"};
  EXPECT_EQ(did_you_mean("urgent", levels), "");
  EXPECT_EQ(did_you_mean("high", {"high"}), "");
  EXPECT_EQ(did_you_mean("x", {}), "");
  EXPECT_EQ(did_you_mean("", levels), "");
}

TEST(DidYouMean, TiesGoToTheFirstCandidate) { EXPECT_EQ(did_you_mean("dayz", {"days", "dazz"}), "; did you mean `days`"); }

TEST(DidYouMean, OneLetterIsNoTypoOfAnother) {
  EXPECT_EQ(nearest_name("x", {"m", "d"}), "");
  EXPECT_EQ(nearest_name("dd", {"d"}), "d");
  EXPECT_EQ(nearest_name("tenur", {"tier", "tenure"}), "tenure");
}

}  // namespace
}  // namespace healthc
