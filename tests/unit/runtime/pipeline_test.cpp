// The pipeline (source -> executor -> sinks): sinks see every block in input order whatever the
// thread count, a failing or stopping sink ends the run early, every source gives the same rows
// and scores, in-memory blocks score without being read again, and anything a source or sink
// throws ends the run with its message instead of terminating the process.
#include "runtime/pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/api/compile.h"
#include "runtime/pipeline/dataset.h"
#include "runtime/pipeline/find_sink.h"
#include "tests/unit/runtime/reader_test_util.h"

namespace healthc::rt {
namespace {

using test_util::TempInput;

constexpr const char* kCard = R"(scorecard "P"
fields { id : text key  x : number  tier : enum(a, b) optional }
bands { low from 0 color red  high from 50 color green }
measure m { value = x  score = value }
model default { m 1 }
)";

std::shared_ptr<const Scorecard> card() {
  CompileOptions opts;
  opts.engine = Engine::Evaluator;
  opts.use_cache = false;
  CompileOutcome c = compile_scorecard_text("p.health", kCard, opts);
  EXPECT_TRUE(c.scorecard) << c.error;
  return c.scorecard;
}

// `rows` accounts; every seventh has an x that is not a number, so it is rejected.
std::string csv(int rows) {
  std::string s = "id,x,tier\n";
  for (int i = 0; i < rows; ++i)
    s += "a" + std::to_string(i) + "," + (i % 7 == 3 ? std::string("lots") : std::to_string(i % 101)) + "," +
         (i % 2 ? "a" : "") + "\n";
  return s;
}
std::string jsonl(int rows) {
  std::string s;
  for (int i = 0; i < rows; ++i)
    s += "{\"id\": \"a" + std::to_string(i) + "\", \"x\": " +
         (i % 7 == 3 ? std::string("\"lots\"") : std::to_string(i % 101)) + (i % 2 ? ", \"tier\": \"a\"" : "") + "}\n";
  return s;
}

// Records what it sees; fails or stops at block `halt_at` when asked.
class RecordingSink final : public Sink {
 public:
  SinkStatus consume(ScoredBlock& b, std::string&) override {
    indices.push_back(b.index);
    first_rows.push_back(b.first_row);
    block_rows.push_back(b.block.rows);
    for (size_t r = 0; r < b.block.rows; ++r) {
      keys.emplace_back(b.block.text[0][r].view());
      scores.push_back(b.scores.rows ? b.scores.score[r] : -2);
    }
    for (const Reject& rj : b.rejects) reject_lines.push_back(rj.line);
    rows += b.block.rows;
    if (indices.size() - 1 == halt_at) return halt;
    return SinkStatus::Continue;
  }
  std::string error() const override { return "the recording sink gave up"; }

