// Spans are converted a column at a time (batches of records, one loop a field); the sequential
// reader converts a record at a time. Both must give the same values, validity, texts, extra
// columns, lines, rejects and reasons, streamed or from a mapped file, on random data with
// every kind of bad cell. The seed is printed so a failure reproduces.
#include <gtest/gtest.h>

#include <unistd.h>

#include <random>
#include <string>
#include <vector>

#include "reader_test_util.h"
#include "runtime/io/record_reader.h"

namespace healthc::rt {
namespace {

using test_util::TempInput;

Schema schema(bool nulls) {
  Schema s = test_util::account_schema();
  s.extra_columns = {"outcome", "absent", "seats"};  // one missing from the header, one a field too
  if (nulls) s.null_cells = {"NA", "-"};
  return s;
}

struct Flat {
  std::vector<std::string> cells;  // every accepted row's fields and extras, rendered
  std::vector<uint64_t> lines;
  std::vector<std::string> rejects;  // line, reason and raw bytes
  std::string input_error;
};

void flatten(const Schema& s, const ColumnBlock& block, std::vector<Reject>& rejects, Flat& out) {
  for (size_t r = 0; r < block.rows; ++r) {
    for (size_t f = 0; f < s.fields.size(); ++f) {
      std::string c = block.valid[f][r] ? "1:" : "0:";
      if (s.fields[f].type == FieldType::Text) c += block.text[f][r].view();
      else c += test_util::render_number(block.num[f][r]);
      out.cells.push_back(std::move(c));
    }
    for (size_t e = 0; e < s.extra_columns.size(); ++e)
      out.cells.push_back((block.extra_present[e] ? "x:" : "-:") + std::string(block.extra[e][r].view()));
    out.lines.push_back(block.line[r]);
  }
  for (const Reject& j : rejects) out.rejects.push_back(std::to_string(j.line) + " " + j.reason + " | " + j.raw);
  rejects.clear();
}

// split: spans (parse_span + settle_span, column at a time); else next() a record at a time.
Flat read(const std::string& data, const Schema& s, bool split, bool map, size_t span_bytes) {
  TempInput file(data);
  ReaderOptions o;
  o.map_files = map;
  o.chunk_bytes = 4096;
  auto reader = make_reader(DataFormat::Csv, file.get(), s, o);
  EXPECT_EQ(reader->open(), "");
  Flat out;
  ColumnBlock block;
  std::vector<Reject> rejects;
  if (split) {
    RawSpan span;
    while (reader->next_span(span, span_bytes)) {
      EXPECT_EQ(span.mapped != nullptr, map);
      reader->parse_span(span, block, rejects);
      reader->settle_span(span, block, rejects);
      flatten(s, block, rejects, out);
    }
  } else {
    while (reader->next(block, rejects, 100)) flatten(s, block, rejects, out);
  }
  out.input_error = reader->input_error();
  return out;
}

std::string random_csv(std::mt19937& rng, size_t rows) {
  auto pick = [&](std::initializer_list<const char*> xs) {
    std::uniform_int_distribution<size_t> d(0, xs.size() - 1);
    return std::string(*(xs.begin() + static_cast<std::ptrdiff_t>(d(rng))));
  };
  std::uniform_int_distribution<int> pct(0, 99);
  std::string out = "id,tier,seats,active,renewal,note,outcome\n";
  for (size_t r = 0; r < rows; ++r) {
    std::string id = pct(rng) < 3 ? "k" + std::to_string(r / 2) : "k" + std::to_string(r);  // some repeat
    if (pct(rng) < 2) id = "\"q\"\"" + id + "\"";
    if (pct(rng) < 1) id = "";
    if (pct(rng) < 1) id = "\xff" + id;
    const std::string tier = pct(rng) < 90 ? pick({"smb", "mid", "enterprise", " smb", "\"mid\""})
                                           : pick({"big", "", "NA", "\"e\"\"x\""});
    const std::string seats = pct(rng) < 90 ? std::to_string(pct(rng) * 37 - 100)
                                            : pick({"1.5", " 7", "x", "", "-", "1e3", "0123456789012345"});
    const std::string active = pick({"true", "no", "", "1", "maybe", "NA"});
    const std::string renewal = pct(rng) < 90 ? pick({"2026-01-31", "2027-12-01", "", " 2026-02-03"})
                                              : pick({"2026-02-30", "26-1-1", "-"});
    const std::string note = pick({"", "plain", "\"with, comma\"", "\"two\nlines\"", "\xc3\xa9t\xc3\xa9", "\xc3"});
    const std::string outcome = pick({"0", "1", "", "\xe2\x82", "\"o\"\"k\""});
    out += id + "," + tier + "," + seats + "," + active + "," + renewal + "," + note + "," + outcome;
    const int shape = pct(rng);
    if (shape < 2) out += ",extra";                 // too many cells
    if (shape == 2) out += "\n";                    // a blank line after
    if (shape == 3) out += ",\"open";               // a quote never closed on this line
    if (shape == 4) out += "\"after";               // text after a closing quote (when quoted)
    out += pct(rng) < 10 ? "\r\n" : "\n";
  }
  if (pct(rng) < 50) out.pop_back();  // no final line feed
  return out;
}

void expect_same(const Flat& a, const Flat& b, const std::string& what) {
  EXPECT_EQ(a.cells, b.cells) << what;
  EXPECT_EQ(a.lines, b.lines) << what;
  EXPECT_EQ(a.rejects, b.rejects) << what;
  EXPECT_EQ(a.input_error, b.input_error) << what;
}

TEST(CsvColumns, ColumnAtATimeSpansEqualTheRecordAtATimeReader) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    const std::string data = random_csv(rng, 300 + seed * 37);  // past a batch of 512 for most seeds
    for (bool nulls : {false, true}) {
      const Schema s = schema(nulls);
      const Flat seq = read(data, s, false, false, 0);
      ASSERT_FALSE(seq.cells.empty());
      ASSERT_FALSE(seq.rejects.empty());
      const std::string what = "seed " + std::to_string(seed) + (nulls ? " --null" : "");
      expect_same(read(data, s, false, true, 0), seq, what + " sequential, mapped");
      for (size_t span : {size_t{1} << 20, size_t{700}, size_t{64}}) {
        expect_same(read(data, s, true, false, span), seq, what + " spans streamed " + std::to_string(span));
        expect_same(read(data, s, true, true, span), seq, what + " spans mapped " + std::to_string(span));
      }
    }
  }
}

