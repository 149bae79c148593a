// A scoring run recorded as a snapshot (store_run.h).
#include "compiler/driver/store_run.h"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "runtime/io/output_file.h"

namespace healthc::driver {

int store_wait_seconds() {
  const char* env = std::getenv("HEALTHC_STORE_WAIT");
  if (!env || !*env) return history::kDefaultWaitSeconds;
  char* end = nullptr;
  const long v = std::strtol(env, &end, 10);
  if (*end || v < 0) throw history::StoreError(fmt::format("HEALTHC_STORE_WAIT=`{}` is not a number of seconds", env));
  return static_cast<int>(std::min<long>(v, 1L << 30));
}

void lock_store(history::Store& store, std::string_view command) {
  const int wait = store_wait_seconds();
  store.lock_for_writing(wait, [&] {
    // SQLite does not say which process holds the lock; a terminal is told once why it stops.
    if (isatty(fileno(stderr)))
      fmt::print(stderr, "healthc {}: waiting up to {} s for another run writing to the store (HEALTHC_STORE_WAIT)\n",
                 command, wait);
  });
}

RecordResult record_run(const Scorecard& card, history::Store* store, rt::Source& source, const RecordOptions& o) {
  RecordResult res;
  const ir::Program& p = card.program();
  try {
    // The write lock first (a no-op when the command took it before reading the past itself),
    // so the past cannot change before this run's snapshot is written; the past is read
    // before the snapshot is begun, so the snapshot being replaced is never read.
    if (store) lock_store(*store, o.command);
    std::unique_ptr<history::PastSnapshots> own_past;
    if (!o.past) own_past = std::make_unique<history::PastSnapshots>(store, p.title, o.as_of_days, p);
    const history::PastSnapshots& past = o.past ? *o.past : *own_past;
    res.had_previous = past.previous_snapshot().has_value();
    // The previous snapshot's roll-ups, read (as the past is) before this run's snapshot begins.
    std::vector<analysis::RollupTable> previous_rollups;
    if (store && !p.rollups.empty() && past.previous_snapshot())
      previous_rollups = store->rollups(past.previous_snapshot()->id);
    const std::string as_of = history::date_text(o.as_of_days);
    std::unique_ptr<history::SnapshotWriter> writer;
    if (store) writer = store->begin_snapshot(p.title, as_of, o.card_text, history::names_of(p), o.params_json);
    std::unique_ptr<history::FiredAlerts> alerts;
    rt::OutputFile alerts_file;
    if (!o.alerts_path.empty()) {
      if (std::string e = alerts_file.open(o.alerts_path); !e.empty()) {
        res.error = e;
        return res;
      }
      alerts = std::make_unique<history::FiredAlerts>(p, as_of, o.alerts_format);
    }
    std::unique_ptr<history::SnapshotSink> snapshot;
    std::vector<rt::Sink*> sinks = o.sinks;
    analysis::RollupSink* rollup_sink = o.rollup_sink;
    std::unique_ptr<analysis::RollupSink> own_rollups;
    if (writer && !p.rollups.empty() && !rollup_sink) {
      own_rollups = std::make_unique<analysis::RollupSink>(p);
      rollup_sink = own_rollups.get();
      sinks.push_back(rollup_sink);
    }
    if (writer) {
      snapshot = std::make_unique<history::SnapshotSink>(p, *writer, past, alerts.get());
      sinks.push_back(snapshot.get());
    }
    rt::PipelineOptions po = o.pipeline;
    po.as_of = o.as_of_days;
    if (!p.history.empty()) po.history = &past;
    // The store records every measure's value, score and weight.
    if (writer) po.scoring = rt::Scoring::Detail;
    res.summary = rt::run_pipeline(card, source, sinks, po);
    const rt::PipelineSummary& s = res.summary;
    if (!s.error.empty()) {
      res.error = s.error;
      return res;
    }
    if (s.sink_failed) {
      res.error = s.sink_error.empty() ? "writing failed" : s.sink_error;
      return res;
    }
    std::vector<analysis::RollupTable> rollups;
    if (rollup_sink) {
      try {  // a figure out of range (RollupBuilder::finish) fails the run before anything is replaced
        rollups = rollup_sink->tables();
      } catch (const std::runtime_error& e) {
        res.error = std::string(e.what()) + "; nothing was replaced";
        return res;
      }
      if (store)
        for (analysis::RollupTable& t : rollups) {
          const analysis::RollupTable* before = nullptr;
          for (const analysis::RollupTable& b : previous_rollups)
            if (b.name == t.name) before = &b;
          analysis::set_score_changes(t, before);
        }
    }
    std::vector<analysis::RollupTable>().swap(previous_rollups);  // commit reads them again: not both at once
    if (o.rollup_tables) *o.rollup_tables = rollups;
    // Checked now, written at commit: roll-ups the store cannot hold fail the run before any
    // output replaces its file.
    if (writer && s.scored > 0) writer->add_rollups(rollups);
    if (o.before_commit)
      if (std::string e = o.before_commit(); !e.empty()) {
        res.error = e;
        return res;
      }
    if (alerts) {
      if (!alerts->write(alerts_file.stream())) {
        res.error = alerts_file.finish();
        if (res.error.empty()) res.error = fmt::format("writing `{}` failed", o.alerts_path);
        return res;
      }
      if (std::string e = alerts_file.finish(); !e.empty()) {
        res.error = e;
        return res;
      }
    }
    // Every file is in place before the snapshot commits: a run whose output failed records
    // nothing (a failed commit after this is reported as such by the caller).
    if (alerts)
      if (std::string e = alerts_file.commit(); !e.empty()) {
        res.error = e;
        return res;
      }
    res.outputs_done = true;
    if (writer && s.scored > 0) {
      writer->commit(static_cast<int64_t>(s.read), static_cast<int64_t>(s.scored), static_cast<int64_t>(s.rejected));
      res.recorded = true;
      res.fired = snapshot->fired();
    }
  } catch (const history::StoreError& e) {
    res.error = e.what();
  }
  return res;
}

}  // namespace healthc::driver
