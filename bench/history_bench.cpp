// Reading the past (issue 14's targets): `changes` between two snapshots of 1,000,000 accounts
// (the join, the attribution and the CSV, in memory: `changes/compute+csv`), and through the
// store (`store/changes`: both snapshots read back, then the same); `store/history`: one
// account across 365 snapshots. bench/history_stores.sh builds the stores and runs this.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "compiler/driver/history_report.h"
#include "compiler/driver/store_reading.h"
#include "runtime/analysis/changes.h"
#include "runtime/history/store.h"

namespace {

using namespace healthc;

history::CardNames b2b_names() {
  history::CardNames n;
  n.key_field = "account_id";
  n.segments = {"new_logo", "enterprise", "default"};
  n.bands = {"critical", "at_risk", "healthy", "unscored"};
  n.band_colors = {"red", "yellow", "green", "grey"};
  n.labels = {"expand", "retain", "action"};
  n.label_titles = {"Expand", "Retain", "Action required"};
  n.overrides = {"collapse_red", "escalation", "csm_red"};
  n.override_titles = {"Usage collapse", "", "CSM flags red"};
  n.measures = {"adoption", "usage_trend", "support", "sentiment", "csm", "onboarding_pace"};
  n.measure_titles = {"Seat adoption", "Login trend", "Open P1 tickets", "NPS", "CSM pulse", ""};
  return n;
}

// Accounts of the B2B card's shape: six measures, one unscored now and then, weights that sum
// to 1; `shift` moves every score a little (the next snapshot).
history::AccountRecord make_account(std::mt19937_64& rng, int64_t row, double shift) {
  std::uniform_real_distribution<double> u(0, 1);
  history::AccountRecord r;
  r.key = "acct-" + std::to_string(row);
  r.row = row;
  r.segment = static_cast<int32_t>(rng() % 3);
  r.m_value.resize(6);
  r.m_score.resize(6);
  r.m_weight.resize(6);
  double total = 0;
  for (size_t m = 0; m < 6; ++m) {
    r.m_value[m] = u(rng);
    r.m_score[m] = u(rng) < 0.05 ? NAN : std::clamp(u(rng) * 100 + shift, 0.0, 100.0);
    r.m_weight[m] = std::isnan(r.m_score[m]) || m == 5 ? NAN : 1 + u(rng);
    if (!std::isnan(r.m_weight[m])) total += r.m_weight[m];
  }
  double raw = 0;
  for (size_t m = 0; m < 6; ++m)
    if (!std::isnan(r.m_weight[m])) r.m_weight[m] /= total, raw += r.m_weight[m] * r.m_score[m];
  r.weighted = r.score = total > 0 ? static_cast<int32_t>(std::floor(raw + 0.5 + 1e-9)) : -1;
  r.band = r.score < 0 ? 3 : r.score >= 71 ? 2 : r.score >= 31 ? 1 : 0;
  r.label = r.score >= 80 ? 0 : r.score >= 50 ? 1 : 2;
  return r;
}

history::Snapshot make_snapshot(const std::string& as_of, size_t accounts, uint64_t seed, double shift) {
  history::Snapshot s;
  s.info.title = "B2B SaaS health";
  s.info.as_of = as_of;
  s.info.card_hash = "h";
  s.names = b2b_names();
  std::mt19937_64 rng(seed);
  s.accounts.reserve(accounts);
  for (size_t i = 0; i < accounts; ++i) s.accounts.push_back(make_account(rng, static_cast<int64_t>(i), shift));
  return s;
}

void changes_compute_csv(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const auto before = make_snapshot("2026-11-01", n, 1, 0), after = make_snapshot("2026-11-08", n, 1, -3);
  size_t bytes = 0;
  for (auto _ : state) {
    const auto r = analysis::compute_changes(before, after, {});
    std::string out;
    driver::render_changes(r, driver::HistoryFormat::Csv, out, [&](std::string& piece) { bytes += piece.size(); });
    bytes += out.size();
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(changes_compute_csv)->Name("changes/compute+csv")->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The stores are built by bench/history_stores.sh with the CLI (`healthc backfill`, `healthc
// score --store`), as a user's would be; their paths come from the environment.
const char* store_from_env(benchmark::State& state, const char* var) {
  const char* path = std::getenv(var);
  if (!path || !*path) state.SkipWithError((std::string(var) + " is not set (bench/history_stores.sh sets it)").c_str());
  return path;
}

// One account across every snapshot of the store's only scorecard: open, read, render.
void store_history(benchmark::State& state) {
  const char* path = store_from_env(state, "HEALTHC_HISTORY_STORE");
  if (!path) return;
  for (auto _ : state) {
    auto store = history::Store::open(path, history::Store::Mode::ReadOnly);
    const std::string title = store->titles().at(0);
    const auto h = store->account_history(title, "acct-0042");
    auto text = driver::render_history(h, title, "acct-0042", driver::HistoryFormat::Text);
    benchmark::DoNotOptimize(text);
    state.counters["snapshots"] = static_cast<double>(h.entries.size());
  }
}
BENCHMARK(store_history)->Name("store/history")->Unit(benchmark::kMillisecond)->UseRealTime();

// The latest two snapshots: read both, join, attribute, CSV.
void store_changes(benchmark::State& state) {
  const char* path = store_from_env(state, "HEALTHC_CHANGES_STORE");
  if (!path) return;
  for (auto _ : state) {
    auto store = history::Store::open(path, history::Store::Mode::ReadOnly);
    const auto snaps = store->snapshots(store->titles().at(0));
    history::Snapshot before, after;
    driver::read_two_snapshots(path, *store, snaps[snaps.size() - 2].id, snaps.back().id, before, after);
    const auto r = analysis::compute_changes(before, after, {});
    size_t bytes = 0;
    std::string out;
    driver::render_changes(r, driver::HistoryFormat::Csv, out, [&](std::string& piece) { bytes += piece.size(); });
    benchmark::DoNotOptimize(bytes += out.size());
    state.counters["accounts"] = static_cast<double>(after.accounts.size());
  }
}
BENCHMARK(store_changes)->Name("store/changes")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
