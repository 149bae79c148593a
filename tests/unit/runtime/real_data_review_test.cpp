// Real-world data, the review's findings (issue 16 item 1): JSON Lines with --null and an absent
// field, unspelled members trimmed beside spelled ones, a header read with the wrong layout
// saying which option fixes it, and a cell that looks missing saying how to make it so.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compiler/api/compile.h"
#include "runtime/io/cell_parse.h"
#include "runtime/io/record_reader.h"
#include "tests/unit/runtime/reader_test_util.h"

namespace healthc::rt {
namespace {

using test_util::TempInput;

constexpr const char* kCard = R"(scorecard "T"
fields {
  id    : text key
  state : enum(ny, in, or, dc = "D.C.")
  x     : number optional
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
  std::string open_error;
  std::vector<std::string> keys;
  std::vector<double> state;
  std::vector<uint8_t> x_valid;
  std::vector<std::string> reasons;
};

Rows read(const std::string& bytes, const DataReading& how, const std::string& path) {
  TempInput in(bytes);
  auto reader = open_data_reader(how, path, in.get(), card()->schema());
  Rows out;
  out.open_error = reader->open();
  if (!out.open_error.empty()) return out;
  ColumnBlock b;
  std::vector<Reject> rejects;
  while (reader->next(b, rejects, 4)) {
    for (size_t r = 0; r < b.rows; ++r) {
      out.keys.emplace_back(b.text[0][r].view());
      out.state.push_back(b.num[1][r]);
      out.x_valid.push_back(b.valid[2][r]);
    }
  }
  for (const Reject& r : rejects) out.reasons.push_back(r.reason);
  return out;
}

TEST(RealDataReview, JsonLinesWithNullCellsReadsARowWithoutAnOptionalField) {
  DataReading how;
  how.format = DataFormat::JsonLines;
  how.null_cells = {"NA"};
  // `x` is absent from the first row: its element is empty and must not be looked at.
  const Rows r = read("{\"id\": \"a\", \"state\": \"in\"}\n{\"id\": \"b\", \"state\": \"ny\", \"x\": \"NA\"}\n"
                      "{\"state\": \"ny\"}\n",
                      how, "d.jsonl");
  EXPECT_EQ(r.keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.x_valid, (std::vector<uint8_t>{0, 0}));
  EXPECT_EQ(r.reasons, std::vector<std::string>{"required field `id` is absent"});
}

TEST(RealDataReview, UnspelledMembersAreTrimmedBesideSpelledOnes) {
  const Rows r = read("id,state,x\na, ny,1\nb,D.C.,2\nc, D.C.,3\nd,in ,4\n", {}, "d.csv");
  EXPECT_EQ(r.keys, (std::vector<std::string>{"a", "b", "d"}));
  EXPECT_EQ(r.state, (std::vector<double>{0, 3, 1}));
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0], "field `state`: ` D.C.` is not one of \"ny\", \"in\", \"or\", \"D.C.\"");
}

TEST(RealDataReview, AHeaderReadWithTheWrongLayoutNamesTheOptionThatFixesIt) {
  const Rows tsv = read("id\tstate\tx\na\tny\t1\n", {}, "d.txt");
  EXPECT_EQ(tsv.open_error,
            "the header looks tab-separated: pass --delimiter tab (the header has no columns for fields `id`, "
            "`state`, `x`)");
  const Rows tsv_stdin = read("id\tstate\tx\na\tny\t1\n", {}, "-");
  EXPECT_EQ(tsv_stdin.open_error, tsv.open_error);
  DataReading csv;
  csv.format = DataFormat::Csv;
  // Compact JSON has quoted cells with text after them; spaced JSON merely lacks the columns.
  const Rows jsonl = read("{\"id\":\"a\",\"state\":\"ny\"}\n", csv, "d.txt");
  EXPECT_EQ(jsonl.open_error,
            "the input looks like JSON Lines: pass --input-format jsonl (its first line is not a CSV header)");
  const Rows spaced = read("{\"id\": \"a\", \"state\": \"ny\"}\n", csv, "d.txt");
  EXPECT_EQ(spaced.open_error.rfind("the input looks like JSON Lines: pass --input-format jsonl (the header has no ", 0),
            0u)
      << spaced.open_error;
  // A header that is only short of a column says just that.
  EXPECT_EQ(read("id,state\na,ny\n", {}, "d.csv").open_error, "the header has no column for field `x`");
}

TEST(RealDataReview, ACellThatLooksMissingSaysHowToMakeItSo) {
  const Rows r = read("id,state,x\na,ny,NA\nb,ny,n/a\nc,ny, null \nd,-,1\ne,ny,NAB\n", {}, "d.csv");
  EXPECT_EQ(r.reasons, (std::vector<std::string>{
                           "field `x`: `NA` is not a number (pass --null NA if it means missing)",
                           "field `x`: `n/a` is not a number (pass --null n/a if it means missing)",
                           "field `x`: `null` is not a number (pass --null null if it means missing)",
                           "field `state`: `-` is not one of \"ny\", \"in\", \"or\", \"D.C.\" (pass --null - if it "
                           "means missing)",
                           "field `x`: `NAB` is not a number",
                       }));
  DataReading how;
  how.null_cells = {"NA"};
  EXPECT_EQ(read("id,state,x\na,ny,NA\n", how, "d.csv").keys, std::vector<std::string>{"a"});
}

TEST(RealDataReview, ExtensionsAreReadOneWay) {
  EXPECT_EQ(format_from_path("dir.jsonl/a"), DataFormat::Csv);
  EXPECT_EQ(delimiter_from_path("dir.tsv/a"), ',');
  EXPECT_EQ(format_from_path("a.NDJSON"), DataFormat::JsonLines);
  EXPECT_EQ(delimiter_from_path("a.Tab"), '\t');
  EXPECT_EQ(delimiter_from_path("a."), ',');
}

}  // namespace
}  // namespace healthc::rt
