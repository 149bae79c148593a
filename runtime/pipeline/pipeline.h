// The read-and-score pipeline: a source yields column blocks, the executor (batch_runner.cpp)
// scores them on all cores, and sinks consume the scored blocks strictly in input order.
// `healthc score`, `explain`, the lint data profile and the analyses all run through it; a new
// output (history, roll-ups) is a new sink, not a new loop. Nothing here prints or exits.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/io/column_block.h"
#include "runtime/io/record_reader.h"
#include "runtime/scorecard.h"

namespace healthc::rt {

// One unit of work moving through the executor. The source fills it on the calling thread
// (next) and may finish it on a worker (complete); `view` is the block to score: `block`, or a
// block the source owns (in-memory sources hand out their blocks without copying).
struct Batch {
  RawSpan span;
  ColumnBlock block;
  const ColumnBlock* view = nullptr;
  std::vector<Reject> rejects;
};

class Source {
 public:
  virtual ~Source() = default;
  // Prepares reading (a CSV header); an error message, or empty.
  virtual std::string open() = 0;
  // The next batch, in input order, on the calling thread. False at the end of the input.
  virtual bool next(Batch& batch, size_t block_rows) = 0;
  // Finishes a batch on a worker thread, concurrently with other batches (parsing a span).
  virtual void complete(Batch&) const {}
  // Whether settle() must run: then the executor calls it on each completed batch strictly in
  // input order, one at a time, before the batch is scored (the checks that need every
  // earlier row: a repeated key, spec "Bad input"); it may move rows to the batch's rejects.
  virtual bool settles() const { return false; }
  virtual void settle(Batch&) {}
  // The CSV header line as read, for a rejects file that reads back; empty for others.
  virtual std::string header_text() const { return {}; }
  virtual uint64_t bytes_read() const { return 0; }
  // Why the input ended early (a read error), or empty at its real end.
  virtual std::string input_error() const { return {}; }
  // How many batches the source will give, when it knows (blocks already in memory), else 0.
  // The executor then starts no more workers than batches and scores on the calling thread
  // too: an analysis that scores a handful of blocks thousands of times (tune) pays for no
  // thread it does not use.
  virtual size_t known_batches() const { return 0; }
};

// A CSV or JSON Lines reader as a source. `split` lets readers that can cut records cheaply
// (CSV) parse on the workers; without it every reader fills whole blocks of `block_rows`.
class ReaderSource final : public Source {
 public:
  explicit ReaderSource(RecordReader& reader, bool split = true) : reader_(reader), split_(split) {}
  std::string open() override;
  bool next(Batch& batch, size_t block_rows) override;
  void complete(Batch& batch) const override;
  // Spans are parsed out of order; their repeated keys are found in order here.
  bool settles() const override { return use_spans_; }
  void settle(Batch& batch) override { reader_.settle_span(batch.span, batch.block, batch.rejects); }
  std::string header_text() const override { return reader_.header_text(); }
  uint64_t bytes_read() const override { return reader_.bytes_read(); }
  std::string input_error() const override { return reader_.input_error(); }
  // Which extra columns the last, empty read found (a CSV header's columns show even when no
  // row follows, and such a read yields no batch).
  const std::vector<bool>& extra_present_at_end() const { return end_extra_present_; }

 private:
  RecordReader& reader_;
  std::vector<bool> end_extra_present_;
  bool split_ = true;
  bool use_spans_ = false;
  Schema schema_;
};

// Blocks already in memory (a Dataset, or blocks selected from one): scored without copying.
// The blocks must outlive the run and must have been read with the card's schema.
class BlockSource final : public Source {
 public:
  explicit BlockSource(const std::deque<ColumnBlock>& blocks) : blocks_(blocks) {}
  std::string open() override { return {}; }
  bool next(Batch& batch, size_t block_rows) override;
  size_t known_batches() const override { return blocks_.size(); }

