// The input schema a reader is given: the scorecard's fields, in declaration order.
// Built from the checked scorecard; the reader knows nothing of the language.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace healthc::rt {

enum class FieldType : uint8_t { Number, Bool, Text, Date, Enum };

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::Number;
  bool optional = false;
  bool key = false;
  std::vector<std::string> members;  // enum members as the data spells them, in declaration order (value = index)
  // Some members carry `= "..."` spellings (spec "Pinned details"): those are matched against
  // the cell as it is; the others (exact[m] == 0) against the trimmed cell, as in v1.
  bool exact_members = false;
  std::vector<uint8_t> exact;  // per member; empty when none is spelled
};

struct Schema {
  std::vector<FieldSpec> fields;
  // Columns that are not fields but that a command wants to see as raw text per row
  // (an outcome column, `expect_*` columns). Missing extras are not an error; see
  // ColumnBlock::extra_present.
  std::vector<std::string> extra_columns;
  // Cells that mean missing besides the empty one (`--null NA`): a field's cell (non-text
  // fields: trimmed) equal to one reads as empty, so a required field's is rejected as empty.
  std::vector<std::string> null_cells;
};

// Whether `cell` is one of `schema`'s null cells. Cheap when there are none (the usual case).
inline bool is_null_cell(const Schema& schema, std::string_view cell) {
  for (const std::string& n : schema.null_cells)
    if (cell == n) return true;
  return false;
}

}  // namespace healthc::rt
