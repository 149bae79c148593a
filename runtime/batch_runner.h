// `healthc score`'s run: a data file through a compiled scorecard into the writer sinks, on the
// pipeline's executor (runtime/pipeline/pipeline.h, implemented in batch_runner.cpp): reads
// blocks, scores and formats them on all cores, writes them in input order, counts and reports
// rejected rows.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "runtime/scorecard.h"
#include "runtime/io/record_reader.h"
#include "runtime/output.h"
#include "runtime/pipeline/pipeline.h"

namespace healthc::rt {

struct RunOptions {
  double as_of = 0;
  int threads = 1;
  size_t block_rows = 16384;
  OutputFormat format = OutputFormat::Csv;
  std::vector<OutputColumn> columns;
  std::FILE* out = nullptr;
  std::FILE* rejects = nullptr;  // every rejected record, whole, after the header
  // Called for each rejected row, in input order.
  std::function<void(const Reject&)> on_reject;
  // Called after each round of blocks with the bytes read so far.
  std::function<void(uint64_t bytes, uint64_t rows)> on_progress;
};

struct RunSummary {
  uint64_t read = 0, scored = 0, unscored = 0, rejected = 0;
  double seconds = 0;
  // A header or I/O failure, or something threw during the run (out of memory): nothing (more)
  // was read, and the output is incomplete.
  std::string error;
  // Writing the output or the rejects failed, so reading stopped early; the stream's error
  // indicator is set and its owner reports why.
  bool output_failed = false;
};

RunSummary run_batch(const Scorecard& card, RecordReader& reader, const RunOptions& options);

}  // namespace healthc::rt