  size_t halt_at = SIZE_MAX;
  SinkStatus halt = SinkStatus::Failed;
  std::vector<uint64_t> indices, first_rows, block_rows, reject_lines;
  std::vector<std::string> keys;
  std::vector<int32_t> scores;
  uint64_t rows = 0;
};

PipelineSummary run(const Scorecard& c, const std::string& bytes, DataFormat format, std::vector<Sink*> sinks,
                    int threads, bool split = true, size_t block_rows = 100) {
  TempInput in(bytes);
  ReaderOptions ro;
  ro.chunk_bytes = 4096;  // records straddle reads
  auto reader = make_reader(format, in.get(), c.schema(), ro);
  ReaderSource source(*reader, split);
  PipelineOptions po;
  po.threads = threads;
  po.block_rows = block_rows;
  return run_pipeline(c, source, sinks, po);
}

TEST(Pipeline, SinksSeeEveryBlockInInputOrder) {
  auto c = card();
  RecordingSink one, many;
  // Large enough that the CSV reader cuts many 1 MiB spans.
  const std::string data = csv(400000);
  const PipelineSummary a = run(*c, data, DataFormat::Csv, {&one}, 1);
  const PipelineSummary b = run(*c, data, DataFormat::Csv, {&many}, 4);
  EXPECT_EQ(a.error, "");
  EXPECT_GT(many.indices.size(), 2u);
  for (size_t i = 0; i < many.indices.size(); ++i) EXPECT_EQ(many.indices[i], i);
  uint64_t before = 0;  // each block's first row counts the accepted rows before it
  for (size_t i = 0; i < many.first_rows.size(); ++i) {
    EXPECT_EQ(many.first_rows[i], before);
    before += many.block_rows[i];
  }
  EXPECT_EQ(one.keys, many.keys);
  EXPECT_EQ(one.scores, many.scores);
  EXPECT_EQ(one.reject_lines, many.reject_lines);
  EXPECT_EQ(a.read, 400000u);
  EXPECT_EQ(b.read, 400000u);
  EXPECT_EQ(a.rejected, one.reject_lines.size());
  EXPECT_EQ(a.scored, one.rows);
}

// Writes each row's score as text in prepare, as the writers do, and says consume() reads no
// scores: the executor then scores into a few pooled buffers, not one per slot in flight.
class TextSink final : public Sink {
 public:
  void prepare(const ScoredBlock& b, std::string& scratch) const override {
    scratch.clear();
    for (size_t r = 0; r < b.block.rows; ++r) scratch += std::to_string(b.scores.score[r]) + "\n";
  }
  SinkStatus consume(ScoredBlock& b, std::string& scratch) override {
    text += scratch;
    consumed_scores += b.scores.rows;
    return SinkStatus::Continue;
  }
  bool consume_reads_scores() const override { return false; }
  std::string text;
  size_t consumed_scores = 0;
};

TEST(Pipeline, ScoresPooledWhenNoSinkReadsThemInOrderAreTheSame) {
  auto c = card();
  const std::string data = csv(300000);  // many spans
  RecordingSink reference;
  run(*c, data, DataFormat::Csv, {&reference}, 1);
  std::string expected;
  for (int32_t score : reference.scores) expected += std::to_string(score) + "\n";
  for (int threads : {1, 2, 4}) {
    TextSink pooled;
    EXPECT_EQ(run(*c, data, DataFormat::Csv, {&pooled}, threads).error, "");
    EXPECT_EQ(pooled.text, expected) << threads << " threads";
    EXPECT_EQ(pooled.consumed_scores, 0u);  // consume() saw no scores
    // A sink that reads them in order keeps them in the slots: both get what they expect.
    TextSink text;
    RecordingSink recording;
    run(*c, data, DataFormat::Csv, {&text, &recording}, threads);
    EXPECT_EQ(text.text, expected);
    EXPECT_EQ(recording.scores, reference.scores);
  }
  // In memory, where the calling thread scores too.
  TempInput in(data);
  Dataset ds;
  std::string error;
  ASSERT_TRUE(load_dataset(*c, in.get(), DataFormat::Csv, "mem.csv", {}, ds, error, 1000)) << error;
  for (int threads : {1, 3}) {
    TextSink pooled;
    BlockSource source(ds.blocks);
    Sink* sinks[] = {&pooled};
    PipelineOptions po;
    po.threads = threads;
    EXPECT_EQ(run_pipeline(*c, source, sinks, po).error, "");
    EXPECT_EQ(pooled.text, expected) << threads << " threads, in memory";
  }
}

TEST(Pipeline, AFailingSinkStopsTheRun) {
  auto c = card();
  RecordingSink failing, after;
  failing.halt_at = 1;  // the second block
  const PipelineSummary s = run(*c, csv(20000), DataFormat::Csv, {&failing, &after}, 2, /*split=*/false);
  EXPECT_TRUE(s.sink_failed);
  EXPECT_FALSE(s.stopped);
  EXPECT_EQ(s.sink_error, "the recording sink gave up");
  EXPECT_EQ(failing.indices.size(), 2u);  // nothing after the failure
  EXPECT_EQ(after.indices.size(), 1u);    // the later sink never sees the block that failed
  EXPECT_LT(s.read, 20000u);
}

TEST(Pipeline, AStoppingSinkEndsTheRunAsASuccess) {
  auto c = card();
  FindKeySink find(0, "a250");
  const PipelineSummary s = run(*c, csv(20000), DataFormat::Csv, {&find}, 2, /*split=*/false);
  EXPECT_TRUE(s.stopped);
  EXPECT_FALSE(s.sink_failed);
  ASSERT_TRUE(find.found);
  EXPECT_EQ(find.scores.score[find.row], 250 % 101);
  EXPECT_LT(s.read, 20000u);  // it stopped reading soon after the account
}

TEST(Pipeline, CsvAndJsonLinesGiveTheSameRowsAndScores) {
  auto c = card();
  RecordingSink spans, blocks, json;
  run(*c, csv(3000), DataFormat::Csv, {&spans}, 3, /*split=*/true);
  run(*c, csv(3000), DataFormat::Csv, {&blocks}, 3, /*split=*/false, /*block_rows=*/77);
  run(*c, jsonl(3000), DataFormat::JsonLines, {&json}, 3, /*split=*/true, /*block_rows=*/128);
  ASSERT_EQ(spans.keys.size(), 3000u - 3000u / 7 - (3000 % 7 > 3 ? 1 : 0));
  EXPECT_EQ(spans.keys, blocks.keys);
  EXPECT_EQ(spans.scores, blocks.scores);
  EXPECT_EQ(spans.reject_lines, blocks.reject_lines);
  EXPECT_EQ(spans.keys, json.keys);
  EXPECT_EQ(spans.scores, json.scores);
  // JSON Lines has no header line, so each record is one line earlier.
  ASSERT_EQ(spans.reject_lines.size(), json.reject_lines.size());
  for (size_t i = 0; i < json.reject_lines.size(); ++i) EXPECT_EQ(json.reject_lines[i] + 1, spans.reject_lines[i]);
}

TEST(Pipeline, ReadingWithoutScoringGivesNoScores) {
  auto c = card();
  RecordingSink sink;
  TempInput in(csv(500));
  auto reader = make_reader(DataFormat::Csv, in.get(), c->schema());
  ReaderSource source(*reader);
  PipelineOptions po;
  po.scoring = Scoring::None;
  Sink* sinks[] = {&sink};
  const PipelineSummary s = run_pipeline(*c, source, sinks, po);
  EXPECT_EQ(s.scored, sink.rows);
  EXPECT_GT(sink.rows, 0u);
  for (int32_t v : sink.scores) EXPECT_EQ(v, -2);
}

TEST(Pipeline, InMemoryBlocksScoreLikeTheFileTheyCameFrom) {
  auto c = card();
  const std::string data = csv(5000);
  TempInput in(data);
  Dataset ds;
  std::string error;
  ASSERT_TRUE(load_dataset(*c, in.get(), DataFormat::Csv, "mem.csv", {}, ds, error, 333)) << error;
  EXPECT_EQ(ds.rows + ds.rejects.size(), 5000u);
  EXPECT_EQ(ds.blocks.size(), (5000 + 332) / 333);  // whole blocks of 333 records, rejects included
  RecordingSink from_file, from_memory;
  run(*c, data, DataFormat::Csv, {&from_file}, 2);
  BlockSource source(ds.blocks);
  Sink* sinks[] = {&from_memory};
  PipelineOptions po;
  po.threads = 3;
  const PipelineSummary s = run_pipeline(*c, source, sinks, po);
  EXPECT_EQ(s.scored, ds.rows);
  EXPECT_EQ(from_memory.keys, from_file.keys);
  EXPECT_EQ(from_memory.scores, from_file.scores);
  // score_blocks is the same run, one BlockScores per block.
  std::string score_error;
  const std::vector<BlockScores> scores = score_blocks(*c, ds.blocks, 0, false, 4, score_error);
  EXPECT_EQ(score_error, "");
  ASSERT_EQ(scores.size(), ds.blocks.size());
  std::vector<int32_t> flat;
  for (const BlockScores& b : scores) flat.insert(flat.end(), b.score.begin(), b.score.end());
  EXPECT_EQ(flat, from_file.scores);
}

TEST(Pipeline, CollectSinkKeepsBlocksAndScores) {
  auto c = card();
  TempInput in(csv(1000));
  auto reader = make_reader(DataFormat::Csv, in.get(), c->schema());
  ReaderSource source(*reader, /*split=*/false);
  ScoredBlocks out;
  CollectSink sink(out);
  Sink* sinks[] = {&sink};
  PipelineOptions po;
  po.block_rows = 100;
  po.threads = 2;
  run_pipeline(*c, source, sinks, po);
  ASSERT_EQ(out.blocks.size(), out.scores.size());
  size_t rows = 0;
  for (size_t b = 0; b < out.blocks.size(); ++b) {
    EXPECT_EQ(out.blocks[b].first_row_index, rows);
    EXPECT_EQ(out.scores[b].rows, out.blocks[b].rows);
    // Text cells still point at live bytes after the blocks moved into the deque.
    EXPECT_EQ(out.blocks[b].text[0][0].view().substr(0, 1), "a");
    rows += out.blocks[b].rows;
  }
  EXPECT_EQ(rows, out.rows);
  EXPECT_EQ(out.rows + out.rejects.size(), 1000u);
}

TEST(Pipeline, AnUnreadableHeaderIsAnErrorBeforeAnySinkRuns) {
  auto c = card();
  RecordingSink sink;
  const PipelineSummary s = run(*c, "id,tier\na1,a\n", DataFormat::Csv, {&sink}, 2);
  EXPECT_NE(s.error.find("no column for field `x`"), std::string::npos) << s.error;
  EXPECT_TRUE(sink.indices.empty());
}

// Throws from prepare (on a worker) at block `from` and every block after it, naming the block.
class ThrowingPrepareSink final : public Sink {
 public:
  explicit ThrowingPrepareSink(uint64_t from, bool bad_alloc = false) : from_(from), bad_alloc_(bad_alloc) {}
  void prepare(const ScoredBlock& b, std::string&) const override {
    if (b.index < from_) return;
    if (bad_alloc_) throw std::bad_alloc();
    throw std::runtime_error("prepare failed on block " + std::to_string(b.index));
  }
  SinkStatus consume(ScoredBlock& b, std::string&) override {
    consumed.push_back(b.index);
    return SinkStatus::Continue;
  }
  std::vector<uint64_t> consumed;

