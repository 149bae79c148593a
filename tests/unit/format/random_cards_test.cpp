// The formatter on the differential test's random cards (v1 and v2): idempotent, and the
// formatted card lowers to the same IR as the card as generated. The failing seed is printed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "compiler/api/compile.h"
#include "compiler/format/format.h"
#include "compiler/ir/ir.h"
#include "tests/common/card_generator.h"

namespace healthc {
namespace {

std::string ir_of(const std::string& text) {
  CompileOptions opts;
  opts.engine = Engine::Evaluator;  // the IR is all that is compared: no JIT needed
  CompileOutcome c = compile_scorecard_text("random.health", text, opts);
  return c.scorecard ? ir::print(c.scorecard->program()) : std::string("does not compile: ") + c.error;
}

void check_seed(uint64_t seed, bool v2) {
  test_support::CardGenerator g(seed);
  g.v2 = v2;
  const std::string card = g.card();
  const std::string what = (v2 ? "v2 seed " : "seed ") + std::to_string(seed);
  format::FormatResult once = format::format_card("random.health", card);
  ASSERT_TRUE(once.ok) << what << "\n" << card;
  format::FormatResult twice = format::format_card("random.health", once.text);
  ASSERT_TRUE(twice.ok) << what;
  EXPECT_EQ(twice.text, once.text) << what << ": not idempotent";
  const std::string before = ir_of(card);
  EXPECT_EQ(before.rfind("does not compile", 0), std::string::npos) << what << ": " << before;
  EXPECT_EQ(ir_of(once.text), before) << what << ": the formatted card computes something else\n" << once.text;
}

TEST(FormatRandomCards, IdempotentAndSameIrOnGeneratedCards) {
  const int cases = std::getenv("HEALTHC_FMT_CASES") ? std::atoi(std::getenv("HEALTHC_FMT_CASES")) : 100;
  for (int seed = 1; seed <= cases && !HasFailure(); ++seed) {
    check_seed(static_cast<uint64_t>(seed), false);
    check_seed(static_cast<uint64_t>(seed), true);
  }
}

}  // namespace
}  // namespace healthc
