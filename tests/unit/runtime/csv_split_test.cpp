// Parallel CSV reading: cutting the input into spans and parsing each on its own gives the
// same rows, rejects and line numbers as the sequential reader, quotes and all.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "runtime/io/record_reader.h"

namespace healthc::rt {
namespace {

Schema schema() {
  Schema s;
  s.fields.push_back(FieldSpec{"id", FieldType::Text, false, true, {}});
  s.fields.push_back(FieldSpec{"n", FieldType::Number, true, false, {}});
  return s;
}

struct Read {
  std::vector<std::string> ids;
  std::vector<uint64_t> lines, reject_lines;
  std::vector<std::string> raws, reasons;
};

Read read_all(const std::string& data, bool split, size_t span_bytes, size_t chunk_bytes = 7) {
  std::string copy = data;
  std::FILE* f = fmemopen(copy.data(), copy.size(), "r");
  ReaderOptions opts;
  opts.chunk_bytes = chunk_bytes;  // tiny reads: spans and records straddle them
  auto reader = make_reader(DataFormat::Csv, f, schema(), opts);
  EXPECT_EQ(reader->open(), "");
  Read out;
  ColumnBlock block;
  std::vector<Reject> rejects;
  auto collect = [&] {
    for (size_t r = 0; r < block.rows; ++r) {
      out.ids.emplace_back(block.text[0][r].view());
      out.lines.push_back(block.line[r]);
    }
    for (const Reject& r : rejects) {
      out.reject_lines.push_back(r.line);
      out.raws.push_back(r.raw);
      out.reasons.push_back(r.reason);
    }
    rejects.clear();
  };
  if (split) {
    EXPECT_TRUE(reader->can_split());
    RawSpan span;
    while (reader->next_span(span, span_bytes)) {
      reader->parse_span(span, block, rejects);
      reader->settle_span(span, block, rejects);
      collect();
    }
  } else {
    while (reader->next(block, rejects, 3)) collect();
  }
  std::fclose(f);
  return out;
}

TEST(CsvSplit, SpansGiveTheSameRowsRejectsAndLinesAsTheSequentialReader) {
  const std::string data =
      "id,n\r\na,1\r\n\"b\nwith newline\",2\nc,x\n\n\"d \"\"q\"\"\",4\ne,5,6\nf,\n\"g,long "
      "quoted cell that is longer than a span\",7\nh,8";
  const Read seq = read_all(data, false, 0);
  ASSERT_EQ(seq.ids.size(), 6u);
  for (size_t span : {1, 5, 16, 64, 1 << 20}) {
    const Read par = read_all(data, true, span);
    EXPECT_EQ(par.ids, seq.ids) << span;
    EXPECT_EQ(par.lines, seq.lines) << span;
    EXPECT_EQ(par.reject_lines, seq.reject_lines) << span;
    EXPECT_EQ(par.raws, seq.raws) << span;
  }
  EXPECT_EQ(seq.lines, (std::vector<uint64_t>{2, 3, 7, 9, 10, 11}));
  EXPECT_EQ(seq.reject_lines, (std::vector<uint64_t>{5, 8}));
}

TEST(CsvSplit, AnOpenQuoteLosesTheSameRecordWhereverTheInputIsCut) {
  // A quote left open (with no later quote to close it) mid-file, and on a line reached
  // through a quoted line break: only its own record is lost, and the cut decides nothing.
  struct Case {
    std::string data;
    std::vector<std::string> ids;
    std::vector<uint64_t> lines, reject_lines;
  };
  const Case cases[] = {
      {"id,n\na,1\n\"b\nb\",2\n\"c\"\"q\",3\nd,\"open\ne,5\nf,6",
       {"a", "b\nb", "c\"q", "e", "f"},
       {2, 3, 5, 7, 8},
       {6}},
      {"id,n\na,1\n\"g\ng\",\"open\r\nh,8\ni,9\n", {"a", "h", "i"}, {2, 5, 6}, {4}},
  };
  for (const Case& c : cases) {
    const Read seq = read_all(c.data, false, 0);
    EXPECT_EQ(seq.ids, c.ids);
    EXPECT_EQ(seq.lines, c.lines);
    EXPECT_EQ(seq.reject_lines, c.reject_lines);
    for (size_t span : {1, 2, 3, 5, 8, 13, 64, 1 << 20}) {
      const Read par = read_all(c.data, true, span);
      EXPECT_EQ(par.ids, seq.ids) << span;
      EXPECT_EQ(par.lines, seq.lines) << span;
      EXPECT_EQ(par.reject_lines, seq.reject_lines) << span;
      EXPECT_EQ(par.raws, seq.raws) << span;
      EXPECT_EQ(par.reasons, seq.reasons) << span;
    }
  }
}

TEST(CsvSplit, AQuoteOpenPastTheLimitIsCutTheSameWayByEverySpanSize) {
  // More than 1 MiB of rows after a stray quote, then a quote that would close it.
  std::string data = "id,n\na,1\nb,\"stray\n";
  for (int i = 0; i < 1100; ++i) data += "r" + std::to_string(i) + std::string(1000, '-') + ",7\n";
  data += "z,\"9\"\n";
  const Read seq = read_all(data, false, 0, 1 << 16);
  ASSERT_EQ(seq.ids.size(), 1102u);
  EXPECT_EQ(seq.reject_lines, (std::vector<uint64_t>{3}));
  for (size_t span : {size_t{1}, size_t{4096}, size_t{1} << 16, size_t{1} << 20, size_t{1} << 22}) {
    const Read par = read_all(data, true, span, 1 << 16);
    EXPECT_EQ(par.ids, seq.ids) << span;
    EXPECT_EQ(par.lines, seq.lines) << span;
    EXPECT_EQ(par.reject_lines, seq.reject_lines) << span;
    EXPECT_EQ(par.reasons, seq.reasons) << span;
  }
}

}  // namespace
}  // namespace healthc::rt
