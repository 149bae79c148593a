// Differential tests: three engines — the JIT, the reference evaluator and an ahead-of-time
// artefact (compiled to a shared object, loaded through runtime/aot/) — must agree bit for bit
// on every output of every row, on random scorecards with random data (missing cells, zeros,
// extremes), on random v2 cards (the past, alerts, stale rules) with random history (missing,
// present, names the card no longer has), and on the example cards with their sample data and
// random data.
// A failure prints the seed; HEALTHC_DIFF_SEED=N reruns that one case (HEALTHC_DIFF_PRINT=1
// prints each card).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "compiler/api/compile.h"
#include "compiler/jit/aot.h"
#include "runtime/aot/artefact.h"
#include "runtime/aot/cpu.h"
#include "runtime/io/record_reader.h"
#include "tests/common/card_generator.h"

namespace healthc {
namespace {

using test_support::CardGenerator;
using test_support::random_block;

// A scratch directory for this process's artefacts (each is deleted once loaded), removed at exit.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    std::string pattern = testing::TempDir() + "healthc_diff_XXXXXX";
    if (::mkdtemp(pattern.data())) path = pattern;
  }
  ~ScratchDir() {
    if (!path.empty()) ::rmdir(path.c_str());
  }
};
const std::string& scratch_dir() {
  static const ScratchDir dir;
  return dir.path;
}

// `program` compiled ahead of time for `cpu` and loaded back; null (with a failure) if not.
std::shared_ptr<const Scorecard> aot_card(const ir::Program& program, const std::string& name,
                                          const std::string& cpu = jit::kDefaultAotCpu) {
  const std::string path = scratch_dir() + "/" + name + "-" + cpu + ".so";
  jit::ArtefactOptions options;
  options.cpu = cpu;
  const jit::ArtefactResult written = jit::write_artefact(program, options, path);
  if (!written.error.empty()) {
    ADD_FAILURE() << name << ": cannot write the artefact: " << written.error;
    return nullptr;
  }
  std::string error;
  auto card = aot::load(path, error);
  std::remove(path.c_str());  // the loaded code stays mapped
  if (!card) ADD_FAILURE() << name << ": cannot load the artefact: " << error;
  return card;
}

bool same_double(double x, double y) { return std::memcmp(&x, &y, sizeof x) == 0; }

// Whether two engines' scores of the same block agree bit for bit; says where not.
bool agree(const BlockScores& a, const char* an, const BlockScores& b, const char* bn, const std::string& what,
           const std::string& text) {
  const size_t rows = a.rows;
  if (b.rows != rows) {
    ADD_FAILURE() << what << ": " << an << " scored " << a.rows << " rows, " << bn << " " << b.rows;
    return false;
  }
  for (size_t r = 0; r < rows; ++r) {
    const bool rows_agree = a.segment[r] == b.segment[r] && a.score[r] == b.score[r] && a.band[r] == b.band[r] &&
                            a.label[r] == b.label[r] && a.override_[r] == b.override_[r] &&
                            a.weighted_score[r] == b.weighted_score[r] && a.alerts_active[r] == b.alerts_active[r] &&
                            a.stale[r] == b.stale[r];
    if (!rows_agree) {
      ADD_FAILURE() << what << " row " << r << ": " << an << " (seg " << a.segment[r] << ", score " << a.score[r]
                    << ", band " << a.band[r] << ", label " << a.label[r] << ", override " << a.override_[r]
                    << ", weighted " << a.weighted_score[r] << ", alerts " << a.alerts_active[r] << ", stale "
                    << a.stale[r] << ") vs " << bn << " (" << b.segment[r] << ", " << b.score[r] << ", " << b.band[r]
                    << ", " << b.label[r] << ", " << b.override_[r] << ", " << b.weighted_score[r] << ", "
                    << b.alerts_active[r] << ", " << b.stale[r] << ")\n"
                    << text;
      return false;
    }
  }
  if (!a.detail || !b.detail) return true;
  for (size_t i = 0; i < a.m_value.size(); ++i) {
    const bool ok = a.m_value_valid[i] == b.m_value_valid[i] && a.m_score_valid[i] == b.m_score_valid[i] &&
                    a.m_weight_valid[i] == b.m_weight_valid[i] &&
                    (!a.m_value_valid[i] || same_double(a.m_value[i], b.m_value[i])) &&
                    (!a.m_score_valid[i] || same_double(a.m_score[i], b.m_score[i])) &&
                    (!a.m_weight_valid[i] || same_double(a.m_weight[i], b.m_weight[i]));
    if (!ok) {
      ADD_FAILURE() << what << ": measure " << i / rows << " row " << i % rows << " differs between " << an << " and "
                    << bn << ": value " << a.m_value[i] << "/" << b.m_value[i] << " score " << a.m_score[i] << "/"
                    << b.m_score[i] << " weight " << a.m_weight[i] << "/" << b.m_weight[i] << "\n"
                    << text;
      return false;
    }
  }
  return true;
}

