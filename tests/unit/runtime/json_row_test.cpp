// The JSON row parser shared by the JSON Lines reader and hc_score_json: values in the column
// layout, and a rejected row's reason the same as the reader gives for that line.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "runtime/io/json_row.h"
#include "runtime/io/record_reader.h"

namespace healthc::rt {
namespace {

Schema schema() {
  Schema s;
  s.fields = {{"id", FieldType::Text, false, true, {}},
              {"tier", FieldType::Enum, false, false, {"gold", "silver"}},
              {"n", FieldType::Number, true, false, {}},
              {"on", FieldType::Bool, true, false, {}},
              {"d", FieldType::Date, true, false, {}}};
  return s;
}

TEST(JsonRow, ValuesInTheColumnLayout) {
  const Schema s = schema();
  JsonRowParser row(s);
  const std::string line = "\xEF\xBB\xBF{\"id\":\"acme\",\"tier\":\"silver\",\"n\":\"2.5\",\"on\":true,\"d\":\"1970-01-03\"}";
  ASSERT_EQ(row.parse(line.data(), line.data() + line.size()), "");
  EXPECT_EQ(row.text()[0], "acme");
  EXPECT_EQ(row.num()[1], 1.0);
  EXPECT_EQ(row.num()[2], 2.5);
  EXPECT_EQ(row.num()[3], 1.0);
  EXPECT_EQ(row.num()[4], 2.0);
  EXPECT_EQ(row.valid(), (std::vector<uint8_t>{1, 1, 1, 1, 1}));
  const std::string sparse = R"({"id":"b","tier":"gold","n":null})";
  ASSERT_EQ(row.parse(sparse.data(), sparse.data() + sparse.size()), "");
  EXPECT_EQ(row.valid(), (std::vector<uint8_t>{1, 1, 0, 0, 0}));
}

// A line parsed where it lies (simdjson's padding read from the caller's next bytes) reads as
// the same line parsed from a copy: the bytes after it, which would close an open string or
// object or add a field, are never part of it.
TEST(JsonRow, ALineParsedInPlaceReadsAsItsCopy) {
  const Schema s = schema();
  const std::vector<std::string> lines = {
      R"({"id":"acme","tier":"silver","n":2.5,"on":true,"d":"1970-01-03"})",
      R"({"id":"a","tier":"gold")",   R"({"id":"a","tier":"gold","n":"3)", R"({"id":"a","tier":"gold"},)",
      R"({"id":"a","tier":"gold"} {"id":"b"})", R"({"id":"a","tier":"gol)", R"({"id":"a","tier":"gold","n":12)",
      R"()",                          R"({"id":"é","tier":"gold"})"};
  // What follows each line in the buffer: text that would complete or change it if read.
  const std::string tail = std::string(R"(d"}"}]},"n":7,"tier":"silver"})") + std::string(80, ' ');
  JsonRowParser in_place(s), copied(s);
  for (const std::string& line : lines) {
    const std::string buf = line + tail;
    const char* b = buf.data();
    const std::string a = in_place.parse(b, b + line.size(), b + buf.size());
    const std::string c = copied.parse(line.data(), line.data() + line.size());
    EXPECT_EQ(a, c) << line;
    if (a.empty()) {
      EXPECT_EQ(in_place.valid(), copied.valid()) << line;
      EXPECT_EQ(in_place.num(), copied.num()) << line;
      EXPECT_EQ(in_place.text(), copied.text()) << line;
    }
  }
}

TEST(JsonRow, RejectsWithTheReadersReasons) {
  const Schema s = schema();
  const std::vector<std::string> lines = {
      R"({"tier":"gold"})",                       R"({"id":"a","tier":"bronze"})",
      R"({"id":"a","tier":"gold","tier":"gold"})", R"({"id":7,"tier":"gold"})",
      R"({"id":"a","tier":"gold","n":"x"})",      R"([1])",
      R"({"id":"a",)",                            R"({"id":"","tier":"gold"})"};
  std::string data;
  for (const std::string& l : lines) data += l + "\n";
  std::FILE* in = fmemopen(data.data(), data.size(), "r");
  ASSERT_NE(in, nullptr);
  auto reader = make_reader(DataFormat::JsonLines, in, s);
  ASSERT_EQ(reader->open(), "");
  ColumnBlock block;
  std::vector<Reject> rejects;
  while (reader->next(block, rejects, 100)) {
  }
  std::fclose(in);
  ASSERT_EQ(rejects.size(), lines.size());
  JsonRowParser row(s);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string reason = row.parse(lines[i].data(), lines[i].data() + lines[i].size());
    EXPECT_FALSE(reason.empty()) << lines[i];
    EXPECT_EQ(reason, rejects[i].reason) << lines[i];
  }
}

}  // namespace
}  // namespace healthc::rt
