// The input schema a reader is given: the scorecard's fields, in declaration order.
// Built from the checked scorecard; the reader knows nothing of the language.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace healthc::rt {

enum class FieldType : uint8_t { Number, Bool, Text, Date, Enum };

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::Number;
  bool optional = false;
  bool key = false;
  std::vector<std::string> members;  // enum members, in declaration order (value = index)
};

struct Schema {
  std::vector<FieldSpec> fields;
  // Columns that are not fields but that a command wants to see as raw text per row
  // (an outcome column, `expect_*` columns). Missing extras are not an error; see
  // ColumnBlock::extra_present.
  std::vector<std::string> extra_columns;
};

}  // namespace healthc::rt
