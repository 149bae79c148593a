// LSP positions (UTF-16 columns) against byte offsets, on ASCII and non-ASCII lines.
#include "compiler/lsp/positions.h"

#include <gtest/gtest.h>

namespace healthc::lsp {
namespace {

TEST(LspPositions, AsciiLines) {
  const std::string text = "ab\ncde\n";
  LineIndex idx(text);
  EXPECT_EQ(idx.position(0), (Position{0, 0}));
  EXPECT_EQ(idx.position(2), (Position{0, 2}));
  EXPECT_EQ(idx.position(3), (Position{1, 0}));
  EXPECT_EQ(idx.position(5), (Position{1, 2}));
  EXPECT_EQ(idx.position(7), (Position{2, 0}));
  EXPECT_EQ(idx.offset({1, 1}), 4u);
  // A column past the line's end is its end; a line past the text is the text's end.
  EXPECT_EQ(idx.offset({0, 40}), 2u);
  EXPECT_EQ(idx.offset({9, 0}), 7u);
}

TEST(LspPositions, TwoAndThreeByteCharactersAreOneUnit) {
  // "é" is 2 bytes, "€" 3 bytes: one UTF-16 unit each.
  const std::string text = "\"Caf\xC3\xA9 \xE2\x82\xAC\" x";
  LineIndex idx(text);
  const uint32_t x = static_cast<uint32_t>(text.find('x'));
  EXPECT_EQ(idx.position(x), (Position{0, 9}));
  EXPECT_EQ(idx.offset({0, 9}), x);
  EXPECT_EQ(idx.offset({0, 5}), 6u);  // after "é": byte 6
}

TEST(LspPositions, AstralCharactersAreASurrogatePair) {
  const std::string text = "# \xF0\x9F\x98\x80 ok";  // U+1F600: 4 bytes, 2 UTF-16 units
  LineIndex idx(text);
  EXPECT_EQ(idx.position(6), (Position{0, 4}));
  EXPECT_EQ(idx.offset({0, 4}), 6u);
  EXPECT_EQ(idx.offset({0, 5}), 7u);
  // Inside the pair: the character's start.
  EXPECT_EQ(idx.offset({0, 3}), 2u);
  // A byte offset inside the character counts as its start.
  EXPECT_EQ(idx.position(4), (Position{0, 2}));
}

TEST(LspPositions, InvalidBytesCountOneEach) {
  const std::string text = "a\xFF\xC3z";
  LineIndex idx(text);
  EXPECT_EQ(idx.position(4), (Position{0, 4}));
  EXPECT_EQ(idx.offset({0, 3}), 3u);
}

TEST(LspPositions, CrlfLineEndsAreNotColumns) {
  const std::string text = "ab\r\ncd";
  LineIndex idx(text);
  EXPECT_EQ(idx.offset({0, 10}), 2u);  // before the \r
  EXPECT_EQ(idx.position(4), (Position{1, 0}));
}

TEST(LspPositions, RoundTripsEveryOffset) {
  const std::string text = "x \xC3\xA9\n\xF0\x9F\x98\x80y\r\n\xE2\x82\xAC";
  LineIndex idx(text);
  for (uint32_t i = 0; i <= text.size(); ++i) {
    const uint32_t back = idx.offset(idx.position(i));
    EXPECT_LE(back, i);
    EXPECT_EQ(idx.position(back), idx.position(i));
  }
}

}  // namespace
}  // namespace healthc::lsp
