// healthc_bench: rows/s of the JIT's batch functions beside the reference evaluator's on the
// same in-memory blocks, for every example card and for generated cards of 10, 50 and 500
// measures; and compile latency, end to end, for a small and a 500-measure card, cold and from
// the compiled-code cache.
//
//   HEALTHC_SOURCE_DIR=. build/bench/bench/healthc_bench [--benchmark_filter=...]
//   HEALTHC_BENCH_ROWS=N   rows per block (default 65536)
//
// Names read score/CARD/basic|detail/jit|eval and compile/CARD/WHAT. `basic` is what
// `healthc score --columns account_id,segment,score,band,label,override` needs; `detail` adds
// every measure's value, score and effective weight (reasons, --explain). Everything a
// benchmark needs (data, compiled code) is made before its timed loop, on first use.
#include <benchmark/benchmark.h>
#include <stdlib.h>  // mkdtemp

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_data.h"
#include "bench/card_generator.h"
#include "compiler/api/compile.h"
#include "runtime/io/cell_parse.h"

namespace healthc::bench {
namespace {

constexpr size_t kDefaultRows = 65536;
constexpr uint64_t kDataSeed = 7;

size_t block_rows() {
  if (const char* env = std::getenv("HEALTHC_BENCH_ROWS"); env && std::atoll(env) > 0)
    return static_cast<size_t>(std::atoll(env));
  return kDefaultRows;
}

// The as-of date the end-to-end runs use too (2026-11-01), as days since 1970-01-01.
double as_of() { return static_cast<double>(rt::days_from_civil(2026, 11, 1)); }

// The compiled-code cache of this run: a fresh directory, removed at exit, so "cold" and
// "warm" mean the same every run and the user's own cache is left alone.
const std::string& bench_cache_dir() {
  static const struct CacheDir {
    std::string path;
    CacheDir() {
      std::string tmpl = (std::filesystem::temp_directory_path() / "healthc_bench_cache.XXXXXX").string();
      if (::mkdtemp(tmpl.data())) path = tmpl;
    }
    ~CacheDir() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
  } dir;
  return dir.path;
}

CompileOptions cached(Engine engine, bool detail_first) {
  CompileOptions o;
  o.engine = engine;
  o.use_cache = !bench_cache_dir().empty();
  o.cache_dir = bench_cache_dir();
  o.eager_detail = detail_first;
  return o;
}

CompileOptions uncached(Engine engine, bool detail_first) {
  CompileOptions o = cached(engine, detail_first);
  o.use_cache = false;
  return o;
}

// A card under test, with everything made lazily on first use and kept for the run.
struct BenchCard {
  std::string name;      // as in the benchmark names: the example's file stem, or genN
  std::string text;      // the .health source
  std::string gen_card;  // scripts/gen_accounts.py --card NAME for its data; empty: synthetic

  std::shared_ptr<const Scorecard> jit, eval;
  rt::ColumnBlock block;
  bool block_ready = false;

  // Compiles with `engine` (once) and returns the card, or sets `error`. JIT code goes
  // through the benchmark's own compiled-code cache, so a card compiled by the compile
  // benchmarks is not compiled again here.
  std::shared_ptr<const Scorecard> compiled(Engine engine, std::string& error) {
    std::shared_ptr<const Scorecard>& slot = engine == Engine::Jit ? jit : eval;
    if (!slot) slot = compile(cached(engine, false), error);
    return slot;
  }

  std::shared_ptr<const Scorecard> compile(const CompileOptions& options, std::string& error) const {
    CompileOutcome out = compile_scorecard_text(name + ".health", text, options);
    if (!out.scorecard) {
      error = !out.error.empty() ? out.error
              : out.front && !out.front->diags.items().empty() ? out.front->diags.items()[0].message
                                                               : "does not compile";
      error = name + ": " + error;
    }
    return out.scorecard;
  }

