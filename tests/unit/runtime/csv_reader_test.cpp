// The CSV reader: RFC 4180 quoting, line endings, header mapping, rejects with their lines,
// and streaming with records cut across reads.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "reader_test_util.h"
#include "runtime/io/column_block.h"
#include "runtime/io/record_reader.h"

namespace healthc::rt {
namespace {

using test_util::account_schema;
using test_util::kMissing;
using test_util::read_all;
using test_util::ReadOptions;
using test_util::ReadResult;
using test_util::Row;

using test_util::kHeader;
using test_util::read_csv;

TEST(CsvReader, ReadsEveryTypeIntoColumns) {
  const ReadResult r = read_csv(kHeader +
                                "acc-1,enterprise,120,yes,2024-02-29,big\n"
                                "acc-2,smb,+1.5e1,FALSE,,\n");
  ASSERT_EQ(r.open_error, "");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0], (Row{"acc-1", "2", "120", "1", "19782", "big"}));
  EXPECT_EQ(r.rows[1], (Row{"acc-2", "0", "15", "0", kMissing, kMissing}));
  EXPECT_EQ(r.lines, (std::vector<uint64_t>{2, 3}));
  EXPECT_TRUE(r.rejects.empty());
  EXPECT_EQ(r.header, "id,tier,seats,active,renewal,note");
}

TEST(CsvReader, ColumnsAreFoundByNameInAnyOrder) {
  const ReadResult r = read_csv(
      "note,renewal,unused,seats,active,tier,id\n"
      "hi,2020-01-01,zzz,3,no,mid,acc-9\n");
  ASSERT_EQ(r.open_error, "");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0], (Row{"acc-9", "1", "3", "0", "18262", "hi"}));
}

TEST(CsvReader, HeaderNamesAreTrimmedAndMayBeQuoted) {
  const ReadResult r = read_csv("\"id\", tier ,seats,active,renewal,\"note\"\nacc-1,smb,1,,,\n");
  ASSERT_EQ(r.open_error, "");
  EXPECT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.header, "\"id\", tier ,seats,active,renewal,\"note\"");
}

TEST(CsvReader, QuotedCellsHoldCommasEscapedQuotesAndNewlines) {
  const ReadResult r = read_csv(kHeader +
                                "acc-1,smb,1,,,\"a, b\"\n"
                                "acc-2,smb,2,,,\"she said \"\"hi\"\"\"\n"
                                "acc-3,smb,3,,,\"two\nlines\"\n"
                                "\"acc-4\",\"mid\",\"4\",\"yes\",\"2021-05-06\",\"\"\n"
                                "acc-5,smb,5,,,\"\"\"\"\n");
  ASSERT_EQ(r.open_error, "");
  ASSERT_EQ(r.rows.size(), 5u);
  EXPECT_EQ(r.rows[0][5], "a, b");
  EXPECT_EQ(r.rows[1][5], "she said \"hi\"");
  EXPECT_EQ(r.rows[2][5], "two\nlines");
  EXPECT_EQ(r.rows[3], (Row{"acc-4", "1", "4", "1", "18753", kMissing}));
  EXPECT_EQ(r.rows[4][5], "\"");
  // The record after the embedded newline starts one line later than its ordinal says.
  EXPECT_EQ(r.lines, (std::vector<uint64_t>{2, 3, 4, 6, 7}));
}

TEST(CsvReader, EmbeddedNewlinesShiftTheLinesOfLaterRejects) {
  const ReadResult r = read_csv(kHeader +
                                "acc-1,smb,1,,,\"a\nb\nc\"\n"
                                "acc-2,smb,oops,,,\n"
                                "acc-3,smb,3,,,\"x\r\ny\"\r\n"
                                "acc-4,smb,oops,,,\n");
  ASSERT_EQ(r.rejects.size(), 2u);
  EXPECT_EQ(r.rejects[0].line, 5u);
  EXPECT_EQ(r.rejects[1].line, 8u);
  EXPECT_EQ(r.lines, (std::vector<uint64_t>{2, 6}));
  EXPECT_EQ(r.rows[1][5], "x\r\ny");
}

TEST(CsvReader, CrlfAndLfLineEndingsBothWork) {
  const ReadResult r = read_csv(
      "id,tier,seats,active,renewal,note\r\n"
      "acc-1,smb,1,,,a\r\n"
      "acc-2,smb,2,,,\"b\"\r\n"
      "acc-3,smb,3,,,c\n"
      "acc-4,smb,4,,,\r\n");
  ASSERT_EQ(r.open_error, "");
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0][5], "a");
  EXPECT_EQ(r.rows[1][5], "b");
  EXPECT_EQ(r.rows[2][5], "c");
  EXPECT_EQ(r.rows[3][5], kMissing);
  EXPECT_EQ(r.header, "id,tier,seats,active,renewal,note");
}

