// Differential tests: random scorecards and random data (missing cells, zeros, extremes)
// scored by the JIT and by the reference evaluator must agree on every output of every row.
// A failure prints the seed; HEALTHC_DIFF_SEED=N reruns that one case.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/scorecard.h"
#include "tests/common/card_generator.h"

namespace healthc {
namespace {

using test_support::CardGenerator;
using test_support::random_block;

bool run_case(uint64_t seed, size_t rows) {
  CardGenerator g(seed);
  const std::string text = g.card();
  CompileOptions jit_opts, eval_opts;
  eval_opts.engine = Engine::Evaluator;
  CompileOutcome jit = compile_scorecard_text("random.health", text, jit_opts);
  CompileOutcome ev = compile_scorecard_text("random.health", text, eval_opts);
  if (!jit.scorecard || !ev.scorecard) {
    ADD_FAILURE() << "seed " << seed << ": generated card does not compile: " << jit.error
                  << (jit.front && !jit.front->diags.items().empty() ? jit.front->diags.items()[0].message : "")
                  << "\n" << text;
    return false;
  }
  const rt::Schema schema = jit.scorecard->schema();
  rt::ColumnBlock block = random_block(schema, g, rows);
  BlockScores a, b;
  const double as_of = 20100;
  jit.scorecard->score(block, as_of, true, a);
  ev.scorecard->score(block, as_of, true, b);
  auto same_double = [](double x, double y) { return std::memcmp(&x, &y, sizeof x) == 0; };
  for (size_t r = 0; r < rows; ++r) {
    const bool rows_agree = a.segment[r] == b.segment[r] && a.score[r] == b.score[r] && a.band[r] == b.band[r] &&
                            a.label[r] == b.label[r] && a.override_[r] == b.override_[r];
    if (!rows_agree) {
      ADD_FAILURE() << "seed " << seed << " row " << r << ": jit (seg " << a.segment[r] << ", score " << a.score[r]
                    << ", band " << a.band[r] << ", label " << a.label[r] << ", override " << a.override_[r]
                    << ") vs eval (" << b.segment[r] << ", " << b.score[r] << ", " << b.band[r] << ", " << b.label[r]
                    << ", " << b.override_[r] << ")\n" << text;
      return false;
    }
  }
  for (size_t i = 0; i < a.m_value.size(); ++i) {
    const bool ok = a.m_value_valid[i] == b.m_value_valid[i] && a.m_score_valid[i] == b.m_score_valid[i] &&
                    a.m_weight_valid[i] == b.m_weight_valid[i] &&
                    (!a.m_value_valid[i] || same_double(a.m_value[i], b.m_value[i])) &&
                    (!a.m_score_valid[i] || same_double(a.m_score[i], b.m_score[i])) &&
                    (!a.m_weight_valid[i] || same_double(a.m_weight[i], b.m_weight[i]));
    if (!ok) {
      ADD_FAILURE() << "seed " << seed << ": measure " << i / rows << " row " << i % rows << " differs: value "
                    << a.m_value[i] << "/" << b.m_value[i] << " score " << a.m_score[i] << "/" << b.m_score[i]
                    << " weight " << a.m_weight[i] << "/" << b.m_weight[i] << "\n" << text;
      return false;
    }
  }
  return true;
}

TEST(Differential, JitAgreesWithTheEvaluatorOnRandomCardsAndData) {
  if (const char* s = std::getenv("HEALTHC_DIFF_SEED")) {
    run_case(std::strtoull(s, nullptr, 10), 512);
    return;
  }
  const int cases = std::getenv("HEALTHC_DIFF_CASES") ? std::atoi(std::getenv("HEALTHC_DIFF_CASES")) : 150;
  int failures = 0;
  for (int seed = 1; seed <= cases && failures < 3; ++seed) failures += !run_case(static_cast<uint64_t>(seed), 200);
}

}  // namespace
}  // namespace healthc
