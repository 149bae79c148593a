// The history store's costs (issue 14's targets): writing a snapshot of the B2B example's
// accounts (time, and bytes per account per snapshot in the file), reading one back, and one
// account's history over a year of daily snapshots. Records are made by scoring generated
// accounts once, before timing; each store lives in a fresh temporary folder.
#include <benchmark/benchmark.h>
#include <stdlib.h>  // mkdtemp

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_data.h"
#include "compiler/api/compile.h"
#include "runtime/history/store.h"

namespace healthc::bench {
namespace {

struct Records {
  history::CardNames names;
  std::string text;
  std::vector<history::AccountRecord> accounts;
  std::string error;
};

// `rows` B2B accounts scored with detail, as the snapshot sink would record them.
const Records& b2b_records(size_t rows) {
  static std::map<size_t, Records> cache;
  auto it = cache.find(rows);
  if (it != cache.end()) return it->second;
  Records& r = cache[rows];
  const std::string path = source_dir() + "/examples/b2b_saas.health";
  CompileOptions o;
  o.engine = Engine::Jit;
  o.eager_detail = true;
  CompileOutcome c = compile_scorecard(path, o);
  if (!c.scorecard) {
    r.error = "cannot compile " + path + ": " + c.error;
    return r;
  }
  const Scorecard& card = *c.scorecard;
  r.names = history::names_of(card.program());
  r.text = c.front ? "" : path;
  rt::ColumnBlock block;
  if (std::string e = generated_accounts(card.schema(), "b2b", rows, 1, block); !e.empty()) {
    r.error = e;
    return r;
  }
  BlockScores s;
  card.score(block, 20400, true, s);
  const ir::Program& p = card.program();
  const size_t m = p.measures.size();
  r.accounts.resize(rows);
  for (size_t i = 0; i < rows; ++i) {
    history::AccountRecord& a = r.accounts[i];
    a.key = std::string(block.text[static_cast<size_t>(p.key_field)][i].view());
    a.row = static_cast<int64_t>(i);
    a.segment = s.segment[i];
    a.score = s.score[i];
    a.weighted = s.score[i];
    a.band = s.band[i];
    a.label = s.label[i];
    a.override_ = s.override_[i];
    a.m_value.resize(m);
    a.m_score.resize(m);
    a.m_weight.resize(m);
    for (size_t j = 0; j < m; ++j) {
      const size_t at = j * rows + i;
      const double nan = std::numeric_limits<double>::quiet_NaN();
      a.m_value[j] = s.m_value_valid[at] ? s.m_value[at] : nan;
      a.m_score[j] = s.m_score_valid[at] ? s.m_score[at] : nan;
      a.m_weight[j] = s.m_weight_valid[at] ? s.m_weight[at] : nan;
    }
  }
  return r;
}

std::string temp_dir() {
  std::string t = (std::filesystem::temp_directory_path() / "healthc_store_bench_XXXXXX").string();
  return mkdtemp(t.data()) ? t : std::string();
}

void write_snapshot(history::Store& store, const Records& r, const std::string& as_of) {
  auto w = store.begin_snapshot("B2B SaaS health", as_of, r.text, r.names, "{}");
  for (const auto& a : r.accounts) w->add(a);
  w->commit(static_cast<int64_t>(r.accounts.size()), static_cast<int64_t>(r.accounts.size()), 0);
}

// A new date's snapshot into a store that already knows the accounts (the nightly run), and
// the file's growth per account.
void BM_SnapshotWrite(benchmark::State& state) {
  const Records& r = b2b_records(static_cast<size_t>(state.range(0)));
  if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
  const std::string dir = temp_dir();
  const std::string db = dir + "/h.db";
  auto store = history::Store::open(db, history::Store::Mode::ReadWrite);
  write_snapshot(*store, r, "2026-01-01");
  int32_t day = 20455;  // 2026-01-02
  uintmax_t before = 0, after = 0;
  double begin_ms = 0, add_ms = 0, commit_ms = 0, close_ms = 0;
  int runs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    store.reset();
    store = history::Store::open(db, history::Store::Mode::ReadWrite);
    before = std::filesystem::file_size(db);
    state.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    auto w = store->begin_snapshot("B2B SaaS health", history::date_text(day++), r.text, r.names, "{}");
    const auto t1 = std::chrono::steady_clock::now();
    for (const auto& a : r.accounts) w->add(a);
    const auto t2 = std::chrono::steady_clock::now();
    w->commit(static_cast<int64_t>(r.accounts.size()), static_cast<int64_t>(r.accounts.size()), 0);
    w.reset();
    const auto t3 = std::chrono::steady_clock::now();
    store.reset();  // closing checkpoints the WAL into the file: part of the cost
    const auto t4 = std::chrono::steady_clock::now();
    state.PauseTiming();
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    begin_ms += ms(t0, t1), add_ms += ms(t1, t2), commit_ms += ms(t2, t3), close_ms += ms(t3, t4);
    ++runs;
    after = std::filesystem::file_size(db);
    state.ResumeTiming();
  }
  state.counters["begin_ms"] = begin_ms / runs;
  state.counters["add_ms"] = add_ms / runs;
  state.counters["commit_ms"] = commit_ms / runs;
  state.counters["close_ms"] = close_ms / runs;
  state.counters["bytes_per_account"] = static_cast<double>(after - before) / static_cast<double>(r.accounts.size());
  state.counters["accounts_per_s"] =
      benchmark::Counter(static_cast<double>(r.accounts.size()), benchmark::Counter::kIsIterationInvariantRate);
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SnapshotWrite)->Arg(50000)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_SnapshotRead(benchmark::State& state) {
  const Records& r = b2b_records(static_cast<size_t>(state.range(0)));
  if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
  const std::string dir = temp_dir();
  auto store = history::Store::open(dir + "/h.db", history::Store::Mode::ReadWrite);
  write_snapshot(*store, r, "2026-01-01");
  const int64_t id = store->snapshots("B2B SaaS health").at(0).id;
  for (auto _ : state) benchmark::DoNotOptimize(store->read(id).accounts.size());
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SnapshotRead)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(3);

// One more snapshot after `range(0)` stored ones, of 2,000 accounts whose effective weights all
// differ (every account and snapshot its own weight set): the cost must not grow with what the
// store holds already.
void BM_SnapshotAfterMany(benchmark::State& state) {
  const Records& base = b2b_records(2000);
  if (!base.error.empty()) return state.SkipWithError(base.error.c_str());
  Records r = base;
  auto perturb = [&](int snapshot) {
    for (size_t i = 0; i < r.accounts.size(); ++i)
      for (double& w : r.accounts[i].m_weight)
        if (!std::isnan(w)) w = 1.0 + static_cast<double>(snapshot * 100000 + static_cast<int>(i)) * 1e-9;
  };
  const std::string dir = temp_dir();
  auto store = history::Store::open(dir + "/h.db", history::Store::Mode::ReadWrite);
  int32_t day = 20454;
  for (int k = 0; k < state.range(0); ++k) perturb(k), write_snapshot(*store, r, history::date_text(day++));
  for (auto _ : state) {
    state.PauseTiming();
    perturb(day);
    state.ResumeTiming();
    write_snapshot(*store, r, history::date_text(day++));
  }
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SnapshotAfterMany)->Arg(1)->Arg(30)->Arg(100)->Unit(benchmark::kMillisecond)->Iterations(3);

// One account over 365 daily snapshots of `range(0)` accounts.
void BM_AccountHistory365(benchmark::State& state) {
  const Records& r = b2b_records(static_cast<size_t>(state.range(0)));
  if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
  const std::string dir = temp_dir();
  auto store = history::Store::open(dir + "/h.db", history::Store::Mode::ReadWrite);
  for (int32_t d = 0; d < 365; ++d) write_snapshot(*store, r, history::date_text(20454 + d));
  store.reset();
  const uintmax_t size = std::filesystem::file_size(dir + "/h.db");
  store = history::Store::open(dir + "/h.db", history::Store::Mode::ReadOnly);
  size_t i = 0;
  for (auto _ : state) {
    const auto& key = r.accounts[(i++ * 7919) % r.accounts.size()].key;
    auto h = store->account_history("B2B SaaS health", key);
    if (h.entries.size() != 365) return state.SkipWithError("an account's history is not 365 snapshots long");
  }
  state.counters["file_MB"] = static_cast<double>(size) / 1e6;
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AccountHistory365)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace healthc::bench

BENCHMARK_MAIN();
