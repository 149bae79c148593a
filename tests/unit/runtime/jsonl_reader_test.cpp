// The JSON Lines reader: one object a line, keys naming fields, the same cell grammar as CSV,
// and rejects that carry the parser's message.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "reader_test_util.h"
#include "runtime/io/record_reader.h"

namespace healthc::rt {
namespace {

using test_util::account_schema;
using test_util::kMissing;
using test_util::read_all;
using test_util::ReadOptions;
using test_util::ReadResult;
using test_util::Row;

ReadResult read_jsonl(std::string_view input, const Schema& schema = account_schema(),
                      ReadOptions opts = {}) {
  return read_all(DataFormat::JsonLines, input, schema, opts);
}

TEST(JsonLinesReader, ReadsEveryTypeIntoColumns) {
  const ReadResult r = read_jsonl(
      R"({"id":"acc-1","tier":"enterprise","seats":120,"active":true,"renewal":"2024-02-29","note":"big"})"
      "\n"
      R"({"seats":1.5e1,"tier":"smb","id":"acc-2","active":false,"renewal":null})"
      "\n");
  ASSERT_EQ(r.open_error, "");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0], (Row{"acc-1", "2", "120", "1", "19782", "big"}));
  EXPECT_EQ(r.rows[1], (Row{"acc-2", "0", "15", "0", kMissing, kMissing}));
  EXPECT_EQ(r.lines, (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(r.rejects.empty());
}

TEST(JsonLinesReader, StringsGoThroughTheCellGrammar) {
  const ReadResult r = read_jsonl(
      R"({"id":"a","tier":" mid ","seats":" +7e1 ","active":"YES","renewal":"2000-02-29","note":" x "})"
      "\n"
      R"({"id":"b","tier":"smb","seats":"3","active":"0","renewal":"","note":""})"
      "\n"
      R"({"id":"c","tier":"smb","seats":3,"active":1})"
      "\n");
  ASSERT_EQ(r.rows.size(), 3u) << (r.rejects.empty() ? "" : r.rejects[0].reason);
  EXPECT_EQ(r.rows[0], (Row{"a", "1", "70", "1", "11016", " x "}));
  EXPECT_EQ(r.rows[1], (Row{"b", "0", "3", "0", kMissing, kMissing}));
  EXPECT_EQ(r.rows[2], (Row{"c", "0", "3", "1", kMissing, kMissing}));
}

TEST(JsonLinesReader, AbsentOrNullRequiredFieldsAreRejected) {
  const ReadResult r = read_jsonl(R"({"id":"a","tier":"smb"})"
                                  "\n"
                                  R"({"id":"b","tier":"smb","seats":null})"
                                  "\n"
                                  R"({"id":"","tier":"smb","seats":1})"
                                  "\n"
                                  R"({"id":"d","tier":"smb","seats":""})"
                                  "\n");
  ASSERT_EQ(r.rejects.size(), 4u);
  EXPECT_EQ(r.rejects[0].reason, "required field `seats` is absent");
  EXPECT_EQ(r.rejects[1].reason, "required field `seats` is null");
  EXPECT_EQ(r.rejects[2].reason, "required field `id` is empty");
  EXPECT_EQ(r.rejects[3].reason, "required field `seats` is empty");
  EXPECT_TRUE(r.rows.empty());
}

TEST(JsonLinesReader, WrongTypesAreRejectedInTheFieldsOwnWords) {
  const ReadResult r = read_jsonl(R"({"id":"a","tier":"gold","seats":1})"
                                  "\n"
                                  R"({"id":"b","tier":"smb","seats":"12x"})"
                                  "\n"
                                  R"({"id":"c","tier":"smb","seats":true})"
                                  "\n"
                                  R"({"id":"d","tier":"smb","seats":1,"active":"maybe"})"
                                  "\n"
                                  R"({"id":"e","tier":"smb","seats":1,"renewal":20240101})"
                                  "\n"
                                  R"({"id":7,"tier":"smb","seats":1})"
                                  "\n"
                                  R"({"id":"g","tier":"smb","seats":1e400})"
                                  "\n"
                                  R"({"id":"h","tier":"smb","seats":"NaN"})"
                                  "\n"
                                  R"({"id":"i","tier":"smb","seats":[1]})"
                                  "\n");
  ASSERT_EQ(r.rejects.size(), 9u);
  EXPECT_EQ(r.rejects[0].reason, "field `tier`: `gold` is not one of smb, mid, enterprise");
  EXPECT_EQ(r.rejects[1].reason, "field `seats`: `12x` is not a number");
  EXPECT_EQ(r.rejects[2].reason, "field `seats`: `true` is not a number");
  EXPECT_EQ(r.rejects[3].reason, "field `active`: `maybe` is not a bool (true/false, yes/no, 1/0)");
  EXPECT_EQ(r.rejects[4].reason, "field `renewal`: `20240101` is not a date (expected YYYY-MM-DD)");
  EXPECT_EQ(r.rejects[5].reason, "field `id`: `7` is not a string");
  // nlohmann refuses an overflowing literal while parsing, so the line is malformed JSON.
  EXPECT_EQ(r.rejects[6].reason, "malformed json: number overflow parsing '1e400'");
  EXPECT_EQ(r.rejects[7].reason, "field `seats`: `NaN` is not a number (pass --null NaN if it means missing)");
  // Arrays and objects are never printed: however deep, they only make a runaway message.
  EXPECT_EQ(r.rejects[8].reason, "field `seats`: `[...]` is not a number");
  for (size_t i = 0; i < r.rejects.size(); ++i) EXPECT_EQ(r.rejects[i].line, i + 1);
}

TEST(JsonLinesReader, MalformedLinesAreRejectedWithTheParsersMessage) {
  const ReadResult r = read_jsonl(R"({"id":"a","tier":"smb","seats":1)"
                                  "\n"
                                  R"({"id":"b","tier":"smb","seats":1})"
                                  "\r\n"
                                  "[1,2]\n"
                                  "{\"id\": x}\n");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.lines[0], 2u);
  ASSERT_EQ(r.rejects.size(), 3u);
  EXPECT_EQ(r.rejects[0].line, 1u);
  EXPECT_EQ(r.rejects[0].raw, R"({"id":"a","tier":"smb","seats":1)");
  EXPECT_EQ(r.rejects[0].reason.rfind("malformed json: parse error at column ", 0), 0u)
      << r.rejects[0].reason;
  EXPECT_NE(r.rejects[0].reason.find("unexpected end of input"), std::string::npos)
      << r.rejects[0].reason;
  EXPECT_EQ(r.rejects[1].reason, "expected a json object, found array");
  EXPECT_EQ(r.rejects[2].raw, "{\"id\": x}");
  EXPECT_NE(r.rejects[2].reason.find("invalid literal"), std::string::npos) << r.rejects[2].reason;
}

TEST(JsonLinesReader, BlankLinesAreSkippedButCountedAndTheLastLineNeedsNoNewline) {
  const ReadResult r = read_jsonl(
      "\n"
      R"({"id":"a","tier":"smb","seats":1})"
      "\r\n"
      "   \n"
      "\r\n"
      R"({"id":"b","tier":"smb","seats":2})");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.lines, (std::vector<uint64_t>{2, 5}));
  EXPECT_TRUE(r.rejects.empty());
}

