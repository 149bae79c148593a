// One JSON object into a row: simdjson parses (bounded: no recursion, UTF-8 checked); nlohmann
// only words the reason for a malformed record.
#include "runtime/io/json_row.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "runtime/io/cell_fast.h"
#include "runtime/io/cell_parse.h"
#include "runtime/io/utf8.h"

namespace healthc::rt {
namespace {

using nlohmann::json;

// Walks a line without building anything, only to catch nlohmann's message, which names the
// column and the token (simdjson's name only the kind of error). Its parser is iterative too.
class ErrorCatcher final : public nlohmann::json_sax<json> {
 public:
  std::string message;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    message = ex.what();
    return false;
  }
};

// nlohmann's message, without its "[json.exception.parse_error.101] " tag and with the line
// dropped: the record is a single line, and the reject already carries the file's line.
// Empty when nlohmann finds nothing wrong.
std::string parse_error_message(const char* begin, const char* end) {
  ErrorCatcher catcher;
  json::sax_parse(begin, end, &catcher);
  if (catcher.message.empty()) return {};
  std::string msg = catcher.message;
  if (msg.front() == '[') {
    const size_t close = msg.find("] ");
    if (close != std::string::npos) msg.erase(0, close + 2);
  }
  const std::string_view line1 = "parse error at line 1, column";
  if (msg.compare(0, line1.size(), line1) == 0) {
    msg.replace(0, line1.size(), "parse error at column");
  }
  return "malformed json: " + msg;
}

// nlohmann's names for JSON types, which reject reasons have always used.
const char* type_name(simdjson::dom::element_type type) {
  using T = simdjson::dom::element_type;
  switch (type) {
    case T::ARRAY: return "array";
    case T::OBJECT: return "object";
    case T::STRING: return "string";
    case T::BOOL: return "boolean";
    case T::NULL_VALUE: return "null";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE: return "number";
  }
  return "value";
}

// A value's text as a cell: strings as they are, numbers in their shortest exact form, and a
// placeholder for arrays and objects, which are never printed (however deep, they would only
// make a runaway message; printing them was once a stack overflow).
std::string_view scalar_text(simdjson::dom::element v, char (&buf)[64]) {
  using T = simdjson::dom::element_type;
  switch (v.type()) {
    case T::STRING: return v.get_string().value_unsafe();
    case T::INT64: {
      const auto r = std::to_chars(buf, buf + sizeof buf, v.get_int64().value_unsafe());
      return {buf, static_cast<size_t>(r.ptr - buf)};
    }
    case T::UINT64: {
      const auto r = std::to_chars(buf, buf + sizeof buf, v.get_uint64().value_unsafe());
      return {buf, static_cast<size_t>(r.ptr - buf)};
    }
    case T::DOUBLE: {
      const auto r = std::to_chars(buf, buf + sizeof buf, v.get_double().value_unsafe());
      return {buf, static_cast<size_t>(r.ptr - buf)};
    }
    case T::BOOL: return v.get_bool().value_unsafe() ? "true" : "false";
    case T::NULL_VALUE: return "null";
    case T::ARRAY: return "[...]";
    case T::OBJECT: return "{...}";
  }
  return "?";
}

bool is_container(simdjson::dom::element v) {
  const auto t = v.type();
  return t == simdjson::dom::element_type::ARRAY || t == simdjson::dom::element_type::OBJECT;
}

// A value's type read once from the tape: simdjson's is_number() and is_string() each try a
// conversion (is_number up to three), which profiled at 12% of a JSON Lines run.
bool is_number_type(simdjson::dom::element_type t) {
  using T = simdjson::dom::element_type;
  return t == T::INT64 || t == T::UINT64 || t == T::DOUBLE;
}

}  // namespace

JsonRowParser::JsonRowParser(const Schema& schema) : schema_(schema) {
  const size_t nfields = schema_.fields.size(), nextra = schema_.extra_columns.size();
  row_num_.assign(nfields, 0.0);
  row_valid_.assign(nfields, 0);
  row_text_.assign(nfields, {});
  field_value_.assign(nfields, {});
  field_seen_.assign(nfields, 0);
  extra_value_.assign(nextra, {});
  extra_seen_.assign(nextra, 0);
  // Views into schema_, which lives as long as the map.
  for (size_t f = 0; f < nfields; ++f) slot_of_[schema_.fields[f].name].field = static_cast<int32_t>(f);
  for (size_t e = 0; e < nextra; ++e) slot_of_[schema_.extra_columns[e]].extra = static_cast<int32_t>(e);
  enums_.resize(nfields);
  for (size_t f = 0; f < nfields; ++f)
    if (schema_.fields[f].type == FieldType::Enum) enums_[f] = EnumMatcher(schema_.fields[f]);
}

