// The JSON row parser shared by the JSON Lines reader and hc_score_json: values in the column
// layout, and a rejected row's reason the same as the reader gives for that line.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <simdjson.h>

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
  // What follows each line in the buffer: text that would complete or change it if read
  // (digits go on a number the line ends with), cut to lengths about simdjson's padding: one
  // short of it (the copy), exactly it and more (in place).
  const std::string text = std::string(R"(345}d"}"}]},"n":7,"tier":"silver"})") + std::string(80, ' ');
  const size_t pad = simdjson::SIMDJSON_PADDING;
  JsonRowParser in_place(s), copied(s);
  for (const std::string& line : lines)
    for (const size_t tail : {size_t{0}, pad - 1, pad, pad + 1, text.size()}) {
      // The line and its tail alone in an allocation of their own, so reading past it shows
      // under the sanitizers.
      const size_t n = line.size() + tail;
      const auto buf = std::make_unique<char[]>(n);
      std::memcpy(buf.get(), line.data(), line.size());
      std::memcpy(buf.get() + line.size(), text.data(), tail);
      const char* b = buf.get();
      const std::string a = in_place.parse(b, b + line.size(), b + n);
      const std::string c = copied.parse(line.data(), line.data() + line.size());
      EXPECT_EQ(a, c) << line << " + " << tail;
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
