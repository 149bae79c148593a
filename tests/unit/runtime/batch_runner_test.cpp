// The batch executor's handling of its outputs: a failed write stops the run early.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "compiler/api/compile.h"
#include "runtime/batch_runner.h"
#include "runtime/io/record_reader.h"

namespace healthc::rt {
namespace {

TEST(BatchRunner, AFailedWriteStopsReadingEarly) {
  CompileOptions opts;
  opts.engine = Engine::Evaluator;
  CompileOutcome c = compile_scorecard_text("b.health", R"(scorecard "B"
fields { id : text key  x : number }
bands { low from 0 color red }
measure m { value = x  score = value }
model default { m 1 }
)", opts);
  ASSERT_TRUE(c.scorecard);
  constexpr int kRows = 800000;  // about 9 MB: many 1 MiB spans, more than the runner keeps in flight
  std::string data = "id,x\n";
  for (int i = 0; i < kRows; ++i) data += "a" + std::to_string(i) + "," + std::to_string(i % 100) + "\n";
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

}  // namespace
}  // namespace healthc::rt
