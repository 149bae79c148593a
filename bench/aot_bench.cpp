// healthc_aot_bench: ahead-of-time artefacts in memory. Rows/s of each CPU level's artefact
// beside the JIT (host CPU) on the same blocks of the example cards' generated accounts
// (aot/score/CARD/basic|detail/LEVEL and .../jit), and the time to load an artefact
// (aot/load/CARD: read, checksums, dlopen, IR decoded and verified; dlclose after). The fresh
// process figure is bench/aot_cold_start.sh's.
//
//   HEALTHC_SOURCE_DIR=. build/bench/bench/healthc_aot_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_data.h"
#include "compiler/api/compile.h"
#include "compiler/jit/aot.h"
#include "runtime/aot/artefact.h"
#include "runtime/aot/cpu.h"
#include "runtime/io/cell_parse.h"

namespace healthc::bench {
namespace {

constexpr size_t kRows = 65536;

double as_of() { return static_cast<double>(rt::days_from_civil(2026, 11, 1)); }

// This run's artefacts, removed at exit.
const std::string& scratch() {
  static const struct Dir {
    std::string path;
    Dir() {
      std::string t = (std::filesystem::temp_directory_path() / "healthc_aot_bench.XXXXXX").string();
      if (::mkdtemp(t.data())) path = t;
    }
    ~Dir() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
  } dir;
  return dir.path;
}

struct Engines {
  std::string name;
  rt::ColumnBlock block;
  std::shared_ptr<const Scorecard> jit;
  std::vector<std::pair<std::string, std::shared_ptr<const Scorecard>>> levels;  // cpu level -> artefact
  std::string artefact;  // the default level's path, for aot/load
};

void score(benchmark::State& state, const Scorecard* card, const rt::ColumnBlock* block, bool detail) {
  BlockScores out;
  card->score(*block, as_of(), detail, out);
  for (auto _ : state) {
    card->score(*block, as_of(), detail, out);
    benchmark::DoNotOptimize(out.score.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(block->rows));
  state.counters["per_row"] = benchmark::Counter(static_cast<double>(block->rows),
                                                 benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
}

void load(benchmark::State& state, const std::string* path) {
  for (auto _ : state) {
    aot::LoadResult r = aot::load_artefact(*path);
    if (!r.scorecard) {
      state.SkipWithError(r.error.c_str());
      return;
    }
    benchmark::DoNotOptimize(r.scorecard.get());
  }
}

// Compiles and writes everything before any timing; an error names the card.
bool prepare(std::vector<std::unique_ptr<Engines>>& all, std::string& error) {
  std::vector<std::string> levels = {"x86-64-v2", "x86-64-v3", "native"};
  if (aot::host_has("avx512f") == aot::FeatureCheck::Present) levels.insert(levels.begin() + 2, "x86-64-v4");
  const std::pair<const char*, const char*> cards[] = {
      {"b2b_saas", "b2b"}, {"lifecycle", "lifecycle"}, {"fintech_platform", "fintech"}};
  for (const auto& [stem, gen] : cards) {
    auto e = std::make_unique<Engines>();
    e->name = stem;
    CompileOptions o;
    o.use_cache = false;
    CompileOutcome c = compile_scorecard(source_dir() + "/examples/" + stem + ".health", o);
    if (!c.scorecard) {
      error = std::string(stem) + ": " + (c.error.empty() ? "has errors" : c.error);
      return false;
    }
    e->jit = c.scorecard;
    if (std::string err = generated_accounts(e->jit->schema(), gen, kRows, 7, e->block); !err.empty()) {
      error = std::string(stem) + ": " + err;
      return false;
    }
    for (const std::string& level : levels) {
      const std::string path = scratch() + "/" + stem + "-" + level + ".so";
      jit::ArtefactOptions ao;
      ao.cpu = level;
      if (jit::ArtefactResult w = jit::write_artefact(e->jit->program(), ao, path); !w.error.empty()) {
        error = std::string(stem) + " --cpu " + level + ": " + w.error;
        return false;
      }
      std::string why;
      auto card = aot::load(path, why);
      if (!card) {
        error = std::string(stem) + " --cpu " + level + ": " + why;
        return false;
      }
      if (level == jit::kDefaultAotCpu) e->artefact = path;
      e->levels.emplace_back(level, std::move(card));
    }
    all.push_back(std::move(e));
  }
  return true;
}

}  // namespace
}  // namespace healthc::bench

int main(int argc, char** argv) {
  using namespace healthc::bench;
  benchmark::Initialize(&argc, argv);
  static std::vector<std::unique_ptr<Engines>> all;
  std::string error;
  if (scratch().empty() || !prepare(all, error)) {
    std::fprintf(stderr, "healthc_aot_bench: %s\n", error.empty() ? "no scratch directory" : error.c_str());
    return 1;
  }
  for (const auto& e : all) {
    for (bool detail : {false, true}) {
      const std::string prefix = "aot/score/" + e->name + (detail ? "/detail/" : "/basic/");
      benchmark::RegisterBenchmark((prefix + "jit").c_str(), score, e->jit.get(), &e->block, detail);
      for (const auto& [level, card] : e->levels)
        benchmark::RegisterBenchmark((prefix + level).c_str(), score, card.get(), &e->block, detail);
    }
    benchmark::RegisterBenchmark(("aot/load/" + e->name).c_str(), load, &e->artefact);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
