// run_case_file(): each case row checked against its expectations, unreadable rows as failing
// cases in line order, and the files it refuses.
#include "runtime/analysis/test_cases.h"
#include "runtime/analysis/explain.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tests/unit/analysis/analysis_test_util.h"

namespace healthc::analysis {
namespace {

constexpr const char* kCard = R"(scorecard "C"
fields { id : text key  x : number }
bands { low from 0 color red  high from 50 color green }
measure m { value = x  score = value }
model default { m 1 }
override zero when x == 0 => score 0
)";

// A case file on disk (the function reads by path, as `healthc test` does).
class CaseFile {
 public:
  explicit CaseFile(const std::string& text) {
    char name[] = "/tmp/healthc_cases_XXXXXX";
    const int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    path_ = name;
    std::FILE* f = fdopen(fd, "w");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  ~CaseFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(TestCases, ChecksEachExpectationAndExplainsFailures) {
  auto card = test_util::compile(kCard);
  CaseFile f(
      "id,x,expect_score,expect_band,expect_override,description\n"
      "a,90,85..95,high,-,healthy\n"
      "b,90,10,low,,wrong on purpose\n"
      "c,lots,,,,\n"
      "d,0,unscored,,zero,\n");
  std::vector<CaseResult> out;
  std::string error;
  ASSERT_TRUE(run_case_file(*card, f.path(), 0, out, error)) << error;
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].key, "a");
  EXPECT_TRUE(out[0].passed());
  EXPECT_EQ(out[0].description, "healthy");
  EXPECT_EQ(out[1].key, "b");
  EXPECT_EQ(out[1].failures,
            (std::vector<std::string>{"score: expected 10, got 90", "band: expected low, got high"}));
  EXPECT_NE(out[1].breakdown.find("account b\n"), std::string::npos) << out[1].breakdown;
  EXPECT_EQ(out[2].key, "line 4");  // the unreadable row, in line order
  EXPECT_EQ(out[2].line, 4u);
  ASSERT_EQ(out[2].failures.size(), 1u);
  EXPECT_EQ(out[2].failures[0].rfind("the row cannot be read: ", 0), 0u);
  EXPECT_EQ(out[3].failures, (std::vector<std::string>{"score: expected unscored, got 0"}));
}

TEST(TestCases, RefusesFilesThatWouldCheckNothing) {
  auto card = test_util::compile(kCard);
  std::vector<CaseResult> out;
  std::string error;
  CaseFile typo("id,x,expect_colour\na,1,red\n");
  EXPECT_FALSE(run_case_file(*card, typo.path(), 0, out, error));
  EXPECT_NE(error.find("unknown column `expect_colour`"), std::string::npos) << error;
  CaseFile none("id,x\na,1\n");
  EXPECT_FALSE(run_case_file(*card, none.path(), 0, out, error));
  EXPECT_NE(error.find("no expect_* column"), std::string::npos) << error;
  EXPECT_TRUE(out.empty());
}

TEST(Explain, BreakdownShowsEachNodeAndTheOutcome) {
  auto card = test_util::compile(kCard);
  const rt::Dataset data = test_util::load(*card, "id,x\na,90\nb,0\n");
  std::string error;
  const std::vector<BlockScores> s = rt::score_blocks(*card, data.blocks, 0, true, 1, error);
  ASSERT_EQ(error, "");
  const std::string a = explain_row(card->program(), s[0], 0, "a");
  EXPECT_NE(a.find("account a\nsegment: default (no segment's condition holds; model `default`)\n"), std::string::npos) << a;
  EXPECT_NE(a.find("score: 90\nband: high (green)\n"), std::string::npos) << a;
  EXPECT_NE(a.find("override: none\n"), std::string::npos) << a;
  const std::string b = explain_row(card->program(), s[0], 1, "b");
  EXPECT_NE(b.find("override: zero => score 0\n"), std::string::npos) << b;
  EXPECT_NE(b.find("band: low (red)\n"), std::string::npos) << b;
}

}  // namespace
}  // namespace healthc::analysis