TEST(JsonLinesReader, ByteOrderMarkOnTheFirstLineIsAccepted) {
  const ReadResult r = read_jsonl(
      "\xEF\xBB\xBF"
      R"({"id":"a","tier":"smb","seats":1})"
      "\n");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "a");
}

TEST(JsonLinesReader, KeysThatAreNotFieldsAreIgnoredUnlessExtra) {
  Schema schema = account_schema();
  schema.extra_columns = {"churned", "expect_score", "absent"};
  const ReadResult r = read_jsonl(
      R"({"id":"a","tier":"smb","seats":1,"other":{"x":1},"churned":"yes","expect_score":72.5})"
      "\n"
      R"({"id":"b","tier":"smb","seats":1,"churned":null})"
      "\n",
      schema);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.extras[0], (Row{"yes", "72.5", ""}));
  EXPECT_EQ(r.extras[1], (Row{"", "", ""}));
  EXPECT_EQ(r.extra_present, (std::vector<bool>{true, true, false}));
}

TEST(JsonLinesReader, EscapedAndUnicodeTextIsDecoded) {
  const ReadResult r =
      read_jsonl(R"({"id":"a\"b","tier":"smb","seats":1,"note":"line\nbreak \u00e9"})"
                 "\n");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "a\"b");
  EXPECT_EQ(r.rows[0][5], "line\nbreak \xC3\xA9");
}

