// One JSON object (a line of JSON Lines) into a row of the column layout: the conversion rules
// the JSON Lines reader and the C API's hc_score_json share, so both accept and reject the
// same things with the same reasons. Values go through the CSV cell grammars (cell_parse.h).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/io/cell_fast.h"
#include "runtime/io/row_builder.h"
#include "runtime/io/schema.h"

namespace healthc::rt {

class JsonRowParser {
 public:
  // `schema` must outlive the parser. Not thread-safe: one parser a thread.
  explicit JsonRowParser(const Schema& schema);
  JsonRowParser(const JsonRowParser&) = delete;
  JsonRowParser& operator=(const JsonRowParser&) = delete;

  // Parses the record [begin, end) (no line terminator; a leading byte-order mark is skipped).
  // Returns empty when the row is good, else the reason it is rejected. After success the
  // accessors hold the row until the next parse. `readable_end`, when given, is where the
  // caller's buffer ends (at or past `end`): with simdjson's padding (SIMDJSON_PADDING bytes)
  // readable past the line, the line is parsed where it lies, else from a padded copy.
  std::string parse(const char* begin, const char* end, const char* readable_end = nullptr);

  // Per field: the value (enums their member index, bools 0/1, dates days since 1970-01-01;
  // 0 when missing or text), validity, and text fields' bytes (pointing into the parser).
  const std::vector<double>& num() const { return row_num_; }
  const std::vector<uint8_t>& valid() const { return row_valid_; }
  const std::vector<std::string_view>& text() const { return row_text_; }
  // An extra column's raw text (`buf` holds it for a number); false when absent or null.
  bool extra_text(size_t extra, char (&buf)[64], std::string_view& out) const;

 private:
  std::string parse_document(const char* begin, const char* end, const char* readable_end,
                             simdjson::dom::element& root);
  std::string find_values(simdjson::dom::object record);

  struct Slot {  // where a top-level key goes: a field, an extra column, or both
    int32_t field = -1;
    int32_t extra = -1;
  };
  const Schema& schema_;
  simdjson::dom::parser parser_;
  std::vector<char> padded_;
  std::unordered_map<std::string_view, Slot> slot_of_;
  // The previous record's keys in order with their slots: records of one file nearly always
  // list their keys the same way, so a key is matched by one compare instead of a hash lookup.
  struct SeenKey {
    std::string name;
    Slot slot;
    bool known = false;  // in slot_of_
  };
  std::vector<SeenKey> last_keys_;
  std::vector<EnumMatcher> enums_;  // [field]: enum cells given as strings
  // Reused for every record; the views and elements point into parser_'s current document.
  std::vector<simdjson::dom::element> field_value_, extra_value_;
  std::vector<uint8_t> field_seen_, extra_seen_;
  std::vector<std::string_view> other_keys_;
  std::vector<double> row_num_;
  std::vector<uint8_t> row_valid_;
  std::vector<std::string_view> row_text_;
  std::string reason_;
  BadCells bad_;
};

}  // namespace healthc::rt
