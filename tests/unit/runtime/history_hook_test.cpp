// The executor's history hook (PipelineOptions::history): a card that reads history gets its
// block's columns sized and all missing, filled by the provider on the worker when one is
// given, and sinks see them (ScoredBlock::history) with the v2 scores, the same for any thread
// count and engine; without a provider every past value is missing; a provider that gives
// columns of the wrong shape fails the run with a message, never a crash; a v1 card has none.
#include <gtest/gtest.h>

#include <atomic>
#include <charconv>
#include <string>
#include <vector>

#include "compiler/api/compile.h"
#include "runtime/pipeline/pipeline.h"
#include "tests/unit/runtime/reader_test_util.h"

namespace healthc::rt {
namespace {

using test_util::TempInput;

constexpr const char* kCard = R"(scorecard "P"
fields { id : text key  x : number }
bands { low from 0 color red  high from 50 color green }
measure m { value = x  score = value }
model default { m 1 }
)";

ir::Program v1_program() {
  CompileOptions opts;
  opts.engine = Engine::Evaluator;
  CompileOutcome c = compile_scorecard_text("p.health", kCard, opts);
  EXPECT_TRUE(c.scorecard) << c.error;
  return c.scorecard ? c.scorecard->program() : ir::Program{};
}

// The card plus `previous.score` (history 0) and two alerts, appended as lowering would:
// alert 0 `change(score) <= -10`, alert 1 `previous.score is missing`.
ir::Program v2_program() {
  ir::Program p = v1_program();
  const uint32_t begin = static_cast<uint32_t>(p.code.size());
  auto emit = [&](ir::Op op, uint32_t a = 0, uint32_t b = 0, double imm = 0) {
    p.code.push_back(ir::Inst{op, a, b, 0, imm, 0});
    return static_cast<uint32_t>(p.code.size() - 1);
  };
  p.history = {{ir::HistoryKind::FinalScore, -1, -1}};
  const uint32_t prev = emit(ir::Op::History, 0);
  const uint32_t change = emit(ir::Op::Sub, p.results.score, prev);
  p.alerts.push_back({"drop", "", {}, emit(ir::Op::Le, change, emit(ir::Op::Const, 0, 0, -10)), ir::Severity::High});
  p.alerts.push_back({"new", "", {}, emit(ir::Op::IsMissing, prev), ir::Severity::Info});
  p.alerts_block = {begin, static_cast<uint32_t>(p.code.size())};
  return p;
}

std::shared_ptr<const Scorecard> make(ir::Program p, Engine engine) {
  CompileOptions opts;
  opts.use_cache = false;
  return Scorecard::make(std::move(p), nullptr, engine, engine == Engine::Jit ? jit_compiler(opts) : NativeCompiler{});
}

// Account aN has x = N % 100; its previous score is N % 100 + 10 where N % 3 != 0, else none.
std::string csv(int rows) {
  std::string s = "id,x\n";
  for (int i = 0; i < rows; ++i) s += "a" + std::to_string(i) + "," + std::to_string(i % 100) + "\n";
  return s;
}
int key_number(const TextRef& key) {
  int n = 0;
  std::from_chars(key.data + 1, key.data + key.size, n);
  return n;
}

class KeyHistory final : public HistoryProvider {
 public:
  void fill(const ColumnBlock& block, HistoryColumns& out) const override {
    calls++;
    for (size_t r = 0; r < block.rows; ++r) {
      const int n = key_number(block.text[0][r]);
      if (n % 3 == 0) continue;
      out.values[0][r] = n % 100 + 10;
      out.valid[0][r] = 1;
    }
  }
  mutable std::atomic<int> calls{0};
};

class WrongShape final : public HistoryProvider {
 public:
  void fill(const ColumnBlock&, HistoryColumns& out) const override { out.values[0].resize(1); }
};

// What the sink saw, row by row.
struct Seen final : Sink {
  SinkStatus consume(ScoredBlock& b, std::string&) override {
    for (size_t r = 0; r < b.block.rows; ++r) {
      keys.push_back(key_number(b.block.text[0][r]));
      alerts.push_back(b.scores.alerts_active[r]);
      weighted.push_back(b.scores.weighted_score[r]);
      had_history.push_back(b.history != nullptr);
      past.push_back(b.history && b.history->valid[0][r] ? b.history->values[0][r] : -1);
    }
    return SinkStatus::Continue;
  }
  std::vector<int> keys;
  std::vector<uint64_t> alerts;
  std::vector<int32_t> weighted;
  std::vector<bool> had_history;
  std::vector<double> past;
};

PipelineSummary run(const Scorecard& card, const std::string& data, const HistoryProvider* provider, int threads,
                    Seen& seen) {
  TempInput in(data);
  auto reader = make_reader(DataFormat::Csv, in.get(), card.schema());
  ReaderSource source(*reader, /*split=*/false);
  Sink* sinks[] = {&seen};
  PipelineOptions po;
  po.threads = threads;
  po.block_rows = 97;
  po.history = provider;
  return run_pipeline(card, source, sinks, po);
}

TEST(HistoryHook, TheProviderFillsEachBlockAndSinksSeeIt) {
  const std::string data = csv(1000);
  for (Engine engine : {Engine::Evaluator, Engine::Jit}) {
    auto card = make(v2_program(), engine);
    Seen one, four;
    KeyHistory provider;
    EXPECT_EQ(run(*card, data, &provider, 1, one).error, "");
    EXPECT_EQ(run(*card, data, &provider, 4, four).error, "");
    EXPECT_EQ(provider.calls.load(), 2 * 11);  // 1000 rows in blocks of 97, twice
    ASSERT_EQ(one.keys.size(), 1000u);
    for (size_t r = 0; r < 1000; ++r) {
      const int n = one.keys[r];
      EXPECT_EQ(n, static_cast<int>(r));
      EXPECT_TRUE(one.had_history[r]);
      EXPECT_EQ(one.past[r], n % 3 ? n % 100 + 10 : -1);
      EXPECT_EQ(one.alerts[r], n % 3 ? 0b01u : 0b10u) << "account " << n;  // down 10, or new
      EXPECT_EQ(one.weighted[r], n % 100);
    }
    EXPECT_EQ(one.keys, four.keys);
    EXPECT_EQ(one.alerts, four.alerts);
    EXPECT_EQ(one.past, four.past);
  }
}

TEST(HistoryHook, WithoutAProviderThePastIsMissing) {
  auto card = make(v2_program(), Engine::Jit);
  Seen seen;
  EXPECT_EQ(run(*card, csv(300), nullptr, 2, seen).error, "");
  ASSERT_EQ(seen.keys.size(), 300u);
  for (size_t r = 0; r < 300; ++r) {
    EXPECT_TRUE(seen.had_history[r]);
    EXPECT_EQ(seen.past[r], -1);
    EXPECT_EQ(seen.alerts[r], 0b10u);  // every account is new
  }
}

TEST(HistoryHook, ColumnsOfTheWrongShapeFailTheRun) {
  auto card = make(v2_program(), Engine::Jit);
  Seen seen;
  WrongShape provider;
  const PipelineSummary s = run(*card, csv(300), &provider, 2, seen);
  EXPECT_TRUE(s.internal);
  EXPECT_NE(s.error.find("history column 0"), std::string::npos) << s.error;
}

TEST(HistoryHook, AV1CardHasNoHistoryAndZeroMasks) {
  auto card = make(v1_program(), Engine::Jit);
  Seen seen;
  KeyHistory provider;
  EXPECT_EQ(run(*card, csv(300), &provider, 2, seen).error, "");
  EXPECT_EQ(provider.calls.load(), 0);
  ASSERT_EQ(seen.keys.size(), 300u);
  for (size_t r = 0; r < 300; ++r) {
    EXPECT_FALSE(seen.had_history[r]);
    EXPECT_EQ(seen.alerts[r], 0u);
  }
}

// The block overloads of Scorecard::score: null or empty history reads as missing.
TEST(HistoryHook, ScoreWithoutColumnsReadsTheirPastAsMissing) {
  for (Engine engine : {Engine::Evaluator, Engine::Jit}) {
    auto card = make(v2_program(), engine);
    TempInput in(csv(5));
    auto reader = make_reader(DataFormat::Csv, in.get(), card->schema());
    ASSERT_EQ(reader->open(), "");
    ColumnBlock block;
    block.reset(card->schema());
    std::vector<Reject> rejects;
    reader->next(block, rejects, 100);
    BlockScores a, b, c;
    card->score(block, 0, false, a);
    HistoryColumns empty;
    card->score(block, 0, true, &empty, b);
    HistoryColumns given{{std::vector<double>(5, 50)}, {std::vector<uint8_t>(5, 1)}};
    card->score(block, 0, false, &given, c);
    EXPECT_EQ(a.alerts_active, std::vector<uint64_t>(5, 0b10));
    EXPECT_EQ(b.alerts_active, std::vector<uint64_t>(5, 0b10));
    EXPECT_EQ(c.alerts_active, (std::vector<uint64_t>{1, 1, 1, 1, 1}));  // scores 0..4, down 46+
    EXPECT_EQ(c.weighted_score, (std::vector<int32_t>{0, 1, 2, 3, 4}));
  }
}

// A v1 card leaves the masks alone unless a card with alerts wrote them into the same scores.
TEST(HistoryHook, ReusedScoresGetZeroMasksFromAV1Card) {
  auto v2 = make(v2_program(), Engine::Jit);
  auto v1 = make(v1_program(), Engine::Jit);
  TempInput in(csv(5));
  auto reader = make_reader(DataFormat::Csv, in.get(), v1->schema());
  ASSERT_EQ(reader->open(), "");
  ColumnBlock block;
  block.reset(v1->schema());
  std::vector<Reject> rejects;
  reader->next(block, rejects, 100);
  BlockScores s;
  v2->score(block, 0, false, s);
  EXPECT_EQ(s.alerts_active, std::vector<uint64_t>(5, 0b10));
  v1->score(block, 0, false, s);
  EXPECT_EQ(s.alerts_active, std::vector<uint64_t>(5, 0));
  EXPECT_EQ(s.stale, std::vector<uint64_t>(5, 0));
}

}  // namespace
}  // namespace healthc::rt