bool JsonRowParser::extra_text(size_t e, char (&buf)[64], std::string_view& out) const {
  if (!extra_seen_[e] || extra_value_[e].is_null()) return false;
  out = scalar_text(extra_value_[e], buf);
  return true;
}

// Parses the line into the parser's document, or says why it cannot be read. The parser
// is sized for the longest line so far, with room for any nesting such a line can hold:
// simdjson builds the document without recursion, so depth costs memory, never stack.
std::string JsonRowParser::parse_document(const char* begin, const char* end, const char* readable_end,
                                          simdjson::dom::element& root) {
  const size_t len = static_cast<size_t>(end - begin);
  if (len > parser_.capacity()) {
    const size_t cap = std::max({len, 2 * parser_.capacity(), size_t{4096}});
    if (parser_.allocate(cap, cap / 2 + 2) != simdjson::SUCCESS) {
      return "the line is too long to read (" + std::to_string(len) + " bytes)";
    }
  }
  // simdjson reads a little past the end of its input (what it reads there does not change
  // the result): the line is parsed in place when the caller's buffer goes on that far, else
  // from a padded copy.
  const char* doc = begin;
  if (!readable_end || readable_end - end < static_cast<std::ptrdiff_t>(simdjson::SIMDJSON_PADDING)) {
    if (padded_.size() < len + simdjson::SIMDJSON_PADDING) padded_.resize(len + simdjson::SIMDJSON_PADDING);
    std::memcpy(padded_.data(), begin, len);
    doc = padded_.data();
  }
  const simdjson::error_code error = parser_.parse(doc, len, false).get(root);
  if (error == simdjson::SUCCESS) return {};
  // The reasons come from nlohmann (column and token) where it has one, or else in the
  // same style; UTF-8 first, since nlohmann would quote the very bytes that are wrong.
  const size_t bad = utf8_error_offset({begin, len});
  if (bad != std::string_view::npos) {
    return "the line is not valid UTF-8 at column " + std::to_string(bad + 1);
  }
  std::string msg = parse_error_message(begin, end);
  if (msg.empty()) {
    // Accepted by nlohmann, refused by simdjson: only an integer past 64 bits does that.
    msg = error == simdjson::NUMBER_ERROR
              ? "malformed json: a number is out of range (integers are limited to 64 bits)"
              : std::string("malformed json: ") + simdjson::error_message(error);
  }
  return msg;
}

