// Real-world data (issue 16): enum spellings read exactly, null cells, delimiters, the format
// of stdin from its first bytes, every bad cell named, and repeated keys rejected in input
// order with the same rows rejected whatever the thread count and however the input is cut.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/api/compile.h"
#include "runtime/io/cell_parse.h"
#include "runtime/io/record_reader.h"
#include "runtime/io/seen_keys.h"
#include "runtime/pipeline/pipeline.h"
#include "tests/unit/runtime/reader_test_util.h"

namespace healthc::rt {
namespace {

using test_util::TempInput;

constexpr const char* kCard = R"(scorecard "T"
fields {
  id       : text key
  contract : enum(monthly = "Month-to-month", annual = "One year")
  state    : enum(ny, in, or) optional
  x        : number optional
}
bands { low from 0 color red  high from 50 color green }
measure m { value = x  score = value  missing = 10 }
model default { m 1 }
)";

std::shared_ptr<const Scorecard> card() {
  CompileOptions opts;
  opts.engine = Engine::Evaluator;
  opts.use_cache = false;
  CompileOutcome c = compile_scorecard_text("t.health", kCard, opts);
  EXPECT_TRUE(c.scorecard) << c.error;
  return c.scorecard;
}

struct Rows {
  std::vector<std::string> keys;
  std::vector<double> contract, x;
  std::vector<uint8_t> x_valid;
  std::vector<uint64_t> reject_lines;
  std::vector<std::string> reasons, raws;
};

Rows read(const std::string& bytes, const DataReading& how, const std::string& path = "d.csv") {
  TempInput in(bytes);
  auto reader = open_data_reader(how, path, in.get(), card()->schema());
  Rows out;
  EXPECT_EQ(reader->open(), "");
  ColumnBlock b;
  std::vector<Reject> rejects;
  while (reader->next(b, rejects, 2)) {
    for (size_t r = 0; r < b.rows; ++r) {
      out.keys.emplace_back(b.text[0][r].view());
      out.contract.push_back(b.num[1][r]);
      out.x.push_back(b.num[3][r]);
      out.x_valid.push_back(b.valid[3][r]);
    }
  }
  for (const Reject& r : rejects) {
    out.reject_lines.push_back(r.line);
    out.reasons.push_back(r.reason);
    out.raws.push_back(r.raw);
  }
  return out;
}

TEST(RealData, SpelledMembersAreReadAsTheDataSpellsThemAndOnlyExactly) {
  const Rows r = read("id,contract,state,x\na,Month-to-month,in,1\nb,One year,or,2\nc,monthly,,3\nd,One year ,,4\n"
                      "e,one year,,5\n",
                      {});
  EXPECT_EQ(r.keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.contract, (std::vector<double>{0, 1}));
  EXPECT_EQ(r.reject_lines, (std::vector<uint64_t>{4, 5, 6}));
  EXPECT_EQ(r.reasons[0], "field `contract`: `monthly` is not one of \"Month-to-month\", \"One year\"");
  EXPECT_EQ(r.reasons[1], "field `contract`: `One year ` is not one of \"Month-to-month\", \"One year\"");
}

TEST(RealData, NullCellsAreMissingAndARequiredOnesIsRejectedAsEmpty) {
  DataReading how;
  how.null_cells = {"NA", "-"};
  const Rows r = read("id,contract,state,x\na,One year,NA, NA \nb,One year,-,-\nNA,One year,,1\nc,NA,,1\nd,One year,,NAN\n",
                      how);
  EXPECT_EQ(r.keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.x_valid, (std::vector<uint8_t>{0, 0}));
  EXPECT_EQ(r.reasons, (std::vector<std::string>{
                           "required field `id` is empty", "required field `contract` is empty",
                           "field `x`: `NAN` is not a number (pass --null NAN if it means missing)"}));
  // JSON Lines: a string equal to a null cell is as null; absent keys stay absent.
  DataReading json = how;
  json.format = DataFormat::JsonLines;
  const Rows j = read("{\"id\": \"a\", \"contract\": \"One year\", \"x\": \"NA\"}\n"
                      "{\"id\": \"b\", \"contract\": \"NA\", \"state\": \"-\"}\n",
                      json, "-");
  EXPECT_EQ(j.keys, std::vector<std::string>{"a"});
  EXPECT_EQ(j.x_valid, std::vector<uint8_t>{0});
  EXPECT_EQ(j.reasons, std::vector<std::string>{"required field `contract` is empty"});
  // Without --null, NA is data like any other.
  const Rows plain = read("id,contract,state,x\na,One year,,NA\n", {});
  EXPECT_EQ(plain.reasons,
            (std::vector<std::string>{"field `x`: `NA` is not a number (pass --null NA if it means missing)"}));
}

TEST(RealData, EveryBadCellOfARowIsNamed) {
  const Rows r = read("id,contract,state,x\na,yearly,ca,ten\nb,One year,zz,1\n", {});
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[0],
            "3 bad cells: field `contract`: `yearly` is not one of \"Month-to-month\", \"One year\"; field `state`: "
            "`ca` is not one of ny, in, or; field `x`: `ten` is not a number");
  EXPECT_EQ(r.reasons[1], "field `state`: `zz` is not one of ny, in, or");  // one bad cell: as in v1
  DataReading json;
  json.format = DataFormat::JsonLines;
  const Rows j = read("{\"id\": \"a\", \"contract\": \"yearly\", \"x\": \"ten\"}\n{\"contract\": 3}\n", json, "-");
  EXPECT_EQ(j.reasons[0],
            "2 bad cells: field `contract`: `yearly` is not one of \"Month-to-month\", \"One year\"; field `x`: `ten` "
            "is not a number");
  EXPECT_EQ(j.reasons[1], "2 bad cells: required field `id` is absent; field `contract`: `3` is not one of "
                          "\"Month-to-month\", \"One year\"");
}