TEST(CsvReader, ByteOrderMarkIsSkipped) {
  const ReadResult r = read_csv("\xEF\xBB\xBF" + kHeader + "acc-1,smb,1,,,\n");
  ASSERT_EQ(r.open_error, "");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "acc-1");
  EXPECT_EQ(r.header, "id,tier,seats,active,renewal,note");
  // With one-byte reads the mark arrives in pieces.
  const ReadResult tiny =
      read_csv("\xEF\xBB\xBF" + kHeader + "acc-1,smb,1,,,\n", account_schema(), {1024, 1});
  ASSERT_EQ(tiny.open_error, "");
  EXPECT_EQ(tiny.rows, r.rows);
}

TEST(CsvReader, BlankLinesAreSkippedButStillCounted) {
  const ReadResult r = read_csv("\n" + kHeader +
                                "\n"
                                "acc-1,smb,1,,,\n"
                                "\r\n"
                                "\n"
                                "acc-2,smb,x,,,\n"
                                "acc-3,smb,3,,,\n"
                                "\n");
  ASSERT_EQ(r.open_error, "");
  EXPECT_EQ(r.lines, (std::vector<uint64_t>{4, 8}));
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].line, 7u);
}

TEST(CsvReader, LastLineWithoutNewlineIsARow) {
  ReadResult r = read_csv(kHeader + "acc-1,smb,1,,,\nacc-2,smb,2,,,last");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[1][5], "last");
  r = read_csv(kHeader + "acc-1,smb,1,,,\"quoted last\"");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][5], "quoted last");
  r = read_csv(kHeader + "acc-1,smb,1,,,");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][5], kMissing);
}

TEST(CsvReader, WrongCellCountIsRejectedWithTheRecordBytes) {
  const ReadResult r = read_csv(kHeader +
                                "acc-1,smb,1,,\n"
                                "acc-2,smb,2,,,,\r\n"
                                "acc-3,smb,3,,,\"a,\nb\",extra\n"
                                "acc-4,smb,4,,,\n");
  ASSERT_EQ(r.rejects.size(), 3u);
  EXPECT_EQ(r.rejects[0].reason, "expected 6 cells, found 5");
  EXPECT_EQ(r.rejects[0].raw, "acc-1,smb,1,,");
  EXPECT_EQ(r.rejects[0].line, 2u);
  EXPECT_EQ(r.rejects[1].reason, "expected 6 cells, found 7");
  EXPECT_EQ(r.rejects[1].raw, "acc-2,smb,2,,,,");
  EXPECT_EQ(r.rejects[2].reason, "expected 6 cells, found 7");
  EXPECT_EQ(r.rejects[2].raw, "acc-3,smb,3,,,\"a,\nb\",extra");
  EXPECT_EQ(r.rejects[2].line, 4u);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.lines[0], 6u);
}

TEST(CsvReader, BadCellsAreRejectedWithTheirReasons) {
  const ReadResult r = read_csv(kHeader +
                                "acc-1,gold,1,,,\n"
                                "acc-2,smb,12x,,,\n"
                                "acc-3,smb,,,,\n"
                                ",smb,4,,,\n"
                                "acc-5,smb,5,maybe,,\n"
                                "acc-6,smb,6,,2023-02-29,\n"
                                "acc-7,smb,NaN,,,\n"
                                "acc-8,smb,\"8\"\"\",,,\n"
                                "acc-9,smb,9,,,ok\n");
  ASSERT_EQ(r.rejects.size(), 8u);
  EXPECT_EQ(r.rejects[0].reason, "field `tier`: `gold` is not one of smb, mid, enterprise");
  EXPECT_EQ(r.rejects[1].reason, "field `seats`: `12x` is not a number");
  EXPECT_EQ(r.rejects[2].reason, "required field `seats` is empty");
  EXPECT_EQ(r.rejects[3].reason, "required field `id` is empty");
  EXPECT_EQ(r.rejects[4].reason, "field `active`: `maybe` is not a bool (true/false, yes/no, 1/0)");
  EXPECT_EQ(r.rejects[5].reason, "field `renewal`: `2023-02-29` is not a valid calendar date");
  EXPECT_EQ(r.rejects[6].reason, "field `seats`: `NaN` is not a number (pass --null NaN if it means missing)");
  // The reason quotes the cell's value (unescaped); the raw record keeps the file's bytes.
  EXPECT_EQ(r.rejects[7].reason, "field `seats`: `8\"` is not a number");
  EXPECT_EQ(r.rejects[7].raw, "acc-8,smb,\"8\"\"\",,,");
  for (size_t i = 0; i < r.rejects.size(); ++i) EXPECT_EQ(r.rejects[i].line, i + 2);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "acc-9");
}

