// CSV rows written by the scores writer from its per-card tables: every segment, band, color,
// label and override (and none) in any column order, the key quoted only when it must be, and
// the same rows as JSON Lines' values.
#include <gtest/gtest.h>
#include <algorithm>
#include <bit>

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

// An empty block of the program's one field, the key.
ColumnBlock key_block() {
  Schema schema;
  schema.fields.resize(1);
  schema.fields[0].name = std::string("id");
  schema.fields[0].type = FieldType::Text;
  ColumnBlock block;
  block.reset(schema);
  return block;
}

TEST(OutputCsv, TablesCoverEveryNameAndNone) {
  const ir::Program p = program();
  ColumnBlock block = key_block();
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

// The rows go through a cursor into the string, which grows a chunk at a time: thousands of
// rows (many chunks), keys of every length from 0 to 70 with and without characters to quote,
// appended after what the string already holds, against the same rows built cell by cell.
TEST(OutputCsv, ManyRowsAcrossChunksAppendToWhatIsThere) {
  const ir::Program p = program();
  ColumnBlock block = key_block();
  std::mt19937 rng(11);
  std::vector<std::string> keys(6000);
  BlockScores s;
  for (size_t r = 0; r < keys.size(); ++r) {
    std::string& k = keys[r];
    k.resize(r % 71);
    for (char& c : k) c = "ab,\"x\n7"[rng() % 6];
    if (rng() % 3) std::replace_if(k.begin(), k.end(), [](char c) { return c == ',' || c == '"' || c == '\n'; }, 'q');
    block.text[0].push_back(TextRef{k.data(), k.size()});
    block.valid[0].push_back(1);
    block.line.push_back(r + 2);
    s.segment.push_back(static_cast<int32_t>(rng() % 3));
    s.score.push_back(static_cast<int32_t>(rng() % 102) - 1);
    s.band.push_back(static_cast<int32_t>(rng() % 3));
    s.label.push_back(-1);
    s.override_.push_back(static_cast<int32_t>(rng() % 3) - 1);
  }
  block.rows = s.rows = keys.size();
  std::vector<OutputColumn> cols;
  std::string unknown;
  ASSERT_TRUE(select_columns(p, {"id", "segment", "score", "band", "override"}, cols, unknown));
  std::string out = "already here\n";
  format_rows(p, cols, block, s, OutputFormat::Csv, out);
  const char* segments[] = {"enterprise", "smb", "default"};
  const char* bands[] = {"at_risk", "healthy", "unscored"};
  const char* overrides[] = {"", "churned", "vip"};
  std::string want = "already here\n";
  for (size_t r = 0; r < keys.size(); ++r) {
    append_csv(want, keys[r]);
    want += std::string(",") + segments[s.segment[r]] + ",";
    if (s.score[r] >= 0) want += std::to_string(s.score[r]);
    want += std::string(",") + bands[s.band[r]] + "," + overrides[s.override_[r] + 1] + "\n";
  }
  EXPECT_EQ(out, want);
}

}  // namespace
}  // namespace healthc::rt

