// What the CSV and JSON Lines readers share besides the cell grammars (cell_parse.h): the
// set-up (which header column or JSON key feeds which field and extra column, and the header's
// checks), the block bookkeeping (starting a block, rejects) and the row building (one row,
// converted and checked whole, appended to the block's columns). The JSON row parser
// (json_row.h, shared with the C API) keeps its own key map today; slot_map() is the one it can
// take over.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/io/column_block.h"
#include "runtime/io/schema.h"

namespace healthc::rt {

// Where a name (a header column, a JSON key) goes: a field, an extra column, or both (an
// outcome column that is also a field).
struct ColumnSlot {
  int32_t field = -1;
  int32_t extra = -1;
};
// The slots of every field and extra column, by name; the views point into `schema`.
std::unordered_map<std::string_view, ColumnSlot> slot_map(const Schema& schema);

// Which column of a header each field and extra column reads.
struct ColumnMapping {
  size_t columns = 0;                // cells a record must have
  std::vector<size_t> field_column;  // [field]
  std::vector<int64_t> extra_column;  // [extra], -1 when the header lacks it (not an error)
};
// Maps header `names` (trimmed) onto `schema`. Returns why the header cannot be read: a name
// that appears twice, or fields without a column. An empty name names nothing.
std::string map_columns(const Schema& schema, const std::vector<std::string>& names, ColumnMapping& out);

// Starts a block of `schema`'s rows, its first row being accepted row `first_row`.
inline void start_block(const Schema& schema, ColumnBlock& block, uint64_t first_row) {
  block.reset(schema);
  block.first_row_index = first_row;
}

// A record that cannot be read: never scored, reported with its line and reason, kept whole.
inline void add_reject(std::vector<Reject>& rejects, uint64_t line, std::string reason, const char* begin,
                       const char* end) {
  rejects.push_back(Reject{line, std::move(reason), std::string(begin, static_cast<size_t>(end - begin))});
}

// The reasons of a row's bad cells, gathered so that every one is named (spec "Bad input"):
// one cell's reason as it is, several as `N bad cells: REASON; REASON`. Costs nothing on a
// good row.
class BadCells {
 public:
  void clear() {
    count_ = 0;
    text_.clear();
  }
  void add(std::string_view why) {
    if (count_++) text_.append("; ");
    text_.append(why);
  }
  bool any() const { return count_ > 0; }
  std::string reason() const { return count_ == 1 ? text_ : std::to_string(count_) + " bad cells: " + text_; }

 private:
  size_t count_ = 0;
  std::string text_;
};

// The index of `schema`'s key field, or -1.
inline int32_t key_field_of(const Schema& schema) {
  for (size_t f = 0; f < schema.fields.size(); ++f)
    if (schema.fields[f].key) return static_cast<int32_t>(f);
  return -1;
}

// Sizes `block`'s columns for `rows` rows once (a span's line count bounds its records), so a
// span fills them without regrowing.
void reserve_rows(const Schema& schema, ColumnBlock& block, size_t rows);

// How many keys a run of a mapped file will hold, from its first span (`rows` accepted from
// `span_bytes` of the file's `file_bytes`), with a little room: SeenKeys::reserve's estimate.
inline size_t estimate_keys(size_t rows, size_t span_bytes, uint64_t file_bytes) {
  if (span_bytes == 0) return 0;
  const double keys = static_cast<double>(rows) * (static_cast<double>(file_bytes) / static_cast<double>(span_bytes));
  return static_cast<size_t>(keys * 1.03) + 1024;
}

// Removes rows `drop` (ascending) from `block`, keeping the others in order.
void remove_rows(ColumnBlock& block, const std::vector<size_t>& drop);

// Appends one row that was converted and checked whole (so a rejected row leaves no trace):
// per field its value (non-text fields), its validity, and its bytes (text fields, copied into
// the block's arena); per extra column its raw text and whether the record had it.
// Inlined: it runs once a row on the readers' hot path.
[[gnu::always_inline]] inline void append_row(const Schema& schema, ColumnBlock& block, const double* num,
                                              const uint8_t* valid, const std::string_view* text,
                                              const std::string_view* extra, const uint8_t* extra_present,
                                              uint64_t line) {
  const auto& fields = schema.fields;
  for (size_t f = 0; f < fields.size(); ++f) {
    if (fields[f].type == FieldType::Text) {
      const std::string_view kept = block.keep(text[f]);
      block.text[f].push_back(TextRef{kept.data(), kept.size()});
    } else {
      block.num[f].push_back(num[f]);
    }
    block.valid[f].push_back(valid[f]);
  }
  for (size_t e = 0; e < schema.extra_columns.size(); ++e) {
    std::string_view kept = block.keep({});
    if (extra_present[e]) {
      // Without a header (JSON Lines), "present" means some row of this block has it.
      block.extra_present[e] = true;
      kept = block.keep(extra[e]);
    }
    block.extra[e].push_back(TextRef{kept.data(), kept.size()});
  }
  block.line.push_back(line);
  ++block.rows;
}

}  // namespace healthc::rt