// Parses every field first; the row is good only when all are.
std::string JsonRowParser::parse(const char* begin, const char* end, const char* readable_end) {
  // A byte-order mark, as an editor leaves at the start of a file (or of files joined).
  if (end - begin >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0) begin += 3;
  simdjson::dom::element root;
  if (std::string error = parse_document(begin, end, readable_end, root); !error.empty()) return error;
  simdjson::dom::object record;
  if (root.get(record) != simdjson::SUCCESS) {
    return std::string("expected a json object, found ") + type_name(root.type());
  }
  if (std::string dup = find_values(record); !dup.empty()) {
    return "key " + quote_cell(dup) + " appears more than once";
  }
  char buf[64];
  const auto& fields = schema_.fields;
  // Every bad field is named, not only the first (spec "Bad input").
  bad_.clear();
  for (size_t f = 0; f < fields.size(); ++f) {
    const FieldSpec& field = fields[f];
    row_text_[f] = {};
    row_num_[f] = 0.0;
    const simdjson::dom::element v = field_value_[f];
    // field_seen_ first: an absent field's element is empty and must not be read.
    using T = simdjson::dom::element_type;
    const T type = field_seen_[f] ? v.type() : T::NULL_VALUE;
    const bool is_str = type == T::STRING;
    const std::string_view str = is_str ? v.get_string().value_unsafe() : std::string_view{};
    // `--null NA`: a string that means missing is as a null.
    const bool null_text = is_str && !schema_.null_cells.empty() &&
                           is_null_cell(schema_, field.type == FieldType::Text ? str : trim_spaces(str));
    if (type == T::NULL_VALUE || null_text) {
      row_valid_[f] = 0;
      if (field.optional) continue;
      bad_.add("required field `" + field.name + "` is " + (!field_seen_[f] ? "absent" : null_text ? "empty" : "null"));
      continue;
    }
    if (field.type == FieldType::Text) {
      if (!is_str) {
        bad_.add("field `" + field.name + "`: " + quote_cell(scalar_text(v, buf)) + " is not a string");
        continue;
      }
      if (str.empty() && !field.optional) {
        bad_.add("required field `" + field.name + "` is empty");
        continue;
      }
      row_valid_[f] = !str.empty();
      row_text_[f] = str;  // simdjson checked the record, escapes included, for UTF-8
      continue;
    }
    if (field.type == FieldType::Number && is_number_type(type)) {
      // simdjson refuses a literal that overflows; this guard keeps the CSV path's promise
      // (no infinities) should a parser version let one through.
      const double d = v.get_double().value_unsafe();
      if (!std::isfinite(d)) {
        bad_.add("field `" + field.name + "`: " + quote_cell(scalar_text(v, buf)) + " is out of range for a number");
        continue;
      }
      row_num_[f] = d;
      row_valid_[f] = 1;
      continue;
    }
    if (field.type == FieldType::Bool && type == T::BOOL) {
      row_num_[f] = v.get_bool().value_unsafe() ? 1.0 : 0.0;
      row_valid_[f] = 1;
      continue;
    }
    // The usual enum member or date, given as a string without spaces: read inline.
    if (schema_.null_cells.empty() && is_str && !field.exact_members) {
      double d = 0;
      bool done = false;
      if (field.type == FieldType::Date) {
        done = fast_date(str.data(), str.data() + str.size(), d);
      } else if (field.type == FieldType::Enum) {
        const int32_t m = enums_[f].find(str.data(), str.data() + str.size());
        done = m >= 0;
        d = m;
      }
      if (done) {
        row_num_[f] = d;
        row_valid_[f] = 1;
        continue;
      }
    }
    // Strings (numeric strings, bool spellings, dates, enum members) go through the cell
    // grammar; other values through their text, which the grammar rejects with the field's
    // own wording (a bool field still takes the numbers 1 and 0, as in CSV). An array or
    // object is its placeholder, which no grammar takes.
    const CellStatus status = parse_cell(field, scalar_text(v, buf), row_num_[f], reason_);
    if (status == CellStatus::Rejected) {
      bad_.add(reason_);
      continue;
    }
    row_valid_[f] = status == CellStatus::Present;
    if (!row_valid_[f]) row_num_[f] = 0.0;
  }
  if (bad_.any()) return bad_.reason();
  for (size_t e = 0; e < schema_.extra_columns.size(); ++e) {
    if (extra_seen_[e] && is_container(extra_value_[e])) {
      return "column `" + schema_.extra_columns[e] + "`: " + quote_cell(scalar_text(extra_value_[e], buf)) +
             " is not a string, number or bool";
    }
  }
  return {};
}

// One pass over the object's members: each field's and extra column's value into its slot.
// Returns a key that appears twice (which the CSV reader's header rule also refuses: a
// second value that silently wins is a guess), or empty.
std::string JsonRowParser::find_values(simdjson::dom::object record) {
  std::fill(field_seen_.begin(), field_seen_.end(), 0);
  std::fill(extra_seen_.begin(), extra_seen_.end(), 0);
  other_keys_.clear();
  size_t at = 0;
  for (const simdjson::dom::key_value_pair kv : record) {
    Slot slot;
    bool known = false;
    if (at < last_keys_.size() && swar::same_text(last_keys_[at].name, kv.key)) {
      slot = last_keys_[at].slot;
      known = last_keys_[at].known;
    } else {
      const auto it = slot_of_.find(kv.key);
      known = it != slot_of_.end();
      if (known) slot = it->second;
      if (at >= last_keys_.size()) last_keys_.resize(at + 1);
      last_keys_[at] = SeenKey{std::string(kv.key), slot, known};
    }
    ++at;
    if (!known) {
      other_keys_.push_back(kv.key);
      continue;
    }
    if (slot.field >= 0) {
      if (field_seen_[slot.field]) return std::string(kv.key);
      field_seen_[slot.field] = 1;
      field_value_[slot.field] = kv.value;
    }
    if (slot.extra >= 0) {
      if (extra_seen_[slot.extra]) return std::string(kv.key);
      extra_seen_[slot.extra] = 1;
      extra_value_[slot.extra] = kv.value;
    }
  }
  // Keys that are neither are rare and few: sorting them finds a pair without a hash set.
  if (other_keys_.size() > 1) {
    std::sort(other_keys_.begin(), other_keys_.end());
    const auto dup = std::adjacent_find(other_keys_.begin(), other_keys_.end());
    if (dup != other_keys_.end()) return std::string(*dup);
  }
  return {};
}

}  // namespace healthc::rt
