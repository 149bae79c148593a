// The CSV reader on damaged input: a quote left open loses only its own record, headers with
// unnamed columns read, and text that is not UTF-8 is a rejected row, not output.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "reader_test_util.h"
#include "runtime/io/csv_scan.h"
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

std::string row(int i) { return "acc-" + std::to_string(i) + ",smb," + std::to_string(i) + ",,,\n"; }

TEST(CsvRecovery, AnOpenQuoteInRowTwoOfTwoHundredLosesOnlyRowTwo) {
  // The reproducer: the other 199 rows were one broken record ("2 rows read").
  std::string input = kHeader;
  for (int i = 1; i <= 200; ++i) input += i == 2 ? "acc-2,smb,2,,,\"green,\n" : row(i);
  for (size_t chunk : {size_t{3}, size_t{64}, size_t{1} << 20}) {
    for (size_t max_rows : {size_t{1}, size_t{7}, size_t{1024}}) {
      SCOPED_TRACE("chunk " + std::to_string(chunk) + ", max_rows " + std::to_string(max_rows));
      const ReadResult r = read_csv(input, account_schema(), {max_rows, chunk});
      ASSERT_EQ(r.rows.size(), 199u);
      EXPECT_EQ(r.rows[1][0], "acc-3");
      EXPECT_EQ(r.lines[1], 4u);
      EXPECT_EQ(r.lines.back(), 201u);
      ASSERT_EQ(r.rejects.size(), 1u);
      EXPECT_EQ(r.rejects[0].line, 3u);
      EXPECT_EQ(r.rejects[0].reason, "cell 6 opens a quote that is never closed");
      EXPECT_EQ(r.rejects[0].raw, "acc-2,smb,2,,,\"green,");
    }
  }
}

TEST(CsvRecovery, AnOpenQuoteIsReportedAtTheLineItOpenedOn) {
  // The record starts on line 2 (a quoted id holding a line break); its broken quote opens
  // on line 3, and the record ends with that line.
  const ReadResult r = read_csv(kHeader +
                                "\"acc\n1\",smb,1,,,\"open\r\n"
                                "acc-2,smb,2,,,\n");
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].line, 3u);
  EXPECT_EQ(r.rejects[0].reason, "cell 6 opens a quote that is never closed");
  EXPECT_EQ(r.rejects[0].raw, "\"acc\n1\",smb,1,,,\"open");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "acc-2");
  EXPECT_EQ(r.lines[0], 4u);
}

TEST(CsvRecovery, AnOpenQuoteOnTheLastLineWithoutANewlineIsRejected) {
  const ReadResult r = read_csv(kHeader + "acc-1,smb,1,,,\nacc-2,smb,2,,,\"x");
  ASSERT_EQ(r.rows.size(), 1u);
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].line, 3u);
  EXPECT_EQ(r.rejects[0].raw, "acc-2,smb,2,,,\"x");
}

// Rows of about 1 KiB whose notes are unquoted, so that a quote opened before them finds no
// closing quote for more than the limit.
std::string long_rows(int first, int count) {
  std::string out;
  for (int i = first; i < first + count; ++i) {
    out += "acc-" + std::to_string(i) + ",mid," + std::to_string(i) + ",,," +
           std::string(1000, 'n') + "\n";
  }
  return out;
}

TEST(CsvRecovery, AQuoteNotClosedWithinTheLimitRejectsOnlyItsLine) {
  // Without the limit the quote on line 3 would be closed by the one on the last line, and
  // every row between would vanish into one broken record.
  const int n = static_cast<int>(csv::kMaxQuotedCellBytes / 1000) + 50;
  const std::string input = kHeader + "acc-1,smb,1,,,\n" + "acc-2,smb,2,,,\"stray\n" +
                            long_rows(3, n) + "acc-z,smb,9,,,\"closed\"\n";
  for (size_t chunk : {size_t{4096}, size_t{1} << 20}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    const ReadResult r = read_csv(input, account_schema(), {1024, chunk});
    ASSERT_EQ(r.rejects.size(), 1u);
    EXPECT_EQ(r.rejects[0].line, 3u);
    EXPECT_EQ(r.rejects[0].reason, "cell 6 opens a quote that is not closed within 1 MiB");
    EXPECT_EQ(r.rejects[0].raw, "acc-2,smb,2,,,\"stray");
    ASSERT_EQ(r.rows.size(), static_cast<size_t>(n) + 2);
    EXPECT_EQ(r.rows[1][0], "acc-3");
    EXPECT_EQ(r.rows.back(), (Row{"acc-z", "0", "9", kMissing, kMissing, "closed"}));
  }
}