TEST(CsvReader, SpacesAroundNonTextCellsAreTrimmedButTextIsKept) {
  const ReadResult r = read_csv(kHeader + " acc-1 , mid , 7 , yes , 2024-01-01 , x \n");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0], (Row{" acc-1 ", "1", "7", "1", "19723", " x "}));
}

TEST(CsvReader, UnterminatedQuoteRejectsOnlyItsLineAndReadingResumesAfterIt) {
  const ReadResult r = read_csv(kHeader +
                                "acc-1,smb,1,,,\n"
                                "acc-2,smb,2,,,\"never closed\nacc-3,smb,3,,,\n");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[1][0], "acc-3");
  EXPECT_EQ(r.lines, (std::vector<uint64_t>{2, 4}));
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].line, 3u);
  EXPECT_EQ(r.rejects[0].reason, "cell 6 opens a quote that is never closed");
  EXPECT_EQ(r.rejects[0].raw, "acc-2,smb,2,,,\"never closed");
}

TEST(CsvReader, TextAfterAClosingQuoteIsRejected) {
  const ReadResult r = read_csv(kHeader +
                                "acc-1,smb,1,,,\"a\"b\n"
                                "acc-2,smb,2,,,ok\n");
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].reason, "cell 6 has text after its closing quote");
  EXPECT_EQ(r.rejects[0].raw, "acc-1,smb,1,,,\"a\"b");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][5], "ok");
}

TEST(CsvReader, AQuoteInsideAnUnquotedCellIsLiteral) {
  const ReadResult r = read_csv(kHeader + "acc-1,smb,1,,,5\" screen\n");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][5], "5\" screen");
}

TEST(CsvReader, AHeaderWithoutADeclaredFieldIsAnOpenError) {
  ReadResult r = read_csv("id,tier,seats,active,note\nacc-1,smb,1,,\n");
  EXPECT_EQ(r.open_error, "the header has no column for field `renewal`");
  EXPECT_TRUE(r.rows.empty());
  r = read_csv("id,seats,active,note\n");
  EXPECT_EQ(r.open_error, "the header has no columns for fields `tier`, `renewal`");
}

TEST(CsvReader, ADuplicatedHeaderNameIsAnOpenError) {
  const ReadResult r = read_csv("id,tier,seats,active,renewal,note,seats\n");
  EXPECT_EQ(r.open_error, "column `seats` appears more than once in the header");
}

TEST(CsvReader, EmptyInputIsAnOpenErrorAndAHeaderAloneHasNoRows) {
  EXPECT_EQ(read_csv("").open_error, "the input is empty: expected a header row naming the fields");
  EXPECT_EQ(read_csv("\n\r\n").open_error,
            "the input is empty: expected a header row naming the fields");
  const ReadResult r = read_csv(kHeader);
  EXPECT_EQ(r.open_error, "");
  EXPECT_TRUE(r.rows.empty());
  EXPECT_EQ(r.calls_returning_true, 0u);
}

TEST(CsvReader, AnUnclosedQuoteInTheHeaderIsAnOpenError) {
  EXPECT_EQ(read_csv("id,\"tier\n").open_error,
            "the header row has a quoted name that is never closed");
}

TEST(CsvReader, ExtraColumnsAreIgnoredUnlessAskedFor) {
  Schema schema = account_schema();
  schema.extra_columns = {"expect_score", "churned", "not_there"};
  const ReadResult r = read_csv(
      "id,tier,ignored,seats,active,renewal,note,churned,expect_score\n"
      "acc-1,smb,zzz,1,,,,yes,\"7,5\"\n"
      "acc-2,smb,zzz,2,,,,,\n",
      schema);
  ASSERT_EQ(r.open_error, "");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.extra_present, (std::vector<bool>{true, true, false}));
  EXPECT_EQ(r.extras[0], (Row{"7,5", "yes", ""}));
  EXPECT_EQ(r.extras[1], (Row{"", "", ""}));
}