 private:
  uint64_t from_;
  bool bad_alloc_;
};

// Throws from consume (on the calling thread) at block `at`.
class ThrowingConsumeSink final : public Sink {
 public:
  explicit ThrowingConsumeSink(uint64_t at) : at_(at) {}
  SinkStatus consume(ScoredBlock& b, std::string&) override {
    consumed.push_back(b.index);
    if (b.index == at_) throw std::runtime_error("consume failed");
    return SinkStatus::Continue;
  }
  std::vector<uint64_t> consumed;

 private:
  uint64_t at_;
};

// A data set's blocks, handed out one by one; `next` or `complete` throws at block `at`.
// `known` makes it an in-memory source, where the calling thread scores too.
class ThrowingSource final : public Source {
 public:
  enum Where { Next, Complete, Open };
  ThrowingSource(const std::deque<ColumnBlock>& blocks, Where where, size_t at, bool known = false)
      : blocks_(blocks), where_(where), at_(at), known_(known) {}
  std::string open() override {
    if (where_ == Open) throw std::runtime_error("open failed");
    return {};
  }
  bool next(Batch& batch, size_t) override {
    if (where_ == Next && next_ == at_) throw std::runtime_error("next failed");
    if (next_ >= blocks_.size()) return false;
    batch.view = &blocks_[next_++];
    return true;
  }
  void complete(Batch& batch) const override {
    if (where_ == Complete && batch.view == &blocks_[at_]) throw std::bad_alloc();
  }
  size_t known_batches() const override { return known_ ? blocks_.size() : 0; }

