// The inline cell readers (cell_fast.h) against the general grammar (cell_parse.h): whenever a
// fast reader answers, its value is parse_cell's, bit for bit; the enum matcher finds exactly
// the members parse_enum finds.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "runtime/io/cell_fast.h"
#include "runtime/io/cell_parse.h"

namespace healthc::rt {
namespace {

bool same_double(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// `cell` laid in a buffer after `before` bytes of `fill`, read by fast_number with the buffer's
// start as the readable start: fewer than 32 bytes before the cell's end take the digit-at-a-time
// path, more the eight-at-a-time one, whose padding must ignore whatever precedes the cell.
struct Laid {
  bool fast = false;
  double value = 0;
};
Laid lay(const std::string& cell, size_t before, char fill) {
  std::string buf(before, fill);
  buf += cell;
  Laid out;
  const char* p = buf.data() + before;
  out.fast = fast_number(p, p + cell.size(), buf.data(), out.value);
  return out;
}

// Wherever fast_number answers, parse_number gives the same double; `must` says it answers.
void agrees(const std::string& cell, bool must) {
  const auto slow = parse_number(cell);
  for (const size_t before : {size_t{0}, size_t{3}, size_t{31}, size_t{32}, size_t{40}}) {
    for (const char fill : {'7', '.', ',', '\xFF', '\xFA', '-'}) {
      const Laid f = lay(cell, before, fill);
      if (must) {
        ASSERT_TRUE(f.fast || (before + cell.size() < 32 && cell.find('.') != std::string::npos))
            << "`" << cell << "` after " << before << " bytes";
      }
      if (!f.fast) continue;
      ASSERT_TRUE(slow.has_value()) << "`" << cell << "` after " << before << " bytes";
      ASSERT_TRUE(same_double(f.value, *slow))
          << "`" << cell << "` after " << before << " bytes: " << f.value << " vs " << *slow;
    }
  }
}

TEST(CellFast, NumbersAgreeWithParseNumber) {
  // Answered: integers of up to 16 digits, decimals of up to 15, leading zeros, -0.
  for (const std::string c : {"0", "-0", "7", "-7", "00012", "-000", "123456789012345", "1234567890123456",
                              "9007199254740993", "9999999999999999", "-9999999999999999", "12345678",
                              "123456789", "0.1", "0.3", "-0.0", "0.0", "1.5", "-1.5", "00000000000000.5",
                              "1.00000000000001", "99999999999999.9", "9.99999999999999", "0.00000000000001",
                              "123456.78", "12345678.9", "1234567.89", "3.14159265358979", "-12.34"}) {
    SCOPED_TRACE(c);
    agrees(c, true);
  }
  const std::string minus_zero = "-0", minus_zero_point = "-0.0";
  ASSERT_TRUE(lay(minus_zero, 40, '1').fast);
  EXPECT_TRUE(std::signbit(lay(minus_zero, 40, '1').value));
  EXPECT_TRUE(std::signbit(lay(minus_zero, 0, '1').value));
  EXPECT_TRUE(std::signbit(lay(minus_zero_point, 40, '1').value));
  // Left to the general grammar (or rejected there): whatever is not a plain decimal.
  for (const std::string c : {"", "-", "+1", " 1", "1 ", "1e3", "1E3", "0x1", "9a", "\xD9\xA1", ".5", "5.", "-.5",
                              ".", "1..2", "1.2.3", "--1", "1-", "1,5", "12345678901234567", "1234567890123456.7",
                              "0.0000000000000001", "1.5e", "inf", "nan", "1\xFF", "\xFA" "5", "5\xFA" "5"}) {
    SCOPED_TRACE(c);
    for (const size_t before : {size_t{0}, size_t{40}})
      for (const char fill : {'7', '\xFF'}) EXPECT_FALSE(lay(c, before, fill).fast);
    agrees(c, false);
  }
  // Random plain decimals, with signs, leading zeros and every length, and random bytes.
  std::mt19937_64 rng(18);
  auto digits = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
    return s;
  };
  for (int i = 0; i < 200000; ++i) {
    std::string c;
    const bool decimal = rng() % 2 == 0;
    if (decimal) {
      const size_t total = 2 + rng() % 14, whole = 1 + rng() % (total - 1);
      c = digits(whole) + "." + digits(total - whole);
    } else {
      c = digits(1 + rng() % 16);
    }
    if (rng() % 3 == 0) c.insert(c.begin(), '-');
    const Laid f = lay(c, 32 + rng() % 9, static_cast<char>(rng()));
    const auto slow = parse_number(c);
    ASSERT_TRUE(f.fast) << c;
    ASSERT_TRUE(slow && same_double(f.value, *slow)) << c << ": " << f.value << " vs " << *slow;
  }
  const char alphabet[] = "0123456789.-+eE \xFA\xFF";
  for (int i = 0; i < 200000; ++i) {
    std::string c(1 + rng() % 18, '0');
    for (char& ch : c) ch = alphabet[rng() % (sizeof alphabet - 1)];
    const Laid f = lay(c, rng() % 48, static_cast<char>(rng()));
    if (!f.fast) continue;
    const auto slow = parse_number(c);
    ASSERT_TRUE(slow && same_double(f.value, *slow)) << c;
  }
}

TEST(CellFast, EightDigitsAtATime) {
  if (std::endian::native != std::endian::little) GTEST_SKIP() << "the words are read little-endian";
  for (uint32_t x : {0u, 1u, 9u, 10u, 12345678u, 99999999u, 10000000u, 90817263u}) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08u", x);
    EXPECT_EQ(swar::non_digits(swar::load8(buf)), 0u) << buf;
    EXPECT_EQ(swar::eight_digits(swar::load8(buf)), x) << buf;
  }
  // Each byte that is not a digit is marked: every byte value in every position.
  for (int pos = 0; pos < 8; ++pos) {
    for (int b = 0; b < 256; ++b) {
      char buf[8];
      std::memset(buf, '5', 8);
      buf[pos] = static_cast<char>(b);
      const uint64_t marks = swar::non_digits(swar::load8(buf));
      const bool digit = b >= '0' && b <= '9';
      EXPECT_EQ((marks >> (8 * pos + 7)) & 1, digit ? 0u : 1u) << pos << " " << b;
      if (digit) {
        EXPECT_EQ(marks, 0u);
      }
    }
  }
}

TEST(CellFast, DatesAgreeWithParseDate) {
  for (const std::string c : {"2026-11-01", "2024-02-29", "2023-02-29", "2026-13-01", "2026-1-01", "0000-01-01",
                              "9999-12-31", "2026-11-01 ", "2026/11/01"}) {
    double v = 0;
    const bool fast = fast_date(c.data(), c.data() + c.size(), v);
    const auto slow = parse_date(c);
    EXPECT_EQ(fast, slow.has_value()) << c;
    if (fast) {
      EXPECT_EQ(v, static_cast<double>(*slow)) << c;
    }
  }
}

// fast_date against parse_date and the calendar: every month and day number 00-99 in leap and
// common years of each century kind, every date from 1890 to 2170 as consecutive days, and
// each of a date's ten bytes replaced by every byte value.
TEST(CellFast, DatesAgreeWithParseDateEverywhere) {
  auto check = [](const std::string& c) {
    double v = -1;
    const bool fast = fast_date(c.data(), c.data() + c.size(), v);
    const auto slow = parse_date(c);
    ASSERT_EQ(fast, slow.has_value()) << c;
    if (fast) {
      ASSERT_EQ(v, static_cast<double>(*slow)) << c;
    }
  };
  char buf[11];
  for (int y : {0, 1, 4, 100, 400, 1900, 1970, 2000, 2023, 2024, 2100, 9999})
    for (int m = 0; m < 100; ++m)
      for (int d = 0; d < 100; ++d) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
        check(buf);
      }
  auto month_days = [](int y, unsigned m) {
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? (leap ? 29u : 28u) : (m == 4 || m == 6 || m == 9 || m == 11) ? 30u : 31u;
  };
  int64_t days = days_from_civil(1890, 1, 1);
  for (int y = 1890; y <= 2170; ++y)
    for (unsigned m = 1; m <= 12; ++m)
      for (unsigned d = 1; d <= month_days(y, m); ++d) {
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
        double v = 0;
        ASSERT_TRUE(fast_date(buf, buf + 10, v)) << buf;
        ASSERT_EQ(v, static_cast<double>(days++)) << buf;  // consecutive days, one apart
      }
  for (const char* base : {"2026-11-01", "2024-02-29", "1999-12-31"})
    for (int pos = 0; pos < 10; ++pos)
      for (int b = 0; b < 256; ++b) {
        std::string c(base);
        c[static_cast<size_t>(pos)] = static_cast<char>(b);
        check(c);
      }
}

