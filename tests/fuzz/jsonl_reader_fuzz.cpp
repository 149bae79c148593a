// Fuzz target: the JSON Lines reader, with the schema of the b2b example (plus a bool and a
// free text field, and two extra columns). The differential: the whole buffer read at once and
// the same bytes read a few bytes at a time, in small blocks, give the same rows and rejects.
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/fuzz/reader_fuzz_util.h"

namespace healthc::fuzz {
namespace {

using rt::FieldType;

constexpr size_t kMaxInputBytes = 64 * 1024;

rt::FieldSpec field(std::string name, FieldType type, bool optional = false, std::vector<std::string> members = {}) {
  rt::FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  f.optional = optional;
  f.members = std::move(members);
  return f;
}

rt::Schema b2b_schema() {
  rt::Schema s;
  s.fields.push_back(field("account_id", FieldType::Text));
  s.fields.back().key = true;
  s.fields.push_back(field("tier", FieldType::Enum, false, {"enterprise", "mid_market", "smb"}));
  for (const char* n : {"days_live", "active_users", "seats", "p1_open"}) s.fields.push_back(field(n, FieldType::Number));
  s.fields.push_back(field("nps", FieldType::Number, true));
  s.fields.push_back(field("csm_pulse", FieldType::Enum, true, {"red", "yellow", "green"}));
  s.fields.push_back(field("logins_30d", FieldType::Number));
  s.fields.push_back(field("logins_prev_30d", FieldType::Number, true));
  s.fields.push_back(field("renewal_date", FieldType::Date, true));
  s.fields.push_back(field("active", FieldType::Bool, true));
  s.fields.push_back(field("note", FieldType::Text, true));
  s.extra_columns = {"churned", "expect_score"};
  return s;
}

}  // namespace
}  // namespace healthc::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace healthc;
  if (size > fuzz::kMaxInputBytes) return -1;
  static const rt::Schema schema = fuzz::b2b_schema();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto jsonl = rt::DataFormat::JsonLines;
  const fuzz::Reading whole = fuzz::read_with_next(jsonl, bytes, schema, size_t{1} << 20, 1024);
  // Chunk and block sizes from the input's length, so every size is tried.
  const size_t tiny_chunk = 1 + size % 7, small_block = 1 + size % 3;
  const fuzz::Reading tiny = fuzz::read_with_next(jsonl, bytes, schema, tiny_chunk, small_block);
  if (!(whole == tiny))
    fuzz::fail("chunks of " + std::to_string(tiny_chunk) + " bytes read differently:\nwhole: " +
               fuzz::describe(whole) + "\ntiny: " + fuzz::describe(tiny));
  if (const std::optional<fuzz::Reading> spans = fuzz::read_with_spans(jsonl, bytes, schema, tiny_chunk, 1 + size % 64))
    if (!(whole == *spans))
      fuzz::fail("the span path read differently:\nnext: " + fuzz::describe(whole) + "\nspans: " + fuzz::describe(*spans));
  return 0;
}
