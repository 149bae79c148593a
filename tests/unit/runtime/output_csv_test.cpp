// CSV rows written by the scores writer from its per-card tables: every segment, band, color,
// label and override (and none) in any column order, the key quoted only when it must be, and
// the same rows as JSON Lines' values.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <random>
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

namespace healthc::rt {
namespace {

std::string fixed1_reference(double v) {
  char buf[400];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 1);
  return std::string(buf, r.ptr);
}

std::string fixed1(double v) {
  std::string out;
  append_fixed1(out, v);
  return out;
}

// The reasons' points to one decimal: byte for byte what std::to_chars writes, on the values
// the fast path takes and on those it leaves to to_chars (exact halves, a hair either side of
// one, large, negative, signed zero, non-finite).
TEST(OutputCsv, OneDecimalEqualsToCharsFixed) {
  std::vector<double> values = {0.0,   -0.0,  0.04, 0.05, 0.15, 0.25, 0.35, 12.25, 12.35, 99.95, 100.0,
                                999999.95, 1e6, 1e6 + 0.05, 1e300, -1e300, -3.25, 5e-324,
                                std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::max()};
  // Every k/20 (the halves and the tenths) and its neighbours a few ulps away.
  for (int k = 0; k <= 40000; ++k) {
    double v = k / 20.0;
    for (int step = 0; step < 3; ++step) v = std::nextafter(v, 0.0);
    for (int step = 0; step < 7; ++step, v = std::nextafter(v, 1e9)) values.push_back(v);
  }
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> small(0.0, 150.0), wide(0.0, 2e6);
  for (int i = 0; i < 200000; ++i) values.push_back(i % 2 ? small(rng) : wide(rng));
  // Weights times (100 - score), as the reasons compute them.
  for (int i = 0; i < 100000; ++i) values.push_back(small(rng) / 7.0 * (100.0 - small(rng) / 1.5));
  for (double v : values) ASSERT_EQ(fixed1(v), fixed1_reference(v)) << "value " << v;
}

}  // namespace
}  // namespace healthc::rt
