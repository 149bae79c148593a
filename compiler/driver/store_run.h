// One scoring run recorded as a snapshot (`healthc score --store`, `healthc backfill`): the
// past the card reads, the pipeline with the snapshot sink beside the command's own sinks, and
// the commit that happens only when everything else of the run succeeded.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/analysis/rollup_sink.h"
#include "runtime/history/past.h"
#include "runtime/history/snapshot_sink.h"
#include "runtime/history/store.h"
#include "runtime/pipeline/pipeline.h"

namespace healthc::driver {

struct RecordOptions {
  int32_t as_of_days = 0;
  std::string card_text;
  std::string params_json = "{}";
  rt::PipelineOptions pipeline;  // as_of and scoring are set from the above
  std::vector<rt::Sink*> sinks;  // the command's own sinks, before the snapshot sink
  std::string alerts_path;       // empty: no alerts file
  rt::OutputFormat alerts_format = rt::OutputFormat::Csv;
  // Called after a successful run, before the snapshot commits: finishing and renaming the
  // command's own outputs. A non-empty message abandons the snapshot (and is the run's error).
  std::function<std::string()> before_commit;
  // The past, when the caller loaded it already (its columns read it); else loaded here.
  const history::PastSnapshots* past = nullptr;
  std::string command = "score";  // for the note that the run waits for the store
  // The command's roll-up sink (among `sinks`: `score --rollups`), or null. With a store, a card
  // with roll-ups has them recorded with its snapshot whether or not the command asked for
  // them: record_run then adds a sink of its own.
  analysis::RollupSink* rollup_sink = nullptr;
  // Filled after a successful run, before before_commit: the card's roll-ups, with each group's
  // score_change against the previous snapshot's roll-up of the same name when there is a store.
  std::vector<analysis::RollupTable>* rollup_tables = nullptr;
};

struct RecordResult {
  rt::PipelineSummary summary;
  std::string error;  // the run failed (input, a sink, the store); nothing was recorded
  uint64_t fired = 0;
  bool had_previous = false;
  // A snapshot was committed. A run that scored no row records none: it would become the
  // previous snapshot with no account in it, and every alert would fire again the next day.
  bool recorded = false;
  // before_commit and the alerts file succeeded: the outputs are in place (an error after
  // this is the store's commit).
  bool outputs_done = false;
};

// Takes the store's write lock for a run of `command`, waiting HEALTHC_STORE_WAIT seconds
// (default history::kDefaultWaitSeconds) for another writer and saying so once on a terminal.
// Throws StoreError (a timeout, a bad HEALTHC_STORE_WAIT).
void lock_store(history::Store& store, std::string_view command);

// Scores `source` with `card` into a new snapshot of `store` (null: a run without a store,
// whose past is missing; nothing is recorded). StoreError is caught into `error`.
RecordResult record_run(const Scorecard& card, history::Store* store, rt::Source& source, const RecordOptions& options);

}  // namespace healthc::driver
