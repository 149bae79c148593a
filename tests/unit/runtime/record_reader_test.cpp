// Choosing a reader: the format a file name implies.
#include "runtime/io/record_reader.h"

#include <gtest/gtest.h>

namespace healthc::rt {
namespace {

TEST(RecordReader, FormatFollowsTheFileExtension) {
  EXPECT_EQ(format_from_path("accounts.csv"), DataFormat::Csv);
  EXPECT_EQ(format_from_path("accounts.jsonl"), DataFormat::JsonLines);
  EXPECT_EQ(format_from_path("dir/accounts.NDJSON"), DataFormat::JsonLines);
  EXPECT_EQ(format_from_path("accounts.json"), DataFormat::JsonLines);
  EXPECT_EQ(format_from_path("accounts"), DataFormat::Csv);
  EXPECT_EQ(format_from_path("data.jsonl/accounts"), DataFormat::Csv);
  EXPECT_EQ(format_from_path("-"), DataFormat::Csv);
}

}  // namespace
}  // namespace healthc::rt
