// The inline cell readers (cell_fast.h) against the general grammar (cell_parse.h): whenever a
// fast reader answers, its value is parse_cell's, bit for bit; the enum matcher finds exactly
// the members parse_enum finds.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "runtime/io/cell_fast.h"
#include "runtime/io/cell_parse.h"

namespace healthc::rt {
namespace {

bool same_double(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(CellFast, IntegersAgreeWithParseNumber) {
  const std::vector<std::string> cells = {"0",  "-0", "7",   "-7", "123456789012345", "1234567890123456", "",
                                          "-",  "+1", " 1",  "1 ", "1.5",             "1e3",              "0x1",
                                          "00012", "-000", "9a", "١"};
  for (const std::string& c : cells) {
    SCOPED_TRACE(c);
    double v = 0;
    const bool fast = fast_integer(c.data(), c.data() + c.size(), v);
    const auto slow = parse_number(trim_spaces(c));
    if (fast) {
      ASSERT_TRUE(slow.has_value());
      EXPECT_TRUE(same_double(v, *slow));
    }
  }
  double v = 0;
  const std::string_view minus_zero = "-0", sixteen = "1234567890123456";
  EXPECT_TRUE(fast_integer(minus_zero.data(), minus_zero.data() + minus_zero.size(), v));
  EXPECT_TRUE(std::signbit(v));
  EXPECT_FALSE(fast_integer(sixteen.data(), sixteen.data() + sixteen.size(), v));  // past 15 digits: general path
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string c = std::to_string(rng() % 100000000);
    if (rng() % 4 == 0) c.insert(c.begin(), '-');
    const auto slow = parse_number(c);
    ASSERT_TRUE(fast_integer(c.data(), c.data() + c.size(), v)) << c;
    ASSERT_TRUE(slow && same_double(v, *slow)) << c;
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