TEST(JsonLinesReader, EmptyInputOpensAndReadsNothing) {
  const ReadResult r = read_jsonl("");
  EXPECT_EQ(r.open_error, "");
  EXPECT_TRUE(r.rows.empty());
  EXPECT_EQ(r.calls_returning_true, 0u);
}

TEST(JsonLinesReader, StreamingAcrossTinyReadsAndSmallBlocksGivesTheSameRows) {
  std::string input;
  std::vector<Row> rows;
  std::vector<uint64_t> lines, reject_lines;
  uint64_t line = 1;
  size_t records = 0;
  for (int i = 0; i < 300; ++i) {
    if (i % 11 == 0) {
      input += "\n";
      ++line;
      continue;
    }
    const std::string id = "acc-" + std::to_string(i);
    const std::string note(static_cast<size_t>(i % 97), 'n');
    ++records;
    if (i % 13 == 0) {
      input += R"({"id":")" + id + R"(","tier":"smb","seats":"bad"})";
      reject_lines.push_back(line);
    } else if (i % 17 == 0) {
      input += R"({"id":")" + id + R"(", broken)";
      reject_lines.push_back(line);
    } else {
      input += R"({"id":")" + id + R"(","tier":"mid","seats":)" + std::to_string(i) +
               R"(,"note":")" + note + R"("})";
      rows.push_back(
          Row{id, "1", std::to_string(i), kMissing, kMissing, note.empty() ? kMissing : note});
      lines.push_back(line);
    }
    input += (i % 2) ? "\r\n" : "\n";
    ++line;
  }
  for (size_t chunk : {size_t{1}, size_t{5}, size_t{64}, size_t{1} << 20}) {
    for (size_t max_rows : {size_t{1}, size_t{7}, size_t{100000}}) {
      SCOPED_TRACE("chunk " + std::to_string(chunk) + ", max_rows " + std::to_string(max_rows));
      const ReadResult r = read_jsonl(input, account_schema(), {max_rows, chunk});
      EXPECT_EQ(r.rows, rows);
      EXPECT_EQ(r.lines, lines);
      ASSERT_EQ(r.rejects.size(), reject_lines.size());
      for (size_t i = 0; i < reject_lines.size(); ++i) {
        EXPECT_EQ(r.rejects[i].line, reject_lines[i]);
      }
      EXPECT_EQ(r.rows.size() + r.rejects.size(), records);
      EXPECT_EQ(r.bytes_read, input.size());
    }
  }
}

std::string nested(char open, char close, size_t depth, std::string_view inner = "1") {
  return std::string(depth, open) + std::string(inner) + std::string(depth, close);
}

TEST(JsonLinesReader, ValuesNestedAHundredThousandDeepAreRejectedRowsNotACrash) {
  // A number field, a text field and an extra column given arrays (or objects) nested
  // 100,000 deep: each a rejected row in the field's own words; an ignored key may hold one.
  Schema schema = account_schema();
  schema.extra_columns = {"churned"};
  const std::string deep = nested('[', ']', 100000);
  std::string deep_object;
  for (int i = 0; i < 100000; ++i) deep_object += R"({"a":)";
  deep_object += "1" + std::string(100000, '}');
  const std::string input = R"({"id":"a","tier":"smb","seats":)" + deep + "}\n" +
                            R"({"id":)" + deep_object + R"(,"tier":"smb","seats":1})" + "\n" +
                            R"({"id":"c","tier":"smb","seats":1,"churned":)" + deep + "}\n" +
                            R"({"id":"d","tier":"smb","seats":1,"renewal":{}})" + "\n" +
                            R"({"id":"e","tier":"smb","seats":2,"other":)" + deep + "}\n";
  for (size_t chunk : {size_t{4096}, size_t{1} << 20}) {
    const ReadResult r = read_jsonl(input, schema, {1024, chunk});
    ASSERT_EQ(r.rejects.size(), 4u);
    EXPECT_EQ(r.rejects[0].reason, "field `seats`: `[...]` is not a number");
    EXPECT_EQ(r.rejects[1].reason, "field `id`: `{...}` is not a string");
    EXPECT_EQ(r.rejects[2].reason, "column `churned`: `[...]` is not a string, number or bool");
    EXPECT_EQ(r.rejects[3].reason, "field `renewal`: `{...}` is not a date (expected YYYY-MM-DD)");
    for (size_t i = 0; i < r.rejects.size(); ++i) EXPECT_EQ(r.rejects[i].line, i + 1);
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0], "e");
    EXPECT_EQ(r.lines[0], 5u);
  }
}