 private:
  const std::deque<ColumnBlock>& blocks_;
  size_t next_ = 0;
};

// A scored block as a sink sees it, in input order.
struct ScoredBlock {
  const ColumnBlock& block;
  const BlockScores& scores;  // empty (rows == 0) when the run does not score
  const std::vector<Reject>& rejects;  // the rows of this stretch of input that were rejected
  uint64_t index = 0;      // the block's ordinal
  uint64_t first_row = 0;  // accepted rows before this block (0 in prepare: not known yet)
  // The executor's own buffers, which a sink that keeps results may move from: null when the
  // source owns the block. Only the last sink of a run may take them.
  ColumnBlock* take_block = nullptr;
  BlockScores* take_scores = nullptr;
  // v2: the past values the rows read (Program::history, [input][row]), as the history
  // provider filled them (all missing without one); null when the card reads no history or
  // the run does not score.
  const HistoryColumns* history = nullptr;
};

enum class SinkStatus {
  Continue,
  Stop,    // the sink has what it wanted (explain found its account): stop reading, a success
  Failed,  // the sink cannot go on (a write failed): stop reading; error() says why
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Once the source is open, before any block; a non-empty error fails the run.
  virtual std::string begin(const Source&) { return {}; }
  // On a worker thread, concurrently for different blocks: the part of the work that does not
  // depend on order (formatting text). `scratch` travels with the block to consume().
  virtual void prepare(const ScoredBlock&, std::string& /*scratch*/) const {}
  // In input order, on the calling thread.
  virtual SinkStatus consume(ScoredBlock& block, std::string& scratch) = 0;
  // Whether consume() reads the block's scores (or takes them). A run whose sinks all say no
  // keeps no scores past prepare(), and consume() sees them empty (rows == 0).
  virtual bool consume_reads_scores() const { return true; }
  virtual std::string error() const { return {}; }
};

enum class Scoring {
  None,    // read only (loading a data set to score later, perhaps with several cards)
  Basic,   // segment, score, band, label, override
  Detail,  // also every measure's value, score and effective weight
};

struct PipelineOptions {
  double as_of = 0;  // days since 1970-01-01
  Scoring scoring = Scoring::Basic;
  int threads = 1;
  size_t block_rows = 16384;  // for sources that fill whole blocks
  // v2: fills each block's history columns on the worker before it is scored, when the card
  // reads history (Program::history); null: every past value is missing (no store). Must be
  // thread-safe, and give the same columns for the same block whatever the thread count.
  const HistoryProvider* history = nullptr;
  // After each consumed block, with the bytes read and the rows (accepted + rejected) so far.
  std::function<void(uint64_t bytes, uint64_t rows)> on_progress;
};

struct PipelineSummary {
  uint64_t read = 0, scored = 0, unscored = 0, rejected = 0;  // over the consumed blocks
  double seconds = 0;
  // The source could not be opened or read on, or something threw during the run (`internal`):
  // nothing (more) was read or consumed. Callers treat both alike: the run failed.
  std::string error;
  // `error` is an exception caught inside the run (a source, a sink or scoring threw; "out of
  // memory" for bad_alloc), not a fault of the input. No block after the one that failed was
  // consumed, and the first such block in input order gives the message.
  bool internal = false;
  bool stopped = false;       // a sink said Stop
  bool sink_failed = false;   // a sink said Failed (or failed to begin); reading stopped early
  std::string sink_error;     // that sink's error()
};

// Runs `source` through `card` into `sinks`, in order, on `threads` workers. Output is the same
// for any thread count; memory is the blocks in flight (2 x threads + 2) plus the keys
// accepted so far (the repeated-key check: about 15 bytes and the key's bytes a key).
PipelineSummary run_pipeline(const Scorecard& card, Source& source, std::span<Sink* const> sinks,
                             const PipelineOptions& options);

// What a run gives in memory: every accepted row's block and, when scored, its scores, in
// input order, with the rejected rows.
struct ScoredBlocks {
  std::deque<ColumnBlock> blocks;  // a deque: taking a block never moves earlier ones
  std::vector<BlockScores> scores;  // [block]; empty when the run did not score
  std::vector<Reject> rejects;
  std::vector<bool> extra_present;  // [extra column]: in the header, or in some row
  size_t rows = 0;
};

// Keeps every block (taking the executor's buffers: it must be the last sink) and its scores.
// With `keep_blocks` false, keeps only the scores (the blocks live elsewhere: in-memory sources).
class CollectSink final : public Sink {
 public:
  explicit CollectSink(ScoredBlocks& out, bool keep_blocks = true) : out_(out), keep_blocks_(keep_blocks) {}
  SinkStatus consume(ScoredBlock& block, std::string& scratch) override;
  std::string error() const override { return "the source's blocks cannot be kept (use keep_blocks = false)"; }

 private:
  ScoredBlocks& out_;
  bool keep_blocks_;
};

// Every block's scores for blocks already in memory, in block order (parallel over `threads`).
// When scoring fails (it threw: out of memory, a failed first-use compile) `error` says why and
// the scores are incomplete: not to be used.
std::vector<BlockScores> score_blocks(const Scorecard& card, const std::deque<ColumnBlock>& blocks, double as_of,
                                      bool detail, int threads, std::string& error);

}  // namespace healthc::rt