TEST(CsvReader, NextBeforeOpenOrAfterAFailedOpenReadsNothing) {
  test_util::TempInput file(kHeader + "acc-1,smb,1,,,\n");
  auto reader = make_reader(DataFormat::Csv, file.get(), account_schema());
  ColumnBlock block;
  std::vector<Reject> rejects;
  EXPECT_FALSE(reader->next(block, rejects, 10));

  test_util::TempInput bad("id\nacc-1\n");
  auto failed = make_reader(DataFormat::Csv, bad.get(), account_schema());
  EXPECT_NE(failed->open(), "");
  EXPECT_FALSE(failed->next(block, rejects, 10));
  EXPECT_TRUE(rejects.empty());
}

TEST(CsvReader, BytesReadCoversTheWholeInput) {
  const std::string input = kHeader + "acc-1,smb,1,,,\nacc-2,smb,2,,,\n";
  EXPECT_EQ(read_csv(input).bytes_read, input.size());
  EXPECT_EQ(read_csv(input, account_schema(), {1, 3}).bytes_read, input.size());
}

TEST(CsvReader, TextStaysValidWhenABlockOutgrowsOneArenaChunk) {
  std::string input = kHeader;
  std::vector<std::string> notes;
  for (int i = 0; i < 3000; ++i) {
    notes.push_back(
        std::string(static_cast<size_t>(50 + i % 200), static_cast<char>('a' + i % 26)));
    input += "acc-" + std::to_string(i) + ",smb,1,,," + notes.back() + "\n";
  }
  const ReadResult r = read_csv(input, account_schema(), {100000, size_t{1} << 20});
  ASSERT_EQ(r.rows.size(), notes.size());
  EXPECT_EQ(r.calls_returning_true, 1u);
  for (size_t i = 0; i < notes.size(); ++i) ASSERT_EQ(r.rows[i][5], notes[i]) << i;
}

// A deterministic mix of every record shape the reader must handle, with the rows and
// rejects it must produce.
struct Generated {
  std::string input;
  std::vector<Row> rows;
  std::vector<uint64_t> lines;
  std::vector<uint64_t> reject_lines;
  std::vector<std::string> reject_raw;
  size_t records = 0;
};

Generated generate(size_t n) {
  Generated g;
  uint64_t state = 12345;
  auto rnd = [&](uint64_t mod) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % mod;
  };
  const char* tiers[] = {"smb", "mid", "enterprise"};
  g.input =
      "\xEF\xBB\xBF"
      "id,tier,seats,active,renewal,note\r\n";
  uint64_t line = 2;
  for (size_t i = 0; i < n; ++i) {
    if (rnd(10) == 0) {  // blank line
      g.input += rnd(2) ? "\n" : "\r\n";
      ++line;
      continue;
    }
    const std::string id = "acc-" + std::to_string(i);
    const uint64_t tier = rnd(3);
    const uint64_t seats = rnd(100000);
    std::string note_cell, note_value;
    uint64_t note_lines = 0;
    switch (rnd(6)) {
      case 0:
        note_cell = note_value = "";
        break;
      case 1:
        note_cell = note_value = "plain note " + std::to_string(i);
        break;
      case 2:
        note_value = "with, comma";
        note_cell = "\"with, comma\"";
        break;
      case 3:
        note_value = "say \"hi\"";
        note_cell = "\"say \"\"hi\"\"\"";
        break;
      case 4:
        note_value = "multi\nline\nnote";
        note_cell = "\"multi\nline\nnote\"";
        note_lines = 2;
        break;
      default:
        note_value = std::string(rnd(300), 'z');
        note_cell = "\"" + note_value + "\"";
        break;
    }
    const uint64_t shape = rnd(20);
    std::string record;
    const bool bad_number = shape == 0, short_row = shape == 1;
    record = (rnd(4) == 0 ? "\"" + id + "\"" : id) + "," + tiers[tier] + "," +
             (bad_number ? std::string("12x") : std::to_string(seats)) + ",yes,2024-02-29";
    if (short_row) {
      note_lines = 0;
    } else {
      record += "," + note_cell;
    }
    g.input += record;
    g.input += rnd(2) ? "\r\n" : "\n";
    ++g.records;
    if (bad_number || short_row) {
      g.reject_lines.push_back(line);
      g.reject_raw.push_back(record);
    } else {
      g.rows.push_back(Row{id, std::to_string(tier), std::to_string(seats), "1", "19782",
                           note_value.empty() ? kMissing : note_value});
      g.lines.push_back(line);
    }
    line += 1 + note_lines;
  }
  return g;
}