// same_bytes against memcmp at every length from 0 to 40 (each of its load shapes), equal and
// with one byte different at each place, by one bit or by all of them.
TEST(CellFast, SameBytesIsMemcmpsEquality) {
  std::mt19937 rng(7);
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'x');
    for (char& c : a) c = static_cast<char>(rng());
    EXPECT_TRUE(swar::same_bytes(a.data(), std::string(a).data(), n)) << n;
    for (size_t at = 0; at < n; ++at)
      for (const unsigned flip : {0x01u, 0x80u, 0xFFu}) {
        std::string b = a;
        b[at] = static_cast<char>(static_cast<unsigned char>(b[at]) ^ flip);
        EXPECT_EQ(swar::same_bytes(a.data(), b.data(), n), std::memcmp(a.data(), b.data(), n) == 0) << n << " " << at;
        EXPECT_FALSE(swar::same_bytes(a.data(), b.data(), n)) << n << " " << at;
      }
  }
}

FieldSpec enum_field(std::vector<std::string> members) {
  FieldSpec f;
  f.name.assign(1, 'e');
  f.type = FieldType::Enum;
  f.members = std::move(members);
  return f;
}

TEST(CellFast, EnumMatcherFindsWhatParseEnumFinds) {
  std::mt19937 rng(18);
  const char letters[] = "abcdeghijklmnoprstuy_AB";
  for (int card = 0; card < 300; ++card) {
    std::vector<std::string> members;
    const size_t n = 1 + rng() % 40;
    while (members.size() < n) {
      std::string m(1 + rng() % 12, 'a');
      for (char& ch : m) ch = letters[rng() % (sizeof letters - 1)];
      if (std::find(members.begin(), members.end(), m) == members.end()) members.push_back(m);
    }
    const FieldSpec field = enum_field(members);
    const EnumMatcher match(field);
    ASSERT_TRUE(match.usable()) << "no perfect hash for " << n << " members";
    std::vector<std::string> probes = members;
    for (const std::string& m : members) {
      probes.push_back(m + "x");
      probes.push_back(m.substr(1));
      probes.push_back(" " + m);
      std::string flipped = m;
      flipped[flipped.size() / 2] ^= 1;
      probes.push_back(flipped);
    }
    for (const std::string& p : probes) {
      const int32_t fast = match.find(p.data(), p.data() + p.size());
      const auto slow = parse_enum(field, p);
      if (fast >= 0) {
        ASSERT_TRUE(slow.has_value()) << p;
        EXPECT_EQ(static_cast<uint32_t>(fast), *slow) << p;
      } else if (p.front() != ' ') {
        EXPECT_FALSE(slow.has_value()) << p;  // a miss without spaces is a miss
      }
    }
  }
}

TEST(CellFast, EnumMatcherStandsAsideForSpelledOrRepeatedMembers) {
  FieldSpec spelled = enum_field({"One year", "Two year"});
  spelled.exact_members = true;
  spelled.exact = {1, 1};
  EXPECT_FALSE(EnumMatcher(spelled).usable());
  EXPECT_FALSE(EnumMatcher(enum_field({"a", "a"})).usable());
  EXPECT_FALSE(EnumMatcher(enum_field({})).usable());
  EXPECT_TRUE(EnumMatcher(enum_field({"red", "yellow", "green"})).usable());
}

}  // namespace
}  // namespace healthc::rt