// Scores `block` with each card, both variants, and checks all of them against the first.
bool all_agree(const std::vector<std::pair<const char*, const Scorecard*>>& engines, const rt::ColumnBlock& block,
               double as_of, const std::string& what, const std::string& text, const HistoryColumns* history = nullptr) {
  BlockScores reference;
  engines[0].second->score(block, as_of, true, history, reference);
  for (size_t e = 0; e < engines.size(); ++e)
    for (bool detail : {true, false}) {
      if (e == 0 && detail) continue;
      BlockScores s;
      engines[e].second->score(block, as_of, detail, history, s);
      if (!agree(reference, engines[0].first, s, engines[e].first, what + (detail ? " (detail)" : " (basic)"), text))
        return false;
    }
  return true;
}

// Random past values for every history input of `p`, as a provider would give them: a quarter
// missing, names (segments, bands, labels, overrides) sometimes one the card no longer has
// (ir::kNoSuchName), scores on and off the integers, values of every kind.
HistoryColumns random_history(const ir::Program& p, CardGenerator& g, size_t rows) {
  HistoryColumns h;
  for (const ir::HistoryInput& in : p.history) {
    std::vector<double> values(rows, 0);
    std::vector<uint8_t> valid(rows, 0);
    for (size_t r = 0; r < rows; ++r) {
      if (g.pick(0, 3) == 0) {
        values[r] = g.pick(0, 1) ? 12345 : 0;  // a value left in a missing cell is never read
        continue;
      }
      valid[r] = 1;
      const bool gone = g.pick(0, 7) == 0;
      auto index = [&](int lo, size_t hi) { return gone ? ir::kNoSuchName : double(g.pick(lo, static_cast<int>(hi))); };
      auto last = [](size_t count) { return static_cast<int>(count) - 1; };  // -1 when there are none
      switch (in.kind) {
        case ir::HistoryKind::FinalScore:
        case ir::HistoryKind::WeightedScore: values[r] = g.pick(0, 100); break;
        case ir::HistoryKind::Segment: values[r] = index(0, p.segments.size()); break;  // the count: default
        case ir::HistoryKind::Band: values[r] = index(0, p.bands.size()); break;        // the count: unscored
        case ir::HistoryKind::Label: values[r] = gone ? ir::kNoSuchName : g.pick(-1, last(p.labels.size())); break;
        case ir::HistoryKind::Override: values[r] = gone ? ir::kNoSuchName : g.pick(-1, last(p.overrides.size())); break;
        case ir::HistoryKind::MeasureScore: values[r] = g.pick(0, 3) ? g.real(0, 100) : g.pick(0, 100); break;
        case ir::HistoryKind::MeasureValue: {
          const int kind = g.pick(0, 5);
          values[r] = kind == 0 ? 0.0 : kind == 1 ? 1e300 : kind == 2 ? g.pick(0, 2) : g.real(-200, 200);
          break;
        }
      }
    }
    h.values.push_back(std::move(values));
    h.valid.push_back(std::move(valid));
  }
  return h;
}