TEST(CsvRecovery, AQuotedCellOfExactlyTheLimitIsReadAndOneByteMoreIsNot) {
  const std::string at_limit(csv::kMaxQuotedCellBytes, 'x');
  const std::string input = kHeader + "a,smb,1,,,\"" + at_limit + "\"\n" + "b,smb,2,,,\"" +
                            at_limit + "x\"\n" + "c,smb,3,,,\n";
  const ReadResult r = read_csv(input, account_schema(), {1024, 1 << 16});
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0][5].size(), csv::kMaxQuotedCellBytes);
  EXPECT_EQ(r.rows[1][0], "c");
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].line, 3u);
  EXPECT_EQ(r.rejects[0].reason, "cell 6 opens a quote that is not closed within 1 MiB");
}

TEST(CsvRecovery, UnnamedHeaderColumnsAreIgnored) {
  // As spreadsheets export: trailing empty columns, and one in the middle.
  const ReadResult r = read_csv(
      "id,tier,,seats,active,renewal,note,,\n"
      "acc-1,smb,junk,1,,,,,\n"
      "acc-2,mid,,2,,,n,x,y\n"
      "acc-3,mid,,3,,,\n");
  ASSERT_EQ(r.open_error, "");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0], (Row{"acc-1", "0", "1", kMissing, kMissing, kMissing}));
  EXPECT_EQ(r.rows[1], (Row{"acc-2", "1", "2", kMissing, kMissing, "n"}));
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].reason, "expected 9 cells, found 7");
}

TEST(CsvRecovery, ANamedColumnTwiceIsStillAnOpenError) {
  EXPECT_EQ(read_csv("id,tier,seats,active,renewal,note,,seats,\n").open_error,
            "column `seats` appears more than once in the header");
}

TEST(CsvRecovery, TextThatIsNotUtf8IsARejectedRow) {
  Schema schema = account_schema();
  schema.extra_columns = {"churned"};
  const ReadResult r = read_csv(
      "id,tier,seats,active,renewal,note,churned\n"
      "acc-\xFF,smb,1,,,,\n"
      "acc-2,smb,2,,,\"caf\xC3\",\n"          // a lead byte without its continuation
      "acc-3,smb,3,,,\xC0\xAF,\n"             // an overlong '/'
      "acc-4,smb,4,,,\xED\xA0\x80,\n"         // a UTF-16 surrogate
      "acc-5,smb,5,,,ok,\xFE\n"               // in an extra column
      "acc-6,smb,\xFF,,,,\n"                  // not text: the number's own reason
      "acc-\xC3\xA9,smb,7,,,\xF0\x9F\x98\x80,\n",  // valid two- and four-byte sequences
      schema);
  ASSERT_EQ(r.rejects.size(), 6u);
  EXPECT_EQ(r.rejects[0].line, 2u);
  EXPECT_EQ(r.rejects[0].reason, "field `id` is not valid UTF-8");
  EXPECT_EQ(r.rejects[0].raw, "acc-\xFF,smb,1,,,,");
  EXPECT_EQ(r.rejects[1].reason, "field `note` is not valid UTF-8");
  EXPECT_EQ(r.rejects[2].reason, "field `note` is not valid UTF-8");
  EXPECT_EQ(r.rejects[3].reason, "field `note` is not valid UTF-8");
  EXPECT_EQ(r.rejects[4].reason, "column `churned` is not valid UTF-8");
  // The reason quotes the cell with U+FFFD for the stray byte, so the message is UTF-8.
  EXPECT_EQ(r.rejects[5].reason, "field `seats`: `\xEF\xBF\xBD` is not a number");
  for (size_t i = 0; i < r.rejects.size(); ++i) EXPECT_EQ(r.rejects[i].line, i + 2);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "acc-\xC3\xA9");
  EXPECT_EQ(r.rows[0][5], "\xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace healthc::rt
