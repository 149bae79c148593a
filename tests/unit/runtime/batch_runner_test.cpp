// The batch executor's handling of its outputs and failures: a failed write stops the run early,
// and a reader that throws on a worker ends the run with an error instead of terminating.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <new>
#include <string>

#include "compiler/api/compile.h"
#include "runtime/batch_runner.h"
#include "runtime/io/record_reader.h"

namespace healthc::rt {
namespace {

// One number field scored as it is, by the evaluator: the runner is what is under test.
CompileOutcome tiny_card() {
  CompileOptions opts;
  opts.engine = Engine::Evaluator;
  return compile_scorecard_text("b.health", R"(scorecard "B"
fields { id : text key  x : number }
bands { low from 0 color red }
measure m { value = x  score = value }
model default { m 1 }
)", opts);
}

// `rows` CSV rows for tiny_card, keys a0, a1, ...
std::string numbered_rows(int rows) {
  std::string data = "id,x\n";
  for (int i = 0; i < rows; ++i) data += "a" + std::to_string(i) + "," + std::to_string(i % 100) + "\n";
  return data;
}

TEST(BatchRunner, AFailedWriteStopsReadingEarly) {
  CompileOutcome c = tiny_card();
  ASSERT_TRUE(c.scorecard);
  constexpr int kRows = 800000;  // about 9 MB: many 1 MiB spans, more than the runner keeps in flight
  std::string data = numbered_rows(kRows);  // fmemopen wants a writable buffer
  std::FILE* in = fmemopen(data.data(), data.size(), "r");
  ASSERT_NE(in, nullptr);
  std::FILE* full = std::fopen("/dev/full", "w");
  if (full == nullptr) GTEST_SKIP() << "no /dev/full on this machine";
  auto reader = make_reader(DataFormat::Csv, in, c.scorecard->schema());
  ASSERT_EQ(reader->open(), "");
  RunOptions ro;
  ro.out = full;
  ro.block_rows = 1024;
  const RunSummary sum = run_batch(*c.scorecard, *reader, ro);
  EXPECT_TRUE(sum.output_failed);
  EXPECT_TRUE(std::ferror(full));
  EXPECT_LT(sum.read, static_cast<uint64_t>(kRows));  // it stopped instead of scoring the rest
  std::fclose(full);
  std::fclose(in);
}

// A CSV reader whose span parsing (on the workers) runs out of memory at the third span.
class FailingReader final : public RecordReader {
 public:
  explicit FailingReader(std::unique_ptr<RecordReader> inner) : inner_(std::move(inner)) {}
  std::string open() override { return inner_->open(); }
  bool next(ColumnBlock& block, std::vector<Reject>& rejects, size_t max_rows) override {
    return inner_->next(block, rejects, max_rows);
  }
  std::string header_text() const override { return inner_->header_text(); }
  uint64_t bytes_read() const override { return inner_->bytes_read(); }
  std::string input_error() const override { return inner_->input_error(); }
  bool can_split() const override { return inner_->can_split(); }
  bool next_span(RawSpan& span, size_t target_bytes) override { return inner_->next_span(span, target_bytes); }
  void parse_span(const RawSpan& span, ColumnBlock& block, std::vector<Reject>& rejects) const override {
    if (spans_.fetch_add(1) == 2) throw std::bad_alloc();
    inner_->parse_span(span, block, rejects);
  }
  // Forwarded, so the in-order settling runs beside the throw (no batch may wait on it forever).
  void settle_span(const RawSpan& span, ColumnBlock& block, std::vector<Reject>& rejects) override {
    inner_->settle_span(span, block, rejects);
  }

 private:
  std::unique_ptr<RecordReader> inner_;
  mutable std::atomic<int> spans_{0};
};

TEST(BatchRunner, AReaderThatThrowsOnAWorkerFailsTheRun) {
  CompileOutcome c = tiny_card();
  ASSERT_TRUE(c.scorecard);
  constexpr int kRows = 400000;  // several 1 MiB spans
  std::string data = numbered_rows(kRows);  // fmemopen wants a writable buffer
  for (int threads : {1, 4}) {
    SCOPED_TRACE(threads);
    std::FILE* in = fmemopen(data.data(), data.size(), "r");
    ASSERT_NE(in, nullptr);
    std::FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    FailingReader reader(make_reader(DataFormat::Csv, in, c.scorecard->schema()));
    ASSERT_TRUE(reader.can_split());
    RunOptions ro;
    ro.out = out;
    ro.threads = threads;
    const RunSummary sum = run_batch(*c.scorecard, reader, ro);
    EXPECT_EQ(sum.error, "out of memory");
    EXPECT_FALSE(sum.output_failed);
    EXPECT_LT(sum.read, static_cast<uint64_t>(kRows));
    EXPECT_GT(sum.read, 0u);  // the two spans before the failure were written
    std::fclose(out);
    std::fclose(in);
  }
}

}  // namespace
}  // namespace healthc::rt