TEST(CsvColumns, EveryBadCellOfARowIsNamedInFieldOrder) {
  const Schema s = schema(false);
  const std::string data = "id,tier,seats,active,renewal,note,outcome\n,big,x,maybe,2026-02-30,\xc3,0\nb,smb,1,,,,\xff\n";
  const Flat seq = read(data, s, false, false, 0);
  ASSERT_EQ(seq.rejects.size(), 2u);
  // id, tier, seats, active, renewal, note: six, in the order the card declares them.
  EXPECT_EQ(seq.rejects[0].substr(0, 45), "2 6 bad cells: required field `id` is empty; ");
  EXPECT_LT(seq.rejects[0].find("`tier`"), seq.rejects[0].find("`seats`"));
  EXPECT_LT(seq.rejects[0].find("`renewal`"), seq.rejects[0].find("`note`"));
  EXPECT_NE(seq.rejects[1].find("column `outcome` is not valid UTF-8"), std::string::npos);
  expect_same(read(data, s, true, true, 1 << 20), seq, "spans");
}

TEST(CsvColumns, AMappedFileThatShrinksWhileReadIsAnInputErrorNotACrash) {
  std::string data = "id,tier,seats,active,renewal,note,outcome\n";
  for (int i = 0; i < 50000; ++i) data += "k" + std::to_string(i) + ",smb,3,,,,0\n";
  TempInput file(data);
  auto reader = make_reader(DataFormat::Csv, file.get(), schema(false));
  ASSERT_EQ(reader->open(), "");
  RawSpan span;
  ASSERT_TRUE(reader->next_span(span, 4096));
  ASSERT_NE(span.mapped, nullptr);
  ColumnBlock block;
  std::vector<Reject> rejects;
  reader->parse_span(span, block, rejects);
  ASSERT_EQ(ftruncate(fileno(file.get()), 100), 0);
  EXPECT_FALSE(reader->next_span(span, 4096));
  EXPECT_EQ(reader->input_error(), "could not read the input: the file became shorter while it was read");
}

TEST(CsvColumns, AnEmptyFileAndOneWithoutAFinalLineFeedReadAsStreamed) {
  for (const std::string& data : {std::string(), std::string("id,tier,seats,active,renewal,note,outcome"),
                                 std::string("id,tier,seats,active,renewal,note,outcome\nk,smb,3,,,,1")}) {
    TempInput file(data);
    auto reader = make_reader(DataFormat::Csv, file.get(), schema(false));
    const std::string error = reader->open();
    EXPECT_EQ(error.empty(), !data.empty());
    if (!error.empty()) continue;
    const Flat a = read(data, schema(false), true, true, 1 << 20), b = read(data, schema(false), false, false, 0);
    expect_same(a, b, data);
    EXPECT_EQ(a.lines.size(), data.find('\n') == std::string::npos ? 0u : 1u);
  }
}

}  // namespace
}  // namespace healthc::rt