TEST(CsvReader, StreamingAcrossTinyReadsAndSmallBlocksGivesTheSameRows) {
  const Generated g = generate(400);
  ASSERT_GT(g.reject_lines.size(), 5u);
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, size_t{1} << 20}) {
    for (size_t max_rows : {size_t{1}, size_t{3}, size_t{50}, size_t{100000}}) {
      SCOPED_TRACE("chunk " + std::to_string(chunk) + ", max_rows " + std::to_string(max_rows));
      const ReadResult r = read_csv(g.input, account_schema(), {max_rows, chunk});
      ASSERT_EQ(r.open_error, "");
      EXPECT_EQ(r.rows, g.rows);
      EXPECT_EQ(r.lines, g.lines);
      ASSERT_EQ(r.rejects.size(), g.reject_lines.size());
      for (size_t i = 0; i < r.rejects.size(); ++i) {
        EXPECT_EQ(r.rejects[i].line, g.reject_lines[i]);
        EXPECT_EQ(r.rejects[i].raw, g.reject_raw[i]);
      }
      // Rows read = accepted + rejected, and every call reads at most max_rows records.
      EXPECT_EQ(r.rows.size() + r.rejects.size(), g.records);
      EXPECT_GE(r.calls_returning_true, (g.records + max_rows - 1) / max_rows);
      EXPECT_EQ(r.bytes_read, g.input.size());
    }
  }
}

TEST(CsvReader, CellsAfterAQuotedNewlineSurviveEveryReadBoundary) {
  // The quoted cell comes first, so the read can stop inside the plain cells after its
  // newline: the scanner must wait for them, not take a cut record as whole.
  const std::string input =
      "note,id,tier,seats,active,renewal\n"
      "\"first\nsecond\",acc-1,enterprise,123456,yes,2024-02-29\n"
      "\"a\r\nb\"\"c\",acc-2,mid,7,no,2000-02-29\r\n"
      "\"x\ny\",acc-3,smb,12x,,\n"
      "plain,acc-4,smb,8,,\n";
  for (size_t chunk = 1; chunk <= input.size(); ++chunk) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    const ReadResult r = read_csv(input, account_schema(), {2, chunk});
    ASSERT_EQ(r.rows.size(), 3u);
    EXPECT_EQ(r.rows[0], (Row{"acc-1", "2", "123456", "1", "19782", "first\nsecond"}));
    EXPECT_EQ(r.rows[1], (Row{"acc-2", "1", "7", "0", "11016", "a\r\nb\"c"}));
    EXPECT_EQ(r.rows[2], (Row{"acc-4", "0", "8", kMissing, kMissing, "plain"}));
    EXPECT_EQ(r.lines, (std::vector<uint64_t>{2, 4, 8}));
    ASSERT_EQ(r.rejects.size(), 1u);
    EXPECT_EQ(r.rejects[0].line, 6u);
    EXPECT_EQ(r.rejects[0].raw, "\"x\ny\",acc-3,smb,12x,,");
  }
}

TEST(CsvReader, ABlockIsReusableAcrossCalls) {
  test_util::TempInput file(kHeader + "a,smb,1,,,x\nb,mid,2,,,y\nc,enterprise,3,,,z\n");
  auto reader = make_reader(DataFormat::Csv, file.get(), account_schema());
  ASSERT_EQ(reader->open(), "");
  ColumnBlock block;
  std::vector<Reject> rejects;
  ASSERT_TRUE(reader->next(block, rejects, 2));
  EXPECT_EQ(block.rows, 2u);
  EXPECT_EQ(block.first_row_index, 0u);
  EXPECT_EQ(block.text[5][1].view(), "y");
  ASSERT_TRUE(reader->next(block, rejects, 2));
  EXPECT_EQ(block.rows, 1u);
  EXPECT_EQ(block.first_row_index, 2u);
  EXPECT_EQ(block.num[1][0], 2.0);
  EXPECT_EQ(block.text[5][0].view(), "z");
  EXPECT_EQ(block.line[0], 4u);
  EXPECT_FALSE(reader->next(block, rejects, 2));
  EXPECT_EQ(block.rows, 0u);
  EXPECT_FALSE(reader->next(block, rejects, 2));
  EXPECT_EQ(reader->input_error(), "");
}

}  // namespace
}  // namespace healthc::rt