// `aot`: also compile the card ahead of time (the slowest engine to set up, so not every seed).
// `v2`: a card with the v2 forms, scored with random history and with none.
bool run_case(uint64_t seed, size_t rows, bool aot, bool v2 = false) {
  CardGenerator g(seed);
  g.v2 = v2;
  const std::string text = g.card();
  if (std::getenv("HEALTHC_DIFF_PRINT")) std::printf("seed %llu:\n%s\n", static_cast<unsigned long long>(seed), text.c_str());
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
  std::vector<std::pair<const char*, const Scorecard*>> engines = {{"jit", jit.scorecard.get()},
                                                                   {"eval", ev.scorecard.get()}};
  std::shared_ptr<const Scorecard> artefact;
  if (aot) {
    artefact = aot_card(jit.scorecard->program(), "seed" + std::to_string(seed));
    if (!artefact) return false;
    engines.push_back({"aot", artefact.get()});
  }
  rt::ColumnBlock block = random_block(jit.scorecard->schema(), g, rows);
  const std::string what = (v2 ? "v2 seed " : "seed ") + std::to_string(seed);
  if (!v2) return all_agree(engines, block, 20100, what, text);
  const HistoryColumns history = random_history(jit.scorecard->program(), g, rows);
  return all_agree(engines, block, 20100, what + " with history", text, &history) &&
         all_agree(engines, block, 20100, what + " without history", text);
}

TEST(Differential, JitEvaluatorAndArtefactAgreeOnRandomCardsAndData) {
  ASSERT_FALSE(scratch_dir().empty());
  if (const char* s = std::getenv("HEALTHC_DIFF_SEED")) {
    run_case(std::strtoull(s, nullptr, 10), 512, true);
    return;
  }
  const int cases = std::getenv("HEALTHC_DIFF_CASES") ? std::atoi(std::getenv("HEALTHC_DIFF_CASES")) : 150;
  int failures = 0;
  // Every third card also through an artefact: writing one runs LLVM for both variants and the
  // system linker, several times the JIT's work.
  for (int seed = 1; seed <= cases && failures < 3; ++seed)
    failures += !run_case(static_cast<uint64_t>(seed), 200, seed % 3 == 1);
}

// The same with v2 cards: every card must read the past (else the case tests nothing new).
TEST(Differential, JitEvaluatorAndArtefactAgreeOnRandomV2CardsAndHistory) {
  ASSERT_FALSE(scratch_dir().empty());
  if (const char* s = std::getenv("HEALTHC_DIFF_SEED")) {
    run_case(std::strtoull(s, nullptr, 10), 512, true, true);
    return;
  }
  const int cases = std::getenv("HEALTHC_DIFF_CASES") ? std::atoi(std::getenv("HEALTHC_DIFF_CASES")) : 150;
  int failures = 0, with_history = 0, with_alerts = 0, with_stale = 0;
  for (int seed = 1; seed <= cases && failures < 3; ++seed) {
    failures += !run_case(static_cast<uint64_t>(seed), 200, seed % 3 == 1, true);
    CardGenerator g(static_cast<uint64_t>(seed));
    g.v2 = true;
    CompileOptions opts;
    opts.engine = Engine::Evaluator;
    if (CompileOutcome c = compile_scorecard_text("random.health", g.card(), opts); c.scorecard) {
      with_history += !c.scorecard->program().history.empty();
      with_alerts += !c.scorecard->program().alerts.empty();
      with_stale += !c.scorecard->program().stale_rules.empty();
    }
  }
  // The generator reaches every v2 form often.
  EXPECT_GT(with_history, cases / 2);
  EXPECT_GT(with_alerts, cases / 2);
  EXPECT_GT(with_stale, cases / 2);
}

// Reads the whole of a CSV file as one block (the example samples are small).
rt::ColumnBlock read_sample(const std::string& path, const rt::Schema& schema) {
  rt::ColumnBlock block;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    ADD_FAILURE() << "cannot read " << path;
    return block;
  }
  auto reader = rt::make_reader(rt::DataFormat::Csv, f, schema);
  const std::string err = reader->open();
  EXPECT_EQ(err, "") << path;
  std::vector<rt::Reject> rejects;
  if (err.empty()) reader->next(block, rejects, 1000000);
  std::fclose(f);
  EXPECT_GT(block.rows, 0u) << path;
  return block;
}

