// Writes N random cards of the differential generator (tests/common/card_generator.h) and
// random rows for each, for the SQL differential test (tests/sql/sql_engines.py):
//
//   healthc_sql_cards OUT_DIR N SEED ROWS
//
// writes OUT_DIR/card_I.health and OUT_DIR/card_I.csv for I in 0..N-1 (card I from seed
// SEED + I; the same seed gives the same files).
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "compiler/api/compile.h"
#include "runtime/io/cell_parse.h"
#include "runtime/output.h"
#include "tests/common/card_generator.h"

namespace {

bool write_file(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

// The block as CSV, in the spellings `healthc score` reads.
std::string csv(const healthc::rt::Schema& schema, const healthc::rt::ColumnBlock& b) {
  using healthc::rt::FieldType;
  std::string out;
  for (size_t f = 0; f < schema.fields.size(); ++f) out += (f ? "," : "") + schema.fields[f].name;
  out += "\n";
  for (size_t r = 0; r < b.rows; ++r) {
    for (size_t f = 0; f < schema.fields.size(); ++f) {
      if (f) out.push_back(',');
      if (!b.valid[f][r]) continue;
      const auto& spec = schema.fields[f];
      const double v = spec.type == FieldType::Text ? 0.0 : b.num[f][r];
      switch (spec.type) {
        case FieldType::Text: healthc::rt::append_csv(out, b.text[f][r].view()); break;
        case FieldType::Enum: out += spec.members[static_cast<size_t>(v)]; break;
        case FieldType::Bool: out += v != 0 ? "true" : "false"; break;
        case FieldType::Date: out += healthc::rt::date_text(static_cast<int64_t>(v)); break;
        case FieldType::Number: healthc::rt::append_number(out, v); break;
      }
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: healthc_sql_cards OUT_DIR N SEED ROWS\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int n = std::atoi(argv[2]);
  const uint64_t seed = std::strtoull(argv[3], nullptr, 10);
  const size_t rows = std::strtoull(argv[4], nullptr, 10);
  for (int i = 0; i < n; ++i) {
    healthc::test_support::CardGenerator g(seed + static_cast<uint64_t>(i));
    const std::string text = g.card();
    healthc::CompileOptions options;
    options.engine = healthc::Engine::Evaluator;
    healthc::CompileOutcome c = healthc::compile_scorecard_text("random.health", text, options);
    if (!c.scorecard) {
      std::fprintf(stderr, "healthc_sql_cards: card %d does not compile: %s\n", i, c.error.c_str());
      return 1;
    }
    const healthc::rt::Schema schema = c.scorecard->schema();
    const healthc::rt::ColumnBlock block = healthc::test_support::random_block(schema, g, rows);
    const std::string base = dir + "/card_" + std::to_string(i);
    if (!write_file(base + ".health", text) || !write_file(base + ".csv", csv(schema, block))) {
      std::fprintf(stderr, "healthc_sql_cards: cannot write %s\n", base.c_str());
      return 1;
    }
  }
  return 0;
}
