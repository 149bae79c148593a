// The pipeline's sources (readers, in-memory blocks) and the in-memory results sink; the
// executor itself is runtime/batch_runner.cpp.
#include "runtime/pipeline/pipeline.h"

namespace healthc::rt {
namespace {

// Bytes per span: large enough to amortise the hand-offs, small enough that 2 x threads
// spans in flight keep memory flat.
constexpr size_t kSpanBytes = size_t{1} << 19;

}  // namespace

std::string ReaderSource::open() {
  use_spans_ = split_ && reader_.can_split();
  return reader_.open();
}

bool ReaderSource::next(Batch& batch, size_t block_rows) {
  batch.view = &batch.block;
  if (use_spans_) return reader_.next_span(batch.span, kSpanBytes);
  if (reader_.next(batch.block, batch.rejects, block_rows)) return true;
  end_extra_present_ = batch.block.extra_present;
  return false;
}

void ReaderSource::complete(Batch& batch) const {
  if (use_spans_) reader_.parse_span(batch.span, batch.block, batch.rejects);
}

bool BlockSource::next(Batch& batch, size_t) {
  if (next_ >= blocks_.size()) return false;
  batch.view = &blocks_[next_++];
  return true;
}

SinkStatus CollectSink::consume(ScoredBlock& b, std::string&) {
  out_.rows += b.block.rows;
  out_.rejects.insert(out_.rejects.end(), b.rejects.begin(), b.rejects.end());
  if (out_.extra_present.size() < b.block.extra_present.size())
    out_.extra_present.resize(b.block.extra_present.size(), false);
  for (size_t e = 0; e < b.block.extra_present.size(); ++e)
    if (b.block.extra_present[e]) out_.extra_present[e] = true;
  const bool scored = b.scores.rows == b.block.rows && b.block.rows > 0;
  if (!keep_blocks_) {
    // One entry per block of the source, so [block] lines up with the caller's blocks.
    out_.scores.push_back(!scored ? BlockScores{} : b.take_scores ? std::move(*b.take_scores) : b.scores);
    return SinkStatus::Continue;
  }
  // Blocks without rows only carry rejects and header facts; they are not kept.
  if (b.block.rows == 0) return SinkStatus::Continue;
  // A block the source owns cannot be taken, and a copy would not carry the arena its text
  // cells point into: such sources use keep_blocks = false.
  if (!b.take_block) return SinkStatus::Failed;
  if (scored) out_.scores.push_back(b.take_scores ? std::move(*b.take_scores) : b.scores);
  out_.blocks.push_back(std::move(*b.take_block));
  out_.blocks.back().first_row_index = b.first_row;
  return SinkStatus::Continue;
}

std::vector<BlockScores> score_blocks(const Scorecard& card, const std::deque<ColumnBlock>& blocks, double as_of,
                                      bool detail, int threads, std::string& error) {
  BlockSource source(blocks);
  ScoredBlocks out;
  CollectSink sink(out, /*keep_blocks=*/false);
  Sink* sinks[] = {&sink};
  PipelineOptions po;
  po.as_of = as_of;
  po.scoring = detail ? Scoring::Detail : Scoring::Basic;
  po.threads = threads;
  const PipelineSummary sum = run_pipeline(card, source, sinks, po);
  error = sum.error;
  return std::move(out.scores);
}

}  // namespace healthc::rt
