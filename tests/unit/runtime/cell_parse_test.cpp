// The cell grammars of the data formats: what each field type accepts, and the reasons a
// cell is rejected.
#include "runtime/io/cell_parse.h"

#include <gtest/gtest.h>

#include <string>

#include "reader_test_util.h"

namespace healthc::rt {
namespace {

using test_util::field;

TEST(CellParse, NumbersAcceptSignsDecimalsAndExponents) {
  EXPECT_EQ(parse_number("120"), 120.0);
  EXPECT_EQ(parse_number("+7"), 7.0);
  EXPECT_EQ(parse_number("-7.25"), -7.25);
  EXPECT_EQ(parse_number("1e3"), 1000.0);
  EXPECT_EQ(parse_number("2.5E-2"), 0.025);
  EXPECT_EQ(parse_number("+1.5e+2"), 150.0);
  EXPECT_EQ(parse_number(".5"), 0.5);
  EXPECT_EQ(parse_number("0.1"), 0.1);  // correctly rounded, as fast_float promises
  EXPECT_EQ(parse_number("-0"), 0.0);
  EXPECT_EQ(parse_number("1e-400"), 0.0);  // underflow is a tiny number, not an error
}

TEST(CellParse, NumbersRejectNanInfHexAndTrailingText) {
  for (const char* bad : {"NaN", "nan", "inf", "-inf", "+Infinity", "0x10", "12x", "1e", "1,5",
                          "+-1", "--1", "+", "-", ".", "e5", "1 000", "1_000", "12%"}) {
    EXPECT_EQ(parse_number(bad), std::nullopt) << bad;
  }
}

TEST(CellParse, NumberCellsAreTrimmedOfSpaces) {
  const FieldSpec seats = field("seats", FieldType::Number);
  const CellValue v = parse_cell(seats, "  42 \t");
  EXPECT_EQ(v.status, CellStatus::Present);
  EXPECT_EQ(v.value, 42.0);
}

TEST(CellParse, NumberRejectReasonsNameFieldAndQuoteCell) {
  const FieldSpec seats = field("seats", FieldType::Number);
  CellValue v = parse_cell(seats, "12x");
  EXPECT_EQ(v.status, CellStatus::Rejected);
  EXPECT_EQ(v.reason, "field `seats`: `12x` is not a number");
  v = parse_cell(seats, "NaN");
  EXPECT_EQ(v.reason, "field `seats`: `NaN` is not a number (pass --null NaN if it means missing)");
  v = parse_cell(seats, "1e400");
  EXPECT_EQ(v.status, CellStatus::Rejected);
  EXPECT_EQ(v.reason, "field `seats`: `1e400` is out of range for a number");
}

TEST(CellParse, LongBadCellsAreCutInTheReason) {
  const FieldSpec seats = field("seats", FieldType::Number);
  const CellValue v = parse_cell(seats, std::string(500, 'x'));
  EXPECT_EQ(v.status, CellStatus::Rejected);
  EXPECT_LT(v.reason.size(), 100u);
  EXPECT_NE(v.reason.find("...`"), std::string::npos);
  // A cut never splits a UTF-8 sequence.
  std::string accented;
  for (int i = 0; i < 40; ++i) accented += "\xC3\xA9";
  const std::string quoted = quote_cell(accented);
  const size_t cut = quoted.find("...");
  ASSERT_NE(cut, std::string::npos);
  EXPECT_EQ((cut - 1) % 2, 0u);
}

TEST(CellParse, BoolSpellingsInAnyCase) {
  for (const char* t : {"true", "TRUE", "True", "yes", "YeS", "1"}) {
    EXPECT_EQ(parse_bool(t), true) << t;
  }
  for (const char* f : {"false", "FALSE", "no", "No", "0"}) {
    EXPECT_EQ(parse_bool(f), false) << f;
  }
  for (const char* bad : {"t", "y", "2", "on", "off", "truee", "", "01"}) {
    EXPECT_EQ(parse_bool(bad), std::nullopt) << bad;
  }
  const FieldSpec active = field("active", FieldType::Bool);
  CellValue v = parse_cell(active, " Yes ");
  EXPECT_EQ(v.status, CellStatus::Present);
  EXPECT_EQ(v.value, 1.0);
  v = parse_cell(active, "0");
  EXPECT_EQ(v.value, 0.0);
  v = parse_cell(active, "maybe");
  EXPECT_EQ(v.status, CellStatus::Rejected);
  EXPECT_EQ(v.reason, "field `active`: `maybe` is not a bool (true/false, yes/no, 1/0)");
}

TEST(CellParse, DatesAreDaysSinceTheEpoch) {
  EXPECT_EQ(parse_date("1970-01-01"), 0);
  EXPECT_EQ(parse_date("1970-01-02"), 1);
  EXPECT_EQ(parse_date("1969-12-31"), -1);
  EXPECT_EQ(parse_date("2000-03-01"), 11017);
  EXPECT_EQ(parse_date("2024-01-01"), 19723);
  EXPECT_EQ(parse_date("2027-03-01"), 20878);
  const FieldSpec renewal = field("renewal", FieldType::Date);
  const CellValue v = parse_cell(renewal, " 2024-02-29 ");
  EXPECT_EQ(v.status, CellStatus::Present);
  EXPECT_EQ(v.value, 19782.0);
}

TEST(CellParse, LeapYearsFollowTheGregorianRules) {
  EXPECT_TRUE(parse_date("2024-02-29").has_value());   // divisible by 4
  EXPECT_TRUE(parse_date("2000-02-29").has_value());   // divisible by 400
  EXPECT_FALSE(parse_date("1900-02-29").has_value());  // by 100, not by 400
  EXPECT_FALSE(parse_date("2100-02-29").has_value());
  EXPECT_FALSE(parse_date("2023-02-29").has_value());
  EXPECT_TRUE(parse_date("2023-02-28").has_value());
  EXPECT_EQ(*parse_date("2024-03-01") - *parse_date("2024-02-28"), 2);
  EXPECT_EQ(*parse_date("2023-03-01") - *parse_date("2023-02-28"), 1);
}

TEST(CellParse, BadDatesAreRejectedWithTheRightReason) {
  for (const char* bad : {"2023-04-31", "2023-13-01", "2023-00-10", "2023-01-00", "2023-01-32"}) {
    EXPECT_EQ(parse_date(bad), std::nullopt) << bad;
  }
  for (const char* bad : {"2023-1-01", "2023/01/01", "20230101", "01-01-2023", "2023-01-01T00",
                          "year-01-01", "2023-01-0a"}) {
    EXPECT_EQ(parse_date(bad), std::nullopt) << bad;
  }
  const FieldSpec renewal = field("renewal", FieldType::Date);
  EXPECT_EQ(parse_cell(renewal, "2023-02-30").reason,
            "field `renewal`: `2023-02-30` is not a valid calendar date");
  EXPECT_EQ(parse_cell(renewal, "2023/02/01").reason,
            "field `renewal`: `2023/02/01` is not a date (expected YYYY-MM-DD)");
}

TEST(CellParse, EnumMembersAreExactNamesGivingTheirIndex) {
  const FieldSpec tier = field("tier", FieldType::Enum, false, {"smb", "mid", "enterprise"});
  CellValue v = parse_cell(tier, "enterprise");
  EXPECT_EQ(v.status, CellStatus::Present);
  EXPECT_EQ(v.value, 2.0);
  v = parse_cell(tier, " smb ");
  EXPECT_EQ(v.value, 0.0);
  v = parse_cell(tier, "Enterprise");
  EXPECT_EQ(v.status, CellStatus::Rejected);
  EXPECT_EQ(v.reason, "field `tier`: `Enterprise` is not one of smb, mid, enterprise");
}

TEST(CellParse, TextIsTakenAsIsWithoutTrimming) {
  const FieldSpec note = field("note", FieldType::Text, true);
  EXPECT_EQ(parse_cell(note, "  ").status, CellStatus::Present);
  EXPECT_EQ(parse_cell(note, "").status, CellStatus::Missing);
}

TEST(CellParse, EmptyCellsAreMissingWhenOptionalAndRejectedWhenRequired) {
  for (FieldType type :
       {FieldType::Number, FieldType::Bool, FieldType::Date, FieldType::Enum, FieldType::Text}) {
    const FieldSpec opt = field("x", type, true, {"a"});
    const FieldSpec req = field("x", type, false, {"a"});
    EXPECT_EQ(parse_cell(opt, "").status, CellStatus::Missing);
    const CellValue v = parse_cell(req, "");
    EXPECT_EQ(v.status, CellStatus::Rejected);
    EXPECT_EQ(v.reason, "required field `x` is empty");
    if (type != FieldType::Text) {
      // A cell of spaces is empty once trimmed.
      EXPECT_EQ(parse_cell(opt, "   ").status, CellStatus::Missing);
      EXPECT_EQ(parse_cell(req, " ").status, CellStatus::Rejected);
    }
  }
}

TEST(CellParse, SuccessLeavesTheReasonBufferAlone) {
  const FieldSpec seats = field("seats", FieldType::Number);
  std::string reason = "untouched";
  double value = 0;
  EXPECT_EQ(parse_cell(seats, "3", value, reason), CellStatus::Present);
  EXPECT_EQ(reason, "untouched");
  EXPECT_EQ(value, 3.0);
}

}  // namespace
}  // namespace healthc::rt