namespace healthc::rt {
namespace {

std::string shortest_reference(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// append_number's short decimals against to_chars's shortest text: every k/1000 up to 10^5
// and their negatives, their neighbouring doubles, the range's edges, and random doubles in it
// and out of it.
TEST(OutputCsv, ShortestNumberEqualsToChars) {
  auto check = [](double v) {
    std::string got;
    append_number(got, v);
    ASSERT_EQ(got, shortest_reference(v)) << std::hexfloat << v;
  };
  for (int64_t k = 0; k <= 100000000; k += (k < 2000000 ? 1 : 997)) {
    const double v = static_cast<double>(k) / 1000.0;
    for (const double x : {v, -v, std::nextafter(v, 0.0), std::nextafter(v, 1e300)}) check(x);
  }
  for (const double v : {0.0, -0.0, 1e-3, 9.99e-4, 0.0015, 0.00099999999999999, 99999.999, 1e5, 99999.9995,
                         1e5 - 1e-9, 12345.5, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 1e300, 5e-324,
                         std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()})
    check(v);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> in(-1e5, 1e5);
  for (int i = 0; i < 300000; ++i) {
    check(in(rng));
    check(std::bit_cast<double>(rng()));
    check(std::round(in(rng) * 100) / 100);
  }
}

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

namespace healthc::rt {
namespace {

// The reasons column (CSV, JSON Lines and reasons_text) picks the branch-free top three: the same
// as sorting every measure that costs points by points, most first, ties in file order
// (rt::reasons, a stable sort), over rows with ties, zero and negative points, and measures
// unscored or outside the row's model.
TEST(OutputCsv, TopThreeReasonsAreTheStableSortsFirstThree) {
  ir::Program p = program();
  const size_t nm = 7, rows = 4000;
  for (size_t m = 0; m < nm; ++m) {
    ir::Measure measure;
    measure.name = "m" + std::to_string(m);
    p.measures.push_back(measure);
  }
  ColumnBlock block;
  Schema schema;
  schema.fields.resize(1);
  schema.fields[0].name = std::string("id");
  schema.fields[0].type = FieldType::Text;
  block.reset(schema);
  std::vector<std::string> keys(rows);
  for (size_t r = 0; r < rows; ++r) {
    keys[r] = "k" + std::to_string(r);
    block.text[0].push_back(TextRef{keys[r].data(), keys[r].size()});
    block.valid[0].push_back(1);
    block.line.push_back(r + 2);
    ++block.rows;
  }
  BlockScores s;
  s.resize(rows, nm, true);
  std::mt19937_64 rng(11);
  const double weights[] = {0.0, 0.1, 0.2, 0.25, 0.5, 1.0, -0.1};
  const double scores[] = {0.0, 50.0, 80.0, 100.0, 100.5, 75.0, 20.0};
  for (size_t r = 0; r < rows; ++r) {
    s.segment[r] = 0;
    s.score[r] = 50;
    s.band[r] = 0;
    s.label[r] = s.override_[r] = -1;
    for (size_t m = 0; m < nm; ++m) {
      const size_t at = m * rows + r;
      s.m_weight[at] = weights[rng() % std::size(weights)];  // few values: many ties
      s.m_score[at] = scores[rng() % std::size(scores)];
      s.m_weight_valid[at] = rng() % 8 != 0;
      s.m_score_valid[at] = rng() % 8 != 0;
      if (!s.m_weight_valid[at]) s.m_weight[at] = std::numeric_limits<double>::quiet_NaN();
    }
  }
  std::vector<OutputColumn> cols;
  std::string unknown;
  ASSERT_TRUE(select_columns(p, {"id", "reasons"}, cols, unknown));
  std::string csv, json;
  format_rows(p, cols, block, s, OutputFormat::Csv, csv);
  format_rows(p, cols, block, s, OutputFormat::JsonLines, json);
  size_t csv_at = 0, json_at = 0, with_three = 0, with_none = 0;
  for (size_t r = 0; r < rows; ++r) {
    std::string want;
    const std::vector<Reason> top = reasons(p, s, r, 3);
    for (size_t i = 0; i < top.size(); ++i) {
      if (i) want += "; ";
      want += p.measures[static_cast<size_t>(top[i].measure)].name + " -";
      append_fixed1(want, top[i].points);
    }
    with_three += top.size() == 3;
    with_none += top.empty();
    EXPECT_EQ(reasons_text(p, s, r), want) << "row " << r;
    const size_t csv_end = csv.find('\n', csv_at);
    EXPECT_EQ(csv.substr(csv_at, csv_end - csv_at), keys[r] + "," + want) << "row " << r;
    csv_at = csv_end + 1;
    const size_t json_end = json.find('\n', json_at);
    EXPECT_EQ(json.substr(json_at, json_end - json_at), "{\"id\":\"" + keys[r] + "\",\"reasons\":\"" + want + "\"}")
        << "row " << r;
    json_at = json_end + 1;
  }
  // Both paths of the writer's tiles give the same cells, the scalar one included on a machine
  // with AVX2.
  std::string want_cells;
  for (size_t r = 0; r < rows; ++r) want_cells += reasons_text(p, s, r) + "\n";
  EXPECT_EQ(detail::reasons_cells(p, s, false), want_cells);
  EXPECT_EQ(detail::reasons_cells(p, s, true), want_cells);
  // The data reaches every case: rows with three reasons, and rows with none.
  EXPECT_GT(with_three, rows / 4);
  EXPECT_GT(with_none, 0u);
}

// Whether a text needs quotes (CSV) or escapes (JSON), eight bytes at a time, against the
// byte-by-byte definition: every length across the word edges, each special byte at every
// place, their neighbours, 0, and bytes of 0x80 and up (which the word tests must not take for a
// special one).
void check_word_test(bool (*plain)(std::string_view), const std::string& specials, bool below_0x20) {
  const std::string bytes = specials + std::string("+-!#[]\x0c\x0e\x0b\x1f\x21\x80\xff\xac\xa2\x8d\x8a\xdc", 18) +
                            std::string(1, '\0') + "abc ";
  auto naive = [&](std::string_view s) {
    for (const char c : s)
      if (specials.find(c) != std::string::npos || (below_0x20 && static_cast<unsigned char>(c) < 0x20)) return false;
    return true;
  };
  std::mt19937 rng(5);
  size_t yes = 0, no = 0;
  for (size_t len = 0; len <= 40; ++len) {
    for (int trial = 0; trial < 200; ++trial) {
      // Mostly letters, so that both answers come up at every length.
      std::string cell(len, 'x');
      for (char& c : cell) c = rng() % 6 == 0 ? bytes[rng() % bytes.size()] : static_cast<char>('a' + rng() % 26);
      const bool want = naive(cell);
      EXPECT_EQ(plain(cell), want) << len << " bytes";
      (want ? yes : no) += 1;
    }
    for (size_t at = 0; at < len; ++at)
      for (const char special : specials) {
        std::string cell(len, '\xff');
        cell[at] = special;
        EXPECT_FALSE(plain(cell)) << len << " bytes, a special byte at " << at;
      }
  }
  EXPECT_GT(yes, 1000u);
  EXPECT_GT(no, 1000u);
}

TEST(OutputCsv, PlainCellsAreFoundAWordAtATime) {
  check_word_test(csv_plain, std::string(",\"\r\n"), false);
  check_word_test(json_plain, std::string("\"\\\n\r\t\x01", 6) + std::string(1, '\0'), true);
}

}  // namespace
}  // namespace healthc::rt