TEST(RealData, DelimiterComesFromTheNameOrTheOption) {
  const std::string tsv = "id\tcontract\tstate\tx\na\tOne year\tin\t1\n";
  EXPECT_EQ(read(tsv, {}, "d.tsv").keys, std::vector<std::string>{"a"});
  DataReading semi;
  semi.delimiter = ';';
  EXPECT_EQ(read("id;contract;state;x\na;\"One; year\";in;1\nb;One year;or;2\n", semi).reasons,
            std::vector<std::string>{"field `contract`: `One; year` is not one of \"Month-to-month\", \"One year\""});
  EXPECT_EQ(delimiter_from_path("x/a.TSV"), '\t');
  EXPECT_EQ(delimiter_from_path("a.tsv.csv"), ',');
}

TEST(RealData, StdinIsJsonLinesWhenItsFirstByteIsABrace) {
  const Rows j = read("\xEF\xBB\xBF\n  {\"id\": \"a\", \"contract\": \"One year\"}\n", {}, "-");
  EXPECT_EQ(j.keys, std::vector<std::string>{"a"});
  EXPECT_TRUE(j.reasons.empty());
  const Rows c = read("\xEF\xBB\xBFid,contract,state,x\r\na,One year,,\r\n", {}, "-");
  EXPECT_EQ(c.keys, std::vector<std::string>{"a"});
  std::string prefix;
  TempInput empty("");
  EXPECT_EQ(sniff_format(empty.get(), prefix), DataFormat::Csv);
  EXPECT_EQ(prefix, "");
}

TEST(RealData, ARepeatedKeyIsRejectedNamingTheFirstLine) {
  const Rows r = read("id,contract,state,x\na,One year,,1\nb,One year,,2\na,One year,,3\nb,One year,,x\nb,One year,,4\n",
                      {});
  EXPECT_EQ(r.keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.x, (std::vector<double>{1, 2}));  // the first row stands
  EXPECT_EQ(r.reasons, (std::vector<std::string>{"duplicate key `a`: first on line 2", "field `x`: `x` is not a number",
                                                 "duplicate key `b`: first on line 3"}));
  EXPECT_EQ(r.raws[0], "a,One year,,3");
}

TEST(RealData, SeenKeysKeepsEveryKeyThroughManyGrowths) {
  SeenKeys seen;
  for (uint64_t i = 0; i < 300000; ++i) ASSERT_EQ(seen.first_line("k" + std::to_string(i), i + 1), 0u);
  std::vector<TextRef> refs;
  std::vector<std::string> keys = {"k0", "new", "k299999", "new", std::string(3 << 20, 'z')};
  for (const std::string& k : keys) refs.push_back(TextRef{k.data(), k.size()});
  const std::vector<uint64_t> lines = {7, 8, 9, 10, 11};
  std::vector<uint64_t> out;
  seen.first_lines(refs.data(), lines.data(), refs.size(), out);
  EXPECT_EQ(out, (std::vector<uint64_t>{1, 0, 300000, 8, 0}));
  EXPECT_EQ(seen.first_line(std::string(3 << 20, 'z'), 12), 11u);  // a key longer than a chunk
  // Keys after the long one go to a chunk of their own, and all are found again.
  EXPECT_EQ(seen.first_line("after", 13), 0u);
  EXPECT_EQ(seen.first_line(std::string((1 << 20) - 5, 'y'), 14), 0u);  // about a chunk's size
  EXPECT_EQ(seen.first_line("last", 15), 0u);
  EXPECT_EQ(seen.first_line("after", 16), 13u);
  EXPECT_EQ(seen.first_line(std::string((1 << 20) - 5, 'y'), 17), 14u);
  EXPECT_EQ(seen.first_line("last", 18), 15u);
  EXPECT_EQ(seen.first_line(std::string(3 << 20, 'z'), 19), 11u);
  EXPECT_EQ(seen.first_line("k299999", 20), 300000u);
}