TEST(JsonLinesReader, AnUnclosedDeepArrayIsAMalformedLine) {
  const ReadResult r = read_jsonl(R"({"id":"a","tier":"smb","seats":)" + std::string(100000, '[') +
                                  "\n" + R"({"id":"b","tier":"smb","seats":1})" + "\n");
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].reason.rfind("malformed json: ", 0), 0u) << r.rejects[0].reason;
  ASSERT_EQ(r.rows.size(), 1u);
}

TEST(JsonLinesReader, ADuplicatedKeyIsARejectedRowNamingTheKey) {
  Schema schema = account_schema();
  schema.extra_columns = {"churned"};
  const ReadResult r = read_jsonl(R"({"id":"a","tier":"smb","seats":1,"seats":2})"
                                  "\n"
                                  R"({"id":"b","tier":"smb","seats":1,"churned":0,"churned":1})"
                                  "\n"
                                  R"({"id":"c","x":1,"tier":"smb","x":2,"seats":1})"
                                  "\n"
                                  R"({"id":"d","tier":"smb","seats":1,"note":null,"note":"n"})"
                                  "\n"
                                  R"({"id":"e","tier":"smb","seats":1,"other":{"x":1,"x":2}})"
                                  "\n"
                                  R"({"id":"f","tier":"smb","seats":1,"se\u0061ts":1})"
                                  "\n",
                                  schema);
  ASSERT_EQ(r.rejects.size(), 5u);
  EXPECT_EQ(r.rejects[0].reason, "key `seats` appears more than once");
  EXPECT_EQ(r.rejects[1].reason, "key `churned` appears more than once");
  EXPECT_EQ(r.rejects[2].reason, "key `x` appears more than once");
  EXPECT_EQ(r.rejects[3].reason, "key `note` appears more than once");
  EXPECT_EQ(r.rejects[4].reason, "key `seats` appears more than once");  // the same key, escaped
  EXPECT_EQ(r.rejects[4].line, 6u);
  // Keys inside a value that no field reads are that value's business.
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "e");
}

TEST(JsonLinesReader, TextThatIsNotUtf8IsARejectedRow) {
  const ReadResult r = read_jsonl("{\"id\":\"acc-\xFF\",\"tier\":\"smb\",\"seats\":1}\n"
                                  R"({"id":"a\udc00","tier":"smb","seats":1})"
                                  "\n"
                                  "{\"id\":\"caf\xC3\xA9 \\u00e9 \\ud83d\\ude00\",\"tier\":\"smb\",\"seats\":1}\n");
  ASSERT_EQ(r.rejects.size(), 2u);
  EXPECT_EQ(r.rejects[0].line, 1u);
  EXPECT_EQ(r.rejects[0].reason, "the line is not valid UTF-8 at column 12");
  // A lone surrogate escape would decode to bytes that are not UTF-8 either.
  EXPECT_EQ(r.rejects[1].line, 2u);
  EXPECT_EQ(r.rejects[1].reason.rfind("malformed json: ", 0), 0u) << r.rejects[1].reason;
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "caf\xC3\xA9 \xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(JsonLinesReader, NumbersKeepTheirValueAndExtrasTheirShortestText) {
  Schema schema = account_schema();
  schema.extra_columns = {"expect_score", "churned"};
  const ReadResult r = read_jsonl(
      R"({"id":"a","tier":"smb","seats":18446744073709551615,"expect_score":1e2,"churned":true})"
      "\n"
      R"({"id":"b","tier":"smb","seats":-0.5,"expect_score":-9223372036854775808,"churned":1})"
      "\n"
      R"({"id":"c","tier":"smb","seats":123456789012345678901234567890})"
      "\n",
      schema);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0][2], "18446744073709551616");  // 2^64 - 1 as the nearest double
  EXPECT_EQ(r.extras[0], (Row{"100", "true"}));
  EXPECT_EQ(r.rows[1][2], "-0.5");
  EXPECT_EQ(r.extras[1], (Row{"-9223372036854775808", "1"}));
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].reason,
            "malformed json: a number is out of range (integers are limited to 64 bits)");
}

}  // namespace
}  // namespace healthc::rt
