// Benchmark blocks: the examples' own generated accounts (through the real CSV reader), or
// synthetic accounts for generated cards.
#include "bench/bench_data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "runtime/io/record_reader.h"

namespace healthc::bench {

std::string source_dir() {
  if (const char* env = std::getenv("HEALTHC_SOURCE_DIR"); env && *env) return env;
  return HEALTHC_SOURCE_DIR;
}

std::string generated_accounts(const rt::Schema& schema, const std::string& gen_card, size_t rows, uint64_t seed,
                               rt::ColumnBlock& block) {
  const std::string command = "python3 '" + source_dir() + "/scripts/gen_accounts.py' --card " + gen_card +
                              " --rows " + std::to_string(rows) + " --seed " + std::to_string(seed);
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "cannot run `" + command + "`";
  auto reader = rt::make_reader(rt::DataFormat::Csv, pipe, schema);
  std::string error = reader->open();
  std::vector<rt::Reject> rejects;
  block.reset(schema);
  if (error.empty()) {
    reader->next(block, rejects, rows);
    // Drain the pipe so the generator exits cleanly.
    rt::ColumnBlock rest;
    rest.reset(schema);
    while (reader->next(rest, rejects, rows)) rest.reset(schema);
  }
  const int status = ::pclose(pipe);
  if (!error.empty()) return error;
  if (status != 0) return "`" + command + "` failed";
  if (!rejects.empty()) return "line " + std::to_string(rejects[0].line) + " rejected: " + rejects[0].reason;
  if (block.rows != rows) return "got " + std::to_string(block.rows) + " rows, wanted " + std::to_string(rows);
  return {};
}

rt::ColumnBlock synthetic_accounts(const rt::Schema& schema, size_t rows, double as_of, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  rt::ColumnBlock b;
  b.reset(schema);
  b.rows = rows;
  b.line.resize(rows);
  for (size_t r = 0; r < rows; ++r) b.line[r] = r + 2;
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    const rt::FieldSpec& spec = schema.fields[f];
    b.valid[f].assign(rows, 1);
    if (spec.type == rt::FieldType::Text) b.text[f].resize(rows);
    else b.num[f].resize(rows);
    for (size_t r = 0; r < rows; ++r) {
      if (spec.optional && unit(rng) < 0.05) {
        b.valid[f][r] = 0;
        if (spec.type == rt::FieldType::Text) b.text[f][r] = rt::TextRef{"", 0};
        continue;
      }
      switch (spec.type) {
        case rt::FieldType::Text: {
          char buf[32];
          const int n = std::snprintf(buf, sizeof buf, spec.key ? "acc-%07zu" : "t%zu", spec.key ? r + 1 : r % 7);
          const std::string_view kept = b.keep(std::string_view(buf, static_cast<size_t>(n)));
          b.text[f][r] = rt::TextRef{kept.data(), kept.size()};
          break;
        }
        case rt::FieldType::Enum:
          b.num[f][r] = std::floor(unit(rng) * static_cast<double>(std::max<size_t>(1, spec.members.size())));
          break;
        case rt::FieldType::Bool: b.num[f][r] = unit(rng) < 0.5 ? 0.0 : 1.0; break;
        case rt::FieldType::Date: b.num[f][r] = as_of + std::floor(unit(rng) * 730.0) - 365.0; break;
        case rt::FieldType::Number: b.num[f][r] = std::floor(unit(rng) * 10000.0) / 100.0; break;
      }
    }
  }
  return b;
}

}  // namespace healthc::bench
