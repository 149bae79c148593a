// The explain breakdown: readable numbers in text, full precision in JSON, the weighted score
// before an override, aligned columns.
#include "runtime/analysis/explain.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/unit/analysis/analysis_test_util.h"

namespace healthc::analysis {
namespace {

constexpr const char* kCard = R"(scorecard "C"
fields { id : text key  x : number  y : number }
bands { low from 0 color red  high from 50 color green }
measure m { value = x  score = value }
measure n { value = y  score = 100 }
model default { m 3  n 1 }
override capped when x > 80 => cap 40
)";

TEST(ReadableNumber, ShortestButAtMostSixDigits) {
  EXPECT_EQ(readable_number(566.4000000000001), "566.4");
  EXPECT_EQ(readable_number(0.10136452241715399), "0.101365");
  EXPECT_EQ(readable_number(29.85), "29.85");
  EXPECT_EQ(readable_number(12), "12");
  EXPECT_EQ(readable_number(-3), "-3");
  EXPECT_EQ(readable_number(1234567.25), "1234570");
  EXPECT_EQ(readable_number(0.5), "0.5");
}

TEST(Explain, WeightedScoreBeforeTheOverrideAndFullPrecisionInJson) {
  auto card = test_util::compile(kCard);
  const rt::Dataset data = test_util::load(*card, "id,x,y\na,90.00000000000001,1\nb,10,566.4000000000001\n");
  std::string error;
  const std::vector<BlockScores> s = rt::score_blocks(*card, data.blocks, 0, true, 1, error);
  ASSERT_EQ(error, "");
  const Explanation a = explain(card->program(), s[0], 0, "a");
  ASSERT_TRUE(a.weighted_score.has_value());
  EXPECT_EQ(*a.weighted_score, 93);  // 0.75 * 90 + 0.25 * 100, before `cap 40`
  EXPECT_EQ(*a.score, 40);
  const std::string text = explain_text(a);
  EXPECT_NE(text.find("weighted score: 93 (raw 92.5)\noverride: capped => cap 40\nscore: 40\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  m        90   90.0"), std::string::npos) << text;  // readable: not 90.00000000000001

  const auto j = nlohmann::json::parse(explain_json(a));
  EXPECT_EQ(j["weighted_score"], 93);
  EXPECT_EQ(j["score"], 40);
  EXPECT_EQ(j["override"]["action"], "cap");
  EXPECT_EQ(j["nodes"][0]["value"].get<double>(), 90.00000000000001);
  EXPECT_DOUBLE_EQ(j["nodes"][0]["contribution"].get<double>() + j["nodes"][1]["contribution"].get<double>(),
                   j["raw_score"].get<double>());

  // Columns as wide as their widest cell: every row's score column ends at the same place.
  const std::string b = explain_text(explain(card->program(), s[0], 1, "b"));
  EXPECT_NE(b.find("566.4  "), std::string::npos) << b;
  EXPECT_EQ(b.find("566.4000000000001"), std::string::npos) << b;
  std::vector<size_t> ends;
  for (size_t at = b.find("\n  "); at != std::string::npos; at = b.find("\n  ", at + 1))
    ends.push_back(b.find('\n', at + 1) - at);
  ASSERT_GE(ends.size(), 3u);
  EXPECT_EQ(ends[0], ends[1]);
  EXPECT_EQ(ends[1], ends[2]);
  EXPECT_NE(b.find("override: none\n"), std::string::npos) << b;
}

}  // namespace
}  // namespace healthc::analysis
