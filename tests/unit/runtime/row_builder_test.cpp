// The readers' shared set-up and row building: header columns to fields and extra columns (with
// the header's refusals), slots by name, and appending a checked row to a block.
#include "runtime/io/row_builder.h"

#include <gtest/gtest.h>

namespace healthc::rt {
namespace {

Schema schema() {
  Schema s;
  s.fields = {FieldSpec{"id", FieldType::Text, false, true, {}}, FieldSpec{"x", FieldType::Number, true, false, {}}};
  s.extra_columns = {"churned", "x"};  // an outcome, and a field also kept as raw text
  return s;
}

TEST(RowBuilder, MapsHeaderColumnsToFieldsAndExtras) {
  ColumnMapping m;
  EXPECT_EQ(map_columns(schema(), {"x", "", "id", "note"}, m), "");
  EXPECT_EQ(m.columns, 4u);
  EXPECT_EQ(m.field_column, (std::vector<size_t>{2, 0}));
  EXPECT_EQ(m.extra_column, (std::vector<int64_t>{-1, 0}));  // no `churned` column: not an error
}

TEST(RowBuilder, HeaderRefusalsNameTheColumns) {
  ColumnMapping m;
  EXPECT_EQ(map_columns(schema(), {"id", "x", "id"}, m), "column `id` appears more than once in the header");
  EXPECT_EQ(map_columns(schema(), {"note"}, m), "the header has no columns for fields `id`, `x`");
  EXPECT_EQ(map_columns(schema(), {"id"}, m), "the header has no column for field `x`");
}

TEST(RowBuilder, SlotsSayWhereANameGoes) {
  const Schema s = schema();
  const auto slots = slot_map(s);
  EXPECT_EQ(slots.at("id").field, 0);
  EXPECT_EQ(slots.at("id").extra, -1);
  EXPECT_EQ(slots.at("x").field, 1);
  EXPECT_EQ(slots.at("x").extra, 1);
  EXPECT_EQ(slots.at("churned").field, -1);
  EXPECT_EQ(slots.count("note"), 0u);
}

TEST(RowBuilder, AppendsAWholeRowAndMarksExtrasSeen) {
  const Schema s = schema();
  ColumnBlock block;
  start_block(s, block, 7);
  EXPECT_EQ(block.first_row_index, 7u);
  std::string id = "acc-1";
  const double num[] = {0, 42};
  const uint8_t valid[] = {1, 1};
  const std::string_view text[] = {id, {}};
  const std::string_view extra[] = {"1", "42"};
  const uint8_t present[] = {0, 1};
  append_row(s, block, num, valid, text, extra, present, 3);
  id = "changed";  // the block keeps its own copy of the bytes
  ASSERT_EQ(block.rows, 1u);
  EXPECT_EQ(block.text[0][0].view(), "acc-1");
  EXPECT_EQ(block.num[1][0], 42);
  EXPECT_EQ(block.valid[1][0], 1);
  EXPECT_EQ(block.extra[0][0].view(), "");  // absent from the record
  EXPECT_EQ(block.extra[1][0].view(), "42");
  EXPECT_FALSE(block.extra_present[0]);
  EXPECT_TRUE(block.extra_present[1]);
  EXPECT_EQ(block.line, std::vector<uint64_t>{3});
}

TEST(RowBuilder, RejectsKeepTheRecordWhole) {
  std::vector<Reject> rejects;
  const std::string rec = "a,b,c";
  add_reject(rejects, 9, "expected 2 cells, found 3", rec.data(), rec.data() + rec.size());
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].line, 9u);
  EXPECT_EQ(rejects[0].raw, "a,b,c");
  EXPECT_EQ(rejects[0].reason, "expected 2 cells, found 3");
}

}  // namespace
}  // namespace healthc::rt
