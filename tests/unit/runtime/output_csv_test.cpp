// CSV rows written by the scores writer from its per-card tables: every segment, band, color,
// label and override (and none) in any column order, the key quoted only when it must be, and
// the same rows as JSON Lines' values.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/output.h"

namespace healthc::rt {
namespace {

ir::Program program() {
  ir::Program p;
  p.fields.resize(1);
  p.fields[0].name = std::string("id");
  p.fields[0].type = ir::FieldType::Text;
  p.key_field = 0;
  p.segments.resize(2);
  p.segments[0].name = std::string("enterprise");
  p.segments[1].name = std::string("smb");
  p.bands.resize(2);
  p.bands[0].name = std::string("at_risk");
  p.bands[0].color = std::string("red");
  p.bands[1].name = std::string("healthy");
  p.bands[1].color = std::string("green");
  p.labels.resize(1);
  p.labels[0].name = std::string("expansion");
  p.overrides.resize(2);
  p.overrides[0].name = std::string("churned");
  p.overrides[1].name = std::string("vip");
  return p;
}

TEST(OutputCsv, TablesCoverEveryNameAndNone) {
  const ir::Program p = program();
  Schema schema;
  schema.fields.resize(1);
  schema.fields[0].name = std::string("id");
  schema.fields[0].type = FieldType::Text;
  ColumnBlock block;
  block.reset(schema);
  for (const char* key : {"a", "b,c", "d\"e", "f"}) {
    block.text[0].push_back(TextRef{key, std::char_traits<char>::length(key)});
    block.valid[0].push_back(1);
    block.line.push_back(block.rows + 2);
    ++block.rows;
  }
  BlockScores s;
  s.rows = 4;
  s.segment = {0, 1, 2, 1};  // 2: past the card's segments, `default`
  s.score = {12, -1, 100, 0};
  s.band = {0, 2, 1, 0};     // 2: unscored
  s.label = {-1, 0, -1, 0};
  s.override_ = {-1, -1, 0, 1};
  std::vector<OutputColumn> cols;
  std::string unknown;
  ASSERT_TRUE(select_columns(p, {"override", "id", "color", "segment", "score", "band", "label"}, cols, unknown));
  std::string out;
  format_rows(p, cols, block, s, OutputFormat::Csv, out);
  EXPECT_EQ(out,
            ",a,red,enterprise,12,at_risk,\n"
            ",\"b,c\",grey,smb,,unscored,expansion\n"
            "churned,\"d\"\"e\",green,default,100,healthy,\n"
            "vip,f,red,smb,0,at_risk,expansion\n");
  std::string json;
  format_rows(p, cols, block, s, OutputFormat::JsonLines, json);
  EXPECT_EQ(json.substr(0, json.find('\n')),
            R"({"override":null,"id":"a","color":"red","segment":"enterprise","score":12,"band":"at_risk","label":null})");
}

}  // namespace
}  // namespace healthc::rt
