// The formatter on every card in the repository that parses (examples, golden cases, the fuzz
// corpus): idempotent, and meaning-preserving: the same IR when the card compiles, the same
// diagnostics (code and message) when it does not. tests/format/fmt_check.py does the same
// through the CLI and scores the examples before and after.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/api/compile.h"
#include "compiler/format/format.h"
#include "compiler/ir/ir.h"

namespace healthc {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> repository_cards() {
  std::vector<fs::path> out;
  for (const char* dir : {"examples", "tests"}) {
    const fs::path root = fs::path(HEALTHC_SOURCE_DIR) / dir;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
      if (it->is_regular_file() && it->path().extension() == ".health") out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What a card means: its IR, or when it does not compile, its diagnostics without positions.
std::string meaning(const std::string& text) {
  CompileOptions opts;
  opts.engine = Engine::Evaluator;
  CompileOutcome c = compile_scorecard_text("card.health", text, opts);
  if (c.scorecard) return ir::print(c.scorecard->program());
  std::string out = "error: " + c.error + "\n";
  if (c.front)
    for (const Diagnostic& d : c.front->diags.items()) out += d.code + " " + d.message + "\n";
  return out;
}

TEST(FormatRepositoryCards, IdempotentAndMeaningPreservingOnEveryCardThatParses) {
  const std::vector<fs::path> cards = repository_cards();
  ASSERT_GT(cards.size(), 100u);
  size_t formatted = 0;
  for (const fs::path& p : cards) {
    const std::string text = read(p);
    format::FormatResult once = format::format_card(p.string(), text);
    if (!once.ok) {
      EXPECT_EQ(once.text, text) << p;
      continue;
    }
    ++formatted;
    format::FormatResult twice = format::format_card(p.string(), once.text);
    ASSERT_TRUE(twice.ok) << p << ": the formatted card does not parse\n" << once.text;
    EXPECT_EQ(twice.text, once.text) << p << ": not idempotent";
    EXPECT_EQ(meaning(once.text), meaning(text)) << p << ": the formatted card means something else";
  }
  EXPECT_GT(formatted, cards.size() / 2);
}

}  // namespace
}  // namespace healthc
