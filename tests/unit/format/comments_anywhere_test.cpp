// Comments put between any two tokens of the examples, on lines of their own or after code:
// the formatter keeps every one (once, in order), stays idempotent, and the card computes
// what it computed. The failing seed is printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/api/compile.h"
#include "compiler/format/format.h"
#include "compiler/ir/ir.h"

namespace healthc {
namespace {

std::string read(const std::string& rel) {
  std::ifstream in(std::string(HEALTHC_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ir_of(const std::string& text) {
  CompileOptions opts;
  opts.engine = Engine::Evaluator;
  CompileOutcome c = compile_scorecard_text("card.health", text, opts);
  return c.scorecard ? ir::print(c.scorecard->program()) : "does not compile";
}

// Places where a comment can go without touching a token: after a blank run between tokens.
// Blanks outside strings and comments are found by a small scan (strings hold no newline).
std::vector<size_t> gaps(const std::string& text) {
  std::vector<size_t> out;
  bool in_string = false, in_comment = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_comment) {
      in_comment = c != '\n';
      if (!in_comment) out.push_back(i);
    } else if (in_string) {
      if (c == '\\') ++i;
      else in_string = c != '"';
    } else if (c == '"') {
      in_string = true;
    } else if (c == '#') {
      in_comment = true;
    } else if (c == ' ' || c == '\n') {
      out.push_back(i);
    }
  }
  return out;
}

TEST(FormatComments, CommentsAnywhereAreKeptInOrderAndTheCardMeansTheSame) {
  for (const char* card : {"examples/b2b_saas_v2.health", "examples/fintech_platform.health"}) {
    const std::string original = read(card);
    ASSERT_FALSE(original.empty()) << card;
    const std::string ir = ir_of(original);
    const std::vector<size_t> places = gaps(original);
    for (uint64_t seed = 1; seed <= 40; ++seed) {
      std::mt19937_64 rng(seed);
      std::string text = original;
      std::vector<std::string> added;
      // Insert from the end so earlier places stay valid.
      std::vector<size_t> chosen;
      for (int k = 0; k < 6; ++k) chosen.push_back(places[rng() % places.size()]);
      std::sort(chosen.rbegin(), chosen.rend());
      chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
      for (size_t at : chosen) {
        const std::string mark = "#c" + std::to_string(seed) + "_" + std::to_string(added.size());
        added.push_back(mark);
        text.insert(at, rng() % 2 ? " " + mark + "\n" : "\n" + mark + "\n\n");
      }
      const std::string what = std::string(card) + " seed " + std::to_string(seed);
      format::FormatResult once = format::format_card("card.health", text);
      ASSERT_TRUE(once.ok) << what << "\n" << text;
      format::FormatResult twice = format::format_card("card.health", once.text);
      ASSERT_TRUE(twice.ok) << what;
      EXPECT_EQ(twice.text, once.text) << what << ": not idempotent\n" << text;
      for (const std::string& mark : added) {
        const size_t first = once.text.find(mark + "\n");
        EXPECT_NE(first, std::string::npos) << what << ": lost " << mark << "\n" << once.text;
        EXPECT_EQ(once.text.find(mark + "\n", first + 1), std::string::npos) << what << ": " << mark << " twice";
      }
      // In order: the marks were inserted from the end, so they appear in reverse.
      size_t last = 0;
      for (auto it = added.rbegin(); it != added.rend(); ++it) {
        const size_t at = once.text.find(*it + "\n");
        EXPECT_GE(at, last) << what << ": " << *it << " moved";
        last = at;
      }
      EXPECT_EQ(ir_of(once.text), ir) << what << ": means something else\n" << once.text;
      if (HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace healthc