  // The accounts block (once): the example's generated accounts, or synthetic ones.
  const rt::ColumnBlock* accounts(std::string& error) {
    if (block_ready) return &block;
    std::shared_ptr<const Scorecard> card = compiled(Engine::Evaluator, error);
    if (!card) return nullptr;
    const rt::Schema schema = card->schema();
    if (gen_card.empty()) {
      block = synthetic_accounts(schema, block_rows(), as_of(), kDataSeed);
    } else if (std::string e = generated_accounts(schema, gen_card, block_rows(), kDataSeed, block); !e.empty()) {
      error = name + ": " + e;
      return nullptr;
    }
    block_ready = true;
    return &block;
  }
};

std::vector<std::unique_ptr<BenchCard>>& all_cards() {
  static std::vector<std::unique_ptr<BenchCard>> cards;
  return cards;
}

BenchCard* find_card(const std::string& name) {
  for (auto& c : all_cards())
    if (c->name == name) return c.get();
  return nullptr;
}

// The examples' data generator names, by example file stem.
std::string gen_card_for(const std::string& stem) {
  if (stem == "b2b_saas") return "b2b";
  if (stem == "lifecycle") return "lifecycle";
  if (stem == "fintech_platform") return "fintech";
  return {};
}

bool load_cards(std::string& error) {
  const std::filesystem::path examples = std::filesystem::path(source_dir()) / "examples";
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(examples, ec))
    if (entry.path().extension() == ".health") files.push_back(entry.path());
  if (ec || files.empty()) {
    error = "no examples/*.health under `" + source_dir() + "` (set HEALTHC_SOURCE_DIR)";
    return false;
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto card = std::make_unique<BenchCard>();
    card->name = path.stem().string();
    card->text = text.str();
    card->gen_card = gen_card_for(card->name);
    all_cards().push_back(std::move(card));
  }
  for (int measures : {10, 50, 500}) {
    auto card = std::make_unique<BenchCard>();
    card->name = "gen" + std::to_string(measures);
    card->text = generate_card(measures);
    all_cards().push_back(std::move(card));
  }
  return true;
}

void report_rows(benchmark::State& state, size_t rows) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(rows));
  // The same rate inverted: seconds per row, printed with an SI prefix (e.g. 48.7ns).
  state.counters["per_row"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsIterationInvariantRate |
                                                                              benchmark::Counter::kInvert);
}

void score_block(benchmark::State& state, BenchCard* card, Engine engine, bool detail) {
  std::string error;
  const rt::ColumnBlock* block = card->accounts(error);
  std::shared_ptr<const Scorecard> scorecard = block ? card->compiled(engine, error) : nullptr;
  if (!scorecard) {
    state.SkipWithError(error.c_str());
    return;
  }
  BlockScores out;
  scorecard->score(*block, as_of(), detail, out);  // sizes `out` outside the timed loop
  for (auto _ : state) {
    scorecard->score(*block, as_of(), detail, out);
    benchmark::DoNotOptimize(out.score.data());
    benchmark::ClobberMemory();
  }
  report_rows(state, block->rows);
}

// One compile_scorecard_text per iteration, with `options`. With the cache on, one compile
// before the timed loop fills it, so the loop measures a warm cache.
void compile_card(benchmark::State& state, BenchCard* card, const CompileOptions& options) {
  std::string error;
  if (options.engine == Engine::Jit && options.use_cache && !card->compile(options, error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    std::shared_ptr<const Scorecard> scorecard = card->compile(options, error);
    if (!scorecard) {
      state.SkipWithError(error.c_str());
      return;
    }
    benchmark::DoNotOptimize(scorecard.get());
  }
}

void register_benchmarks() {
  // First, and timed once: the first JIT compile in a process also sets LLVM up, as every
  // `healthc score` run that misses the cache pays it.
  if (BenchCard* b2b = find_card("b2b_saas"))
    benchmark::RegisterBenchmark("compile/b2b_saas/jit_cold_first_in_process",
                                 [b2b](benchmark::State& s) { compile_card(s, b2b, uncached(Engine::Jit, false)); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);

  // Compile latency, compile_scorecard_text end to end. jit_cold: parse, check, lower, LLVM
  // optimise and JIT the basic function (what --columns needs); jit_cold_detail: the detail
  // function instead (reasons, --explain, the default output); jit_warm*: the same from the
  // on-disk cache; frontend_lower: parse, check and lower alone (the evaluator engine's whole
  // compile), so jit_cold minus it is LLVM's share.
  struct Kind {
    const char* name;
    CompileOptions options;
  };
  const Kind kinds[] = {
      {"jit_cold", uncached(Engine::Jit, false)},     {"jit_cold_detail", uncached(Engine::Jit, true)},
      {"jit_warm", cached(Engine::Jit, false)},       {"jit_warm_detail", cached(Engine::Jit, true)},
      {"frontend_lower", uncached(Engine::Evaluator, false)},
  };
  for (const char* name : {"b2b_saas", "gen500"}) {
    BenchCard* card = find_card(name);
    if (!card) continue;
    for (const Kind& kind : kinds) {
      const CompileOptions options = kind.options;
      benchmark::RegisterBenchmark((std::string("compile/") + name + "/" + kind.name).c_str(),
                                   [card, options](benchmark::State& s) { compile_card(s, card, options); })
          ->Unit(benchmark::kMillisecond);
    }
  }

  for (auto& owned : all_cards()) {
    BenchCard* card = owned.get();
    for (bool detail : {false, true})
      for (Engine engine : {Engine::Jit, Engine::Evaluator}) {
        const std::string name = "score/" + card->name + (detail ? "/detail" : "/basic") +
                                 (engine == Engine::Jit ? "/jit" : "/eval");
        benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { score_block(s, card, engine, detail); })
            ->Unit(benchmark::kMillisecond);
      }
  }
}

}  // namespace
}  // namespace healthc::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::string error;
  if (!healthc::bench::load_cards(error)) {
    std::fprintf(stderr, "healthc_bench: %s\n", error.c_str());
    return 1;
  }
  healthc::bench::register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
