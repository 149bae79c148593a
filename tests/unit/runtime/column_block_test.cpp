// ColumnBlock: reset sizes the columns for a schema, and kept text stays put.
#include "runtime/io/column_block.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "reader_test_util.h"

namespace healthc::rt {
namespace {

TEST(ColumnBlock, ResetSizesEveryColumnAndClearsRows) {
  Schema schema = test_util::account_schema();
  schema.extra_columns = {"churned"};
  ColumnBlock block;
  block.rows = 3;
  block.line = {1, 2, 3};
  block.first_row_index = 9;
  block.reset(schema);
  EXPECT_EQ(block.rows, 0u);
  EXPECT_TRUE(block.line.empty());
  EXPECT_EQ(block.first_row_index, 0u);
  EXPECT_EQ(block.num.size(), schema.fields.size());
  EXPECT_EQ(block.valid.size(), schema.fields.size());
  EXPECT_EQ(block.text.size(), schema.fields.size());
  EXPECT_EQ(block.extra.size(), 1u);
  EXPECT_EQ(block.extra_present, std::vector<bool>{false});
}

TEST(ColumnBlock, KeptBytesStayValidAsTheArenaGrows) {
  ColumnBlock block;
  std::vector<std::pair<std::string_view, std::string>> kept;
  for (int i = 0; i < 5000; ++i) {
    std::string s(static_cast<size_t>(1 + (i * 37) % 400), static_cast<char>('A' + i % 26));
    kept.emplace_back(block.keep(s), s);
  }
  const std::string big(1 << 20, 'q');  // larger than any chunk so far
  kept.emplace_back(block.keep(big), big);
  EXPECT_GT(block.arena.size(), 1u);
  for (const auto& [view, original] : kept) ASSERT_EQ(view, original);
  // Moving the block (as a caller handing it on would) keeps the views valid.
  ColumnBlock moved = std::move(block);
  for (const auto& [view, original] : kept) ASSERT_EQ(view, original);
}

TEST(ColumnBlock, EmptyTextHasANonNullPointer) {
  ColumnBlock block;
  const std::string_view v = block.keep({});
  EXPECT_NE(v.data(), nullptr);
  EXPECT_EQ(v.size(), 0u);
  EXPECT_TRUE(block.arena.empty());
}

TEST(ColumnBlock, ResetFoldsTheArenaIntoOneChunkBigEnoughForTheNextBlock) {
  ColumnBlock block;
  for (int i = 0; i < 2000; ++i) block.keep(std::string(300, 'x'));
  ASSERT_GT(block.arena.size(), 1u);
  block.reset(Schema{});
  ASSERT_EQ(block.arena.size(), 1u);
  EXPECT_GE(block.arena.front().capacity(), 2000u * 300u);
  EXPECT_TRUE(block.arena.front().empty());
  for (int i = 0; i < 2000; ++i) block.keep(std::string(300, 'x'));
  EXPECT_EQ(block.arena.size(), 1u);
}

}  // namespace
}  // namespace healthc::rt