 private:
  const std::deque<ColumnBlock>& blocks_;
  Where where_;
  size_t at_;
  bool known_;
  size_t next_ = 0;
};

Dataset blocks_of(const Scorecard& c, int rows, size_t block_rows) {
  TempInput in(csv(rows));
  Dataset ds;
  std::string error;
  EXPECT_TRUE(load_dataset(c, in.get(), DataFormat::Csv, "mem.csv", {}, ds, error, block_rows)) << error;
  return ds;
}

PipelineSummary run_source(const Scorecard& c, Source& source, std::vector<Sink*> sinks, int threads) {
  PipelineOptions po;
  po.threads = threads;
  return run_pipeline(c, source, sinks, po);
}

std::vector<uint64_t> upto(uint64_t n) {
  std::vector<uint64_t> v;
  for (uint64_t i = 0; i < n; ++i) v.push_back(i);
  return v;
}

TEST(PipelineErrors, APrepareThatThrowsEndsTheRunAtThatBlock) {
  auto c = card();
  for (int threads : {1, 4}) {
    SCOPED_TRACE(threads);
    // Every block from the 6th throws; whichever a worker reaches first, the error is the first
    // in input order, every block before it is consumed and none after.
    RecordingSink before;
    ThrowingPrepareSink throwing(5);
    const PipelineSummary s = run(*c, csv(20000), DataFormat::Csv, {&before, &throwing}, threads, /*split=*/false);
    EXPECT_EQ(s.error, "prepare failed on block 5");
    EXPECT_TRUE(s.internal);
    EXPECT_FALSE(s.sink_failed);
    EXPECT_EQ(before.indices, upto(5));
    EXPECT_EQ(throwing.consumed, upto(5));
    EXPECT_EQ(s.read, 500u);
  }
}

TEST(PipelineErrors, APrepareThatThrowsInMemoryEndsTheRunOnTheCallingThreadToo) {
  auto c = card();
  const Dataset ds = blocks_of(*c, 5000, 100);
  for (int threads : {1, 4}) {
    SCOPED_TRACE(threads);
    BlockSource source(ds.blocks);  // the calling thread scores ("helps")
    ThrowingPrepareSink throwing(7);
    const PipelineSummary s = run_source(*c, source, {&throwing}, threads);
    EXPECT_EQ(s.error, "prepare failed on block 7");
    EXPECT_TRUE(s.internal);
    EXPECT_EQ(throwing.consumed, upto(7));
  }
}

TEST(PipelineErrors, OutOfMemoryIsReportedAsSuch) {
  auto c = card();
  for (int threads : {1, 3}) {
    SCOPED_TRACE(threads);
    ThrowingPrepareSink throwing(2, /*bad_alloc=*/true);
    const PipelineSummary s = run(*c, csv(3000), DataFormat::Csv, {&throwing}, threads, /*split=*/false);
    EXPECT_EQ(s.error, "out of memory");
    EXPECT_TRUE(s.internal);
    EXPECT_EQ(throwing.consumed, upto(2));
  }
}

TEST(PipelineErrors, AConsumeThatThrowsEndsTheRun) {
  auto c = card();
  for (int threads : {1, 4}) {
    SCOPED_TRACE(threads);
    ThrowingConsumeSink throwing(3);
    RecordingSink after;
    const PipelineSummary s = run(*c, csv(20000), DataFormat::Csv, {&throwing, &after}, threads, /*split=*/false);
    EXPECT_EQ(s.error, "consume failed");
    EXPECT_TRUE(s.internal);
    EXPECT_EQ(throwing.consumed, upto(4));  // nothing after the block that threw
    EXPECT_EQ(after.indices, upto(3));      // the later sink never sees that block
  }
}

TEST(PipelineErrors, ASourceWhoseCompleteThrowsEndsTheRun) {
  auto c = card();
  const Dataset ds = blocks_of(*c, 5000, 100);
  for (bool known : {false, true}) {
    for (int threads : {1, 4}) {
      SCOPED_TRACE(std::to_string(threads) + (known ? " in memory" : " reading"));
      ThrowingSource source(ds.blocks, ThrowingSource::Complete, 9, known);
      RecordingSink sink;
      const PipelineSummary s = run_source(*c, source, {&sink}, threads);
      EXPECT_EQ(s.error, "out of memory");
      EXPECT_TRUE(s.internal);
      EXPECT_EQ(sink.indices, upto(9));
    }
  }
}

TEST(PipelineErrors, ASourceWhoseNextThrowsEndsTheRun) {
  auto c = card();
  const Dataset ds = blocks_of(*c, 5000, 100);
  for (int threads : {1, 4}) {
    SCOPED_TRACE(threads);
    ThrowingSource source(ds.blocks, ThrowingSource::Next, 12);
    RecordingSink sink;
    const PipelineSummary s = run_source(*c, source, {&sink}, threads);
    EXPECT_EQ(s.error, "next failed");
    EXPECT_TRUE(s.internal);
    EXPECT_LE(sink.indices.size(), 12u);  // what was read before may or may not be consumed
    EXPECT_EQ(sink.indices, upto(sink.indices.size()));
  }
  ThrowingSource source(ds.blocks, ThrowingSource::Open, 0);
  RecordingSink sink;
  const PipelineSummary s = run_source(*c, source, {&sink}, 2);
  EXPECT_EQ(s.error, "open failed");
  EXPECT_TRUE(s.internal);
  EXPECT_TRUE(sink.indices.empty());
}

TEST(PipelineErrors, ASourceErrorIsNotInternal) {
  auto c = card();
  RecordingSink sink;
  const PipelineSummary s = run(*c, "id,tier\na1,a\n", DataFormat::Csv, {&sink}, 2);
  EXPECT_FALSE(s.error.empty());
  EXPECT_FALSE(s.internal);
}

}  // namespace
}  // namespace healthc::rt