// The table against a map, on keys of every length from 0 to 40 (each of the hash's and the
// compare's load shapes), drawn from three letters so that many differ in one byte only, each
// seen about three times, in a random order, by single calls and by blocks.
TEST(RealData, SeenKeysAgreesWithAMapForKeysOfEveryLength) {
  std::mt19937 rng(33);
  std::vector<std::string> keys;
  for (size_t len = 0; len <= 40; ++len)
    for (int k = 0; k < (len < 3 ? 27 : 300); ++k) {
      std::string s(len, 'a');
      for (char& c : s) c = "abc"[rng() % 3];
      keys.push_back(s);
    }
  std::vector<std::string> stream;
  for (int rep = 0; rep < 3; ++rep) stream.insert(stream.end(), keys.begin(), keys.end());
  std::shuffle(stream.begin(), stream.end(), rng);
  SeenKeys seen;
  std::unordered_map<std::string, uint64_t> first;
  std::vector<TextRef> refs;
  std::vector<uint64_t> lines, out;
  for (size_t i = 0; i < stream.size();) {
    const uint64_t line = i + 1;
    if (i % 7 == 0) {  // one call
      const auto [it, fresh] = first.try_emplace(stream[i], line);
      ASSERT_EQ(seen.first_line(stream[i], line), fresh ? 0 : it->second) << stream[i];
      ++i;
      continue;
    }
    const size_t n = std::min<size_t>(stream.size() - i, 1 + rng() % 40);  // a block
    refs.clear();
    lines.clear();
    for (size_t r = 0; r < n; ++r) {
      refs.push_back(TextRef{stream[i + r].data(), stream[i + r].size()});
      lines.push_back(i + r + 1);
    }
    seen.first_lines(refs.data(), lines.data(), n, out);
    for (size_t r = 0; r < n; ++r) {
      const auto [it, fresh] = first.try_emplace(stream[i + r], i + r + 1);
      ASSERT_EQ(out[r], fresh ? 0 : it->second) << stream[i + r];
    }
    i += n;
  }
  EXPECT_EQ(seen.size(), first.size());
}

// Records the keys and reject lines the sinks see, in order.
class KeySink final : public Sink {
 public:
  SinkStatus consume(ScoredBlock& b, std::string&) override {
    for (size_t r = 0; r < b.block.rows; ++r) keys.emplace_back(b.block.text[0][r].view());
    for (const Reject& rj : b.rejects) {
      reject_lines.push_back(rj.line);
      reasons.push_back(rj.reason);
      raws.push_back(rj.raw);
    }
    return SinkStatus::Continue;
  }
  std::vector<std::string> keys, reasons, raws;
  std::vector<uint64_t> reject_lines;
};

TEST(RealData, RepeatedKeysAreTheSameRejectsForAnyThreadCountAndCut) {
  auto c = card();
  // Several 1 MiB spans; keys repeat within a span, across spans and far apart; some rows
  // that repeat a key are bad besides (their cells are what is reported).
  std::string data = "id,contract,state,x\n";
  for (int i = 0; i < 120000; ++i) {
    const int k = i % 5 == 4 ? i / 3 : i;  // every fifth row reuses an earlier key
    data += "key" + std::to_string(k) + ",One year,\"" + (i % 11 ? "in" : "or") + "\"," +
            (i % 13 == 0 ? std::string("bad") : std::to_string(i % 100)) + "\n";
  }
  std::vector<KeySink> results(4);
  for (int run = 0; run < 4; ++run) {
    TempInput in(data);
    ReaderOptions ro;
    ro.chunk_bytes = 4096;
    auto reader = make_reader(DataFormat::Csv, in.get(), c->schema(), ro);
    ReaderSource source(*reader, /*split=*/run != 3);
    PipelineOptions po;
    po.threads = run == 0 ? 1 : run == 1 ? 2 : 4;
    Sink* sinks[] = {&results[static_cast<size_t>(run)]};
    const PipelineSummary s = run_pipeline(*c, source, sinks, po);
    ASSERT_EQ(s.error, "");
    EXPECT_EQ(s.read, 120000u);
    EXPECT_EQ(s.scored + s.rejected, 120000u);
    EXPECT_EQ(s.rejected, results[static_cast<size_t>(run)].reject_lines.size());
  }
  for (int run = 1; run < 4; ++run) {
    EXPECT_EQ(results[static_cast<size_t>(run)].keys, results[0].keys) << run;
    EXPECT_EQ(results[static_cast<size_t>(run)].reject_lines, results[0].reject_lines) << run;
    EXPECT_EQ(results[static_cast<size_t>(run)].reasons, results[0].reasons) << run;
    EXPECT_EQ(results[static_cast<size_t>(run)].raws, results[0].raws) << run;
  }
  // Rejects come in line order, each key once among the accepted rows.
  const KeySink& r = results[0];
  for (size_t i = 1; i < r.reject_lines.size(); ++i) EXPECT_LT(r.reject_lines[i - 1], r.reject_lines[i]);
  std::vector<std::string> sorted = r.keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
  ASSERT_GT(r.reasons.size(), 20000u);
  // Row 4 (line 6) reuses key1 (line 3).
  EXPECT_EQ(r.reject_lines[1], 6u);
  EXPECT_EQ(r.reasons[1], "duplicate key `key1`: first on line 3");
  EXPECT_EQ(r.raws[1], "key1,One year,\"in\",4");
}

}  // namespace
}  // namespace healthc::rt