// The example cards, on their sample data and on random data, through the JIT, the evaluator
// and an artefact at every CPU level this machine runs: the levels must not change a bit.
TEST(Differential, EnginesAgreeOnTheExamplesAtEveryCpuLevel) {
  ASSERT_FALSE(scratch_dir().empty());
  std::vector<std::string> levels = {"x86-64-v2", "x86-64-v3", "native"};
  if (aot::host_has("avx512f") == aot::FeatureCheck::Present) levels.push_back("x86-64-v4");
  for (const char* name : {"b2b_saas", "lifecycle", "fintech_platform"}) {
    const std::string card = std::string(HEALTHC_SOURCE_DIR) + "/examples/" + name + ".health";
    CompileOptions eval_opts;
    eval_opts.engine = Engine::Evaluator;
    CompileOutcome jit = compile_scorecard(card, {});
    CompileOutcome ev = compile_scorecard(card, eval_opts);
    ASSERT_TRUE(jit.scorecard && ev.scorecard) << name << ": " << jit.error;
    std::vector<std::shared_ptr<const Scorecard>> artefacts;
    std::vector<std::string> labels;
    for (const std::string& level : levels) {
      artefacts.push_back(aot_card(jit.scorecard->program(), name, level));
      ASSERT_TRUE(artefacts.back());
      labels.push_back("aot " + level);
    }
    std::vector<std::pair<const char*, const Scorecard*>> engines = {{"jit", jit.scorecard.get()},
                                                                     {"eval", ev.scorecard.get()}};
    for (size_t i = 0; i < artefacts.size(); ++i) engines.push_back({labels[i].c_str(), artefacts[i].get()});
    const rt::Schema schema = jit.scorecard->schema();
    const rt::ColumnBlock sample =
        read_sample(std::string(HEALTHC_SOURCE_DIR) + "/examples/data/" + name + "_sample.csv", schema);
    EXPECT_TRUE(all_agree(engines, sample, 20758, std::string(name) + " sample", ""));  // 2026-11-01
    CardGenerator g(7);
    const rt::ColumnBlock random = random_block(schema, g, 500);
    EXPECT_TRUE(all_agree(engines, random, 20100, std::string(name) + " random data", ""));
  }
}

// The v2 example card (trend from change(...), previous.* in an override and a label, alerts,
// a stale CSM input) on random data with random history and with none, through the JIT, the
// evaluator and an artefact.
TEST(Differential, EnginesAgreeOnTheV2ExampleWithRandomHistory) {
  ASSERT_FALSE(scratch_dir().empty());
  const std::string card = std::string(HEALTHC_SOURCE_DIR) + "/examples/b2b_saas_v2.health";
  CompileOptions eval_opts;
  eval_opts.engine = Engine::Evaluator;
  CompileOutcome jit = compile_scorecard(card, {});
  CompileOutcome ev = compile_scorecard(card, eval_opts);
  ASSERT_TRUE(jit.scorecard && ev.scorecard) << jit.error;
  const ir::Program& p = jit.scorecard->program();
  ASSERT_FALSE(p.history.empty());
  ASSERT_FALSE(p.alerts.empty());
  ASSERT_FALSE(p.stale_rules.empty());
  std::shared_ptr<const Scorecard> artefact = aot_card(p, "b2b_saas_v2");
  ASSERT_TRUE(artefact);
  const std::vector<std::pair<const char*, const Scorecard*>> engines = {
      {"jit", jit.scorecard.get()}, {"eval", ev.scorecard.get()}, {"aot", artefact.get()}};
  CardGenerator g(11);
  const rt::ColumnBlock random = random_block(jit.scorecard->schema(), g, 500);
  const HistoryColumns history = random_history(p, g, 500);
  EXPECT_TRUE(all_agree(engines, random, 20758, "b2b_saas_v2 with history", "", &history));
  EXPECT_TRUE(all_agree(engines, random, 20758, "b2b_saas_v2 without history", ""));
  BlockScores s;
  jit.scorecard->score(random, 20758, false, &history, s);
  EXPECT_NE(s.alerts_active, std::vector<uint64_t>(500, 0));  // the comparison covers set bits
  EXPECT_NE(s.stale, std::vector<uint64_t>(500, 0));
}

}  // namespace
}  // namespace healthc
