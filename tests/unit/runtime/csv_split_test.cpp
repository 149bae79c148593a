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
  std::vector<std::string> raws;
};

Read read_all(const std::string& data, bool split, size_t span_bytes) {
  std::string copy = data;
  std::FILE* f = fmemopen(copy.data(), copy.size(), "r");
  ReaderOptions opts;
  opts.chunk_bytes = 7;  // tiny reads: spans and records straddle them
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
    for (const Reject& r : rejects) out.reject_lines.push_back(r.line), out.raws.push_back(r.raw);
    rejects.clear();
  };
  if (split) {
    EXPECT_TRUE(reader->can_split());
    RawSpan span;
    while (reader->next_span(span, span_bytes)) {
      reader->parse_span(span, block, rejects);
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

}  // namespace
}  // namespace healthc::rt
