// UTF-8 validation and repair: the RFC 3629 table, exactly, for the readers' checks and the
// JSON writer's last guard.
#include "runtime/io/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace healthc::rt {
namespace {

TEST(Utf8, AcceptsEveryWellFormedLength) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii, longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9"));              // é
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));          // €
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));      // U+1F600
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));          // U+D7FF, just below the surrogates
  EXPECT_TRUE(is_valid_utf8("\xEF\xBB\xBF"));          // the byte-order mark
  EXPECT_TRUE(is_valid_utf8("12345678\xC3\xA9" "abc"));  // past the ASCII fast path
}

TEST(Utf8, RefusesStrayOverlongSurrogateAndOutOfRangeBytes) {
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\x80"));                  // a continuation alone
  EXPECT_FALSE(is_valid_utf8("\xC3"));                  // cut short
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));          // U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));      // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("abcdefgh\xFF"));          // after a clean word
}

TEST(Utf8, ErrorOffsetIsTheFirstBadByte) {
  EXPECT_EQ(utf8_error_offset("ok"), std::string_view::npos);
  EXPECT_EQ(utf8_error_offset("acc-\xFF"), 4u);
  EXPECT_EQ(utf8_error_offset("\xC3\xA9\xC3"), 2u);
}

TEST(Utf8, RepairReplacesEachStrayByteAndKeepsTheRest) {
  EXPECT_EQ(repaired_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(repaired_utf8("\xC3\xA9\xE2\x82"), "\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(repaired_utf8("clean \xF0\x9F\x98\x80"), "clean \xF0\x9F\x98\x80");
  EXPECT_TRUE(is_valid_utf8(repaired_utf8("\xED\xA0\x80\xC0\xAF\xFF")));
}

}  // namespace
}  // namespace healthc::rt
