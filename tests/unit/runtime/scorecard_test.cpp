// The library's Scorecard without the compiling half: a card from a program alone (no front
// end, the evaluator scores), native code made once a variant whatever the threads, and an
// ahead-of-time card whose functions are given.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "compiler/api/compile.h"
#include "runtime/scorecard.h"

namespace healthc {
namespace {

constexpr const char* kCard = R"(scorecard "S"
fields { id : text key  x : number optional }
bands { low from 0 color red  high from 50 color green }
measure m { value = x  score = value }
model default { m 1 }
)";

rt::ColumnBlock block_of(const Scorecard& card, const std::vector<double>& xs) {
  rt::ColumnBlock b;
  b.reset(card.schema());
  for (double x : xs) {
    const std::string_view id = b.keep("a");
    b.text[0].push_back(rt::TextRef{id.data(), id.size()});
    b.valid[0].push_back(1);
    b.num[1].push_back(x);
    b.valid[1].push_back(x >= 0);
  }
  b.rows = xs.size();
  return b;
}

std::shared_ptr<const Scorecard> compiled(Engine engine) {
  CompileOptions opts;
  opts.engine = engine;
  opts.use_cache = false;
  return compile_scorecard_text("s.health", kCard, opts).scorecard;
}

TEST(Scorecard, AProgramAloneScoresWithTheEvaluator) {
  const auto jit = compiled(Engine::Jit);
  ASSERT_TRUE(jit);
  ASSERT_NE(jit->source(), nullptr);
  const auto bare = Scorecard::make(jit->program(), nullptr, Engine::Jit, NativeCompiler{});
  EXPECT_EQ(bare->source(), nullptr);
  EXPECT_EQ(bare->engine(), Engine::Evaluator);  // no code generator: the evaluator it is
  const rt::ColumnBlock b = block_of(*bare, {10, 70, -1});
  BlockScores want, got;
  jit->score(b, 0, true, want);
  bare->score(b, 0, true, got);
  EXPECT_EQ(got.score, want.score);
  EXPECT_EQ(got.band, want.band);
  EXPECT_EQ(got.m_score, want.m_score);
  EXPECT_EQ(got.score, (std::vector<int32_t>{10, 70, -1}));
}

TEST(Scorecard, NativeCodeIsMadeOnceAVariantFromManyThreads) {
  const auto ev = compiled(Engine::Evaluator);
  ASSERT_TRUE(ev);
  std::atomic<int> calls[2] = {0, 0};
  const NativeCompiler jit = jit_compiler(CompileOptions{});
  const auto card = Scorecard::make(ev->program(), nullptr, Engine::Jit, [&](const ir::Program& p, int variant) {
    ++calls[variant];
    return jit(p, variant);
  });
  const rt::ColumnBlock b = block_of(*card, {5, 55});
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      BlockScores s;
      card->score(b, 0, t % 2 == 1, s);
      if (s.score != std::vector<int32_t>{5, 55}) ++wrong;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(calls[0], 1);
  EXPECT_EQ(calls[1], 1);
  EXPECT_NE(card->prepare(0).fn, nullptr);
}

void fixed_scores(const ir::BatchColumns* in, const ir::BatchOutputs* out) {
  for (int64_t r = 0; r < in->rows; ++r) {
    out->segment[r] = 0;
    out->score[r] = 42;
    out->band[r] = 0;
    out->label[r] = -1;
    out->override_[r] = -1;
  }
}

TEST(Scorecard, AnAheadOfTimeCardRunsTheFunctionsItIsGiven) {
  const auto ev = compiled(Engine::Evaluator);
  ASSERT_TRUE(ev);
  auto owner = std::make_shared<int>(7);
  const auto card = Scorecard::make_native(ev->program(), fixed_scores, nullptr, owner);
  EXPECT_EQ(card->source(), nullptr);
  EXPECT_EQ(card->engine(), Engine::Jit);
  EXPECT_EQ(owner.use_count(), 3);  // held by both variants' code
  BlockScores s;
  card->score(block_of(*card, {90}), 0, false, s);
  EXPECT_EQ(s.score, std::vector<int32_t>{42});
  // No detail function: that variant falls back to the evaluator, which computes the card.
  EXPECT_FALSE(card->prepare(1).error.empty());
  card->score(block_of(*card, {90}), 0, true, s);
  EXPECT_EQ(s.score, std::vector<int32_t>{90});
}

}  // namespace
}  // namespace healthc
