// healthc_api_bench: the C API's costs. api/score_json/b2b is one B2B account through
// hc_score_json, JSON parsing and the result's formatting included (target: median under 5 us);
// api/columns/CARD beside internal/score/CARD scores the same in-memory block through
// hc_score_columns and through Scorecard::score (target: within 10%).
//
//   HEALTHC_SOURCE_DIR=. build/bench/bench/healthc_api_bench --benchmark_repetitions=5
//   HEALTHC_BENCH_ROWS=N   rows per block (default 65536)
#include <benchmark/benchmark.h>
#include <healthc/healthc.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_data.h"
#include "compiler/api/compile.h"
#include "runtime/io/cell_parse.h"

namespace healthc::bench {
namespace {

size_t block_rows() {
  if (const char* env = std::getenv("HEALTHC_BENCH_ROWS"); env && std::atoll(env) > 0)
    return static_cast<size_t>(std::atoll(env));
  return 65536;
}

std::string card_text(const std::string& card) {
  std::ifstream in(source_dir() + "/examples/" + card + ".health");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

hc_card* api_card(const std::string& card) {
  const std::string text = card_text(card);
  hc_diagnostics* d = nullptr;
  hc_card* c = hc_compile(text.data(), text.size(), card.c_str(), nullptr, &d);
  hc_diagnostics_free(d);
  return c;
}

// A typical B2B account, as one line of JSON Lines input.
constexpr const char* kB2bAccount =
    R"({"account_id":"acc-0000001","tier":"smb","days_live":1072,"active_users":4,"seats":7,"p1_open":1,)"
    R"("nps":-3,"csm_pulse":"green","logins_30d":44,"logins_prev_30d":48,"renewal_date":"2027-04-07"})";

void score_json_b2b(benchmark::State& state) {
  hc_card* card = api_card("b2b_saas");
  if (!card) return state.SkipWithError("the card does not compile");
  const std::string account = kB2bAccount;
  for (auto _ : state) {
    char* out = nullptr;
    const int rc = hc_score_json(card, account.data(), account.size(), "2026-11-01", &out);
    benchmark::DoNotOptimize(rc);
    hc_free(out);
  }
  hc_card_free(card);
}
BENCHMARK(score_json_b2b)->Name("api/score_json/b2b")->Unit(benchmark::kMicrosecond);

// The same block for both paths, made once per card.
struct Block {
  std::shared_ptr<const Scorecard> card;
  rt::ColumnBlock block;
};

const Block& block_for(const std::string& card) {
  static std::vector<std::pair<std::string, std::unique_ptr<Block>>> blocks;
  for (auto& b : blocks)
    if (b.first == card) return *b.second;
  auto b = std::make_unique<Block>();
  CompileOptions opts;
  CompileOutcome out = compile_scorecard_text(card + ".health", card_text(card), opts);
  b->card = out.scorecard;
  if (b->card)
    b->block = synthetic_accounts(b->card->schema(), block_rows(), static_cast<double>(rt::days_from_civil(2026, 11, 1)),
                                  7);
  blocks.emplace_back(card, std::move(b));
  return *blocks.back().second;
}

void internal_score(benchmark::State& state, const std::string& card) {
  const Block& b = block_for(card);
  if (!b.card) return state.SkipWithError("the card does not compile");
  BlockScores scores;
  const double as_of = static_cast<double>(rt::days_from_civil(2026, 11, 1));
  for (auto _ : state) {
    b.card->score(b.block, as_of, false, scores);
    benchmark::DoNotOptimize(scores.score.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * b.block.rows));
  state.counters["per_row"] = benchmark::Counter(static_cast<double>(state.iterations() * b.block.rows),
                                                 benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void api_columns(benchmark::State& state, const std::string& card_name) {
  const Block& b = block_for(card_name);
  hc_card* card = api_card(card_name);
  if (!b.card || !card) return state.SkipWithError("the card does not compile");
  const size_t nf = hc_field_count(card), rows = b.block.rows;
  std::vector<hc_column> cols(nf);
  for (size_t f = 0; f < nf; ++f) {
    cols[f].values = b.block.num[f].empty() ? nullptr : b.block.num[f].data();
    cols[f].text = b.block.text[f].empty() ? nullptr : reinterpret_cast<const hc_text*>(b.block.text[f].data());
    cols[f].valid = b.block.valid[f].data();
  }
  std::vector<int32_t> segment(rows), score(rows), band(rows), label(rows), override_index(rows);
  std::vector<uint8_t> status(rows);
  const hc_batch_out out{segment.data(), score.data(), band.data(), label.data(), override_index.data(), status.data(),
                         nullptr,        nullptr,      nullptr,     nullptr,      nullptr,               nullptr};
  const hc_batch_in in{rows, nf, cols.data(), "2026-11-01"};
  for (auto _ : state) {
    if (hc_score_columns(card, &in, &out) != HC_OK) return state.SkipWithError("hc_score_columns failed");
    benchmark::DoNotOptimize(score.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.counters["per_row"] = benchmark::Counter(static_cast<double>(state.iterations() * rows),
                                                 benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  hc_card_free(card);
}

const int kRegistered = [] {
  for (const char* card : {"b2b_saas", "lifecycle", "fintech_platform"}) {
    benchmark::RegisterBenchmark((std::string("internal/score/") + card).c_str(), internal_score, std::string(card))
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string("api/columns/") + card).c_str(), api_columns, std::string(card))
        ->Unit(benchmark::kMicrosecond);
  }
  return 0;
}();

}  // namespace
}  // namespace healthc::bench

BENCHMARK_MAIN();
