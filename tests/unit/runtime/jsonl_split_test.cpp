// Parallel JSON Lines reading: spans cut after a line feed and parsed each on its own give the
// same rows, rejects (bad lines, repeated keys) and line numbers as the sequential reader.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "runtime/io/record_reader.h"

namespace healthc::rt {
namespace {

Schema schema() {
  Schema s;
  s.fields.resize(2);
  s.fields[0].name.assign("id", 2);
  s.fields[0].type = FieldType::Text;
  s.fields[0].key = true;
  s.fields[1].name.assign(1, 'n');
  s.fields[1].optional = true;
  return s;
}

struct Read {
  std::vector<std::string> ids;
  std::vector<double> ns;
  std::vector<uint64_t> lines, reject_lines;
  std::vector<std::string> raws, reasons;
};

Read read_all(const std::string& data, bool split, size_t span_bytes, size_t chunk_bytes = 7) {
  std::string copy = data;
  std::FILE* f = fmemopen(copy.data(), copy.size(), "r");
  ReaderOptions opts;
  opts.chunk_bytes = chunk_bytes;  // tiny reads: spans and lines straddle them
  auto reader = make_reader(DataFormat::JsonLines, f, schema(), opts);
  EXPECT_EQ(reader->open(), "");
  Read out;
  ColumnBlock block;
  std::vector<Reject> rejects;
  auto collect = [&] {
    for (size_t r = 0; r < block.rows; ++r) {
      out.ids.emplace_back(block.text[0][r].view());
      out.ns.push_back(block.valid[1][r] ? block.num[1][r] : -1);
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

TEST(JsonlSplit, SpansGiveTheSameRowsRejectsAndLinesAsTheSequentialReader) {
  const std::string data =
      "\xEF\xBB\xBF{\"id\":\"a\",\"n\":1}\r\n{\"id\":\"b\",\"n\":2}\n{\"id\":\"c\",\"n\":\"x\"}\n\n  \n"
      "{\"id\":\"a\",\"n\":4}\n{\"id\":\"d\"\n[1,2]\n{\"id\":\"e\",\"n\":5,\"long\":\"a value longer than a span\"}\n"
      "{\"id\":\"b\"}\n{\"id\":\"f\",\"n\":6}";
  const Read seq = read_all(data, false, 0);
  EXPECT_EQ(seq.ids, (std::vector<std::string>{"a", "b", "e", "f"}));
  EXPECT_EQ(seq.lines, (std::vector<uint64_t>{1, 2, 9, 11}));
  EXPECT_EQ(seq.reject_lines, (std::vector<uint64_t>{3, 6, 7, 8, 10}));
  for (size_t span : {1, 5, 16, 64, 1 << 20}) {
    for (size_t chunk : {1, 7, 4096}) {
      const Read par = read_all(data, true, span, chunk);
      EXPECT_EQ(par.ids, seq.ids) << span;
      EXPECT_EQ(par.ns, seq.ns) << span;
      EXPECT_EQ(par.lines, seq.lines) << span;
      EXPECT_EQ(par.reject_lines, seq.reject_lines) << span;
      EXPECT_EQ(par.raws, seq.raws) << span;
      EXPECT_EQ(par.reasons, seq.reasons) << span;
    }
  }
}

}  // namespace
}  // namespace healthc::rt
