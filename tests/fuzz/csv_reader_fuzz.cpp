// Fuzz target: the CSV reader. The schema comes from the input's own first line (so mutated
// headers still open): a name of the example cards' data keeps its type there, any other name
// is typed by its first letter. The bytes are read three ways, which must agree row for row and
// reject for reject: a large chunk, tiny chunks with small blocks, and the parallel span path.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "tests/fuzz/reader_fuzz_util.h"

namespace healthc::fuzz {
namespace {

using rt::FieldSpec;
using rt::FieldType;

constexpr size_t kMaxInputBytes = 64 * 1024;
constexpr size_t kMaxFields = 24;

FieldSpec typed_field(std::string name) {
  FieldSpec f;
  f.name = std::move(name);
  // The b2b example's columns (examples/data/b2b_saas_sample.csv, the seed corpus).
  if (f.name == "account_id") {
    f.type = FieldType::Text;
    f.key = true;
  } else if (f.name == "tier") {
    f.type = FieldType::Enum;
    f.members = {"enterprise", "mid_market", "smb"};
  } else if (f.name == "csm_pulse") {
    f.type = FieldType::Enum;
    f.members = {"red", "yellow", "green"};
    f.optional = true;
  } else if (f.name == "renewal_date") {
    f.type = FieldType::Date;
    f.optional = true;
  } else if (f.name == "nps" || f.name == "logins_prev_30d") {
    f.optional = true;
  } else if (!f.name.empty()) {
    switch (f.name[0]) {
      case 'b': f.type = FieldType::Bool; break;
      case 'd': f.type = FieldType::Date; break;
      case 'e': f.type = FieldType::Enum; f.members = {"a", "b", "c"}; break;
      case 't': f.type = FieldType::Text; break;
      default: f.type = FieldType::Number;
    }
    f.optional = f.name.back() == '_';
  }
  return f;
}

// Fields from the comma-separated names of the first line; `x...` names are extra columns.
rt::Schema schema_from_header(std::string_view bytes) {
  rt::Schema schema;
  const std::string_view line = bytes.substr(0, bytes.find('\n'));
  std::unordered_set<std::string> seen;
  size_t start = 0;
  while (start <= line.size() && schema.fields.size() + schema.extra_columns.size() < kMaxFields) {
    size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) comma = line.size();
    std::string name(line.substr(start, comma - start));
    while (!name.empty() && (name.back() == '\r' || name.back() == ' ')) name.pop_back();
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    start = comma + 1;
    if (name.empty() || !seen.insert(name).second) continue;
    if (name[0] == 'x' || name == "churned") schema.extra_columns.push_back(std::move(name));
    else schema.fields.push_back(typed_field(std::move(name)));
  }
  return schema;
}

}  // namespace
}  // namespace healthc::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace healthc;
  if (size > fuzz::kMaxInputBytes) return -1;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const rt::Schema schema = fuzz::schema_from_header(bytes);
  const auto csv = rt::DataFormat::Csv;
  const fuzz::Reading whole = fuzz::read_with_next(csv, bytes, schema, size_t{1} << 20, 1024);
  // Chunk and block sizes from the input's length, so every size is tried.
  const size_t tiny_chunk = 1 + size % 7, small_block = 1 + size % 3;
  const fuzz::Reading tiny = fuzz::read_with_next(csv, bytes, schema, tiny_chunk, small_block);
  if (!(whole == tiny))
    fuzz::fail("chunks of " + std::to_string(tiny_chunk) + " bytes read differently:\nwhole: " +
               fuzz::describe(whole) + "\ntiny: " + fuzz::describe(tiny));
  if (!whole.open_error.empty()) return 0;
  const std::optional<fuzz::Reading> spans = fuzz::read_with_spans(csv, bytes, schema, tiny_chunk, 1 + size % 64);
  fuzz::require(spans.has_value(), "the CSV reader cannot split");
  if (!(whole == *spans))
    fuzz::fail("the span path read differently:\nnext: " + fuzz::describe(whole) + "\nspans: " + fuzz::describe(*spans));
  return 0;
}
