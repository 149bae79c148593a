// A scoring run recorded as a snapshot (store_run.h).
#include "compiler/driver/store_run.h"

#include <fmt/format.h>

#include "runtime/io/output_file.h"

namespace healthc::driver {

RecordResult record_run(const Scorecard& card, history::Store* store, rt::Source& source, const RecordOptions& o) {
  RecordResult res;
  const ir::Program& p = card.program();
  try {
    // The past is read before the snapshot is begun: the snapshot being replaced is never read.
    std::unique_ptr<history::PastSnapshots> own_past;
    if (!o.past) own_past = std::make_unique<history::PastSnapshots>(store, p.title, o.as_of_days, p);
    const history::PastSnapshots& past = o.past ? *o.past : *own_past;
    res.had_previous = store && store->latest(p.title, o.as_of_days - 1, o.as_of_days).has_value();
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
