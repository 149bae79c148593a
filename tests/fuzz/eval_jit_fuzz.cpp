// Fuzz target: the JIT against the reference evaluator. The fuzzer's bytes are the choices of
// the differential test's card generator (tests/common/card_generator.h), then of the rows, so
// mutations explore cards and data (half of them v2 cards, given random past values); both
// engines must agree bit for bit on every output.
#include <cstdint>
#include <cstring>
#include <string>

#include "compiler/api/compile.h"
#include "tests/common/card_generator.h"
#include "tests/fuzz/fuzz_invariants.h"

namespace healthc::fuzz {
namespace {

bool same_double(double x, double y) { return std::memcmp(&x, &y, sizeof x) == 0; }

void compare(const std::string& card, const BlockScores& jit, const BlockScores& ev) {
  for (size_t r = 0; r < jit.rows; ++r) {
    const bool agree = jit.segment[r] == ev.segment[r] && jit.score[r] == ev.score[r] && jit.band[r] == ev.band[r] &&
                       jit.label[r] == ev.label[r] && jit.override_[r] == ev.override_[r] &&
                       jit.weighted_score[r] == ev.weighted_score[r] && jit.alerts_active[r] == ev.alerts_active[r] &&
                       jit.stale[r] == ev.stale[r];
    if (!agree)
      fail("row " + std::to_string(r) + ": jit (segment " + std::to_string(jit.segment[r]) + ", score " +
           std::to_string(jit.score[r]) + ", band " + std::to_string(jit.band[r]) + ", label " +
           std::to_string(jit.label[r]) + ", override " + std::to_string(jit.override_[r]) + ", weighted " +
           std::to_string(jit.weighted_score[r]) + ", alerts " + std::to_string(jit.alerts_active[r]) + ", stale " +
           std::to_string(jit.stale[r]) + ") vs eval (" + std::to_string(ev.segment[r]) + ", " +
           std::to_string(ev.score[r]) + ", " + std::to_string(ev.band[r]) + ", " + std::to_string(ev.label[r]) + ", " +
           std::to_string(ev.override_[r]) + ", " + std::to_string(ev.weighted_score[r]) + ", " +
           std::to_string(ev.alerts_active[r]) + ", " + std::to_string(ev.stale[r]) + ")\n" + card);
  }
  for (size_t i = 0; i < jit.m_value.size(); ++i) {
    const bool agree = jit.m_value_valid[i] == ev.m_value_valid[i] && jit.m_score_valid[i] == ev.m_score_valid[i] &&
                       jit.m_weight_valid[i] == ev.m_weight_valid[i] &&
                       (!jit.m_value_valid[i] || same_double(jit.m_value[i], ev.m_value[i])) &&
                       (!jit.m_score_valid[i] || same_double(jit.m_score[i], ev.m_score[i])) &&
                       (!jit.m_weight_valid[i] || same_double(jit.m_weight[i], ev.m_weight[i]));
    if (!agree)
      fail("measure " + std::to_string(i / jit.rows) + " row " + std::to_string(i % jit.rows) +
           " differs: value " + std::to_string(jit.m_value[i]) + "/" + std::to_string(ev.m_value[i]) + " score " +
           std::to_string(jit.m_score[i]) + "/" + std::to_string(ev.m_score[i]) + " weight " +
           std::to_string(jit.m_weight[i]) + "/" + std::to_string(ev.m_weight[i]) + "\n" + card);
  }
}

}  // namespace
}  // namespace healthc::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace healthc;
  if (size > 4096) return -1;  // a card and 64 rows take far fewer choices
  test_support::BasicCardGenerator<test_support::ByteChoices> g(data, size);
  g.v2 = g.pick(0, 1) == 1;  // half the inputs make cards that read the past, with alerts and stale rules
  const std::string card = g.card();
  CompileOptions jit_options, eval_options;
  jit_options.use_cache = false;  // a fresh compile each time; the cache has its own tests
  eval_options.engine = Engine::Evaluator;
  const CompileOutcome jit = compile_scorecard_text("random.health", card, jit_options);
  const CompileOutcome ev = compile_scorecard_text("random.health", card, eval_options);
  if (!jit.scorecard || !ev.scorecard) {
    const FrontendResult* front = jit.front ? jit.front.get() : ev.front.get();
    fuzz::fail("a generated card does not compile: " + jit.error +
               (front && !front->diags.items().empty() ? front->diags.items()[0].message : "") + "\n" + card);
  }
  const rt::Schema schema = jit.scorecard->schema();
  const size_t rows = static_cast<size_t>(g.pick(1, 64));
  const rt::ColumnBlock block = test_support::random_block(schema, g, rows);
  const HistoryColumns history = test_support::random_history(jit.scorecard->program(), g, rows);
  const double as_of = 20100;
  for (const bool detail : {false, true}) {
    BlockScores a, b;
    jit.scorecard->score(block, as_of, detail, &history, a);
    ev.scorecard->score(block, as_of, detail, &history, b);
    fuzz::compare(card, a, b);
  }
  return 0;
}
