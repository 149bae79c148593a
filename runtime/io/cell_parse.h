// Turns one data cell into the column layout's value (a double, or "missing") for its field
// type, or into the reason it cannot be read. Shared by the CSV and JSON Lines readers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/io/schema.h"

namespace healthc::rt {

enum class CellStatus : uint8_t {
  Present,   // `value` holds the cell (text fields: the cell is non-empty)
  Missing,   // an empty cell of an optional field
  Rejected,  // `reason` says why the row cannot be read
};

// Parses `cell` for `field`. Non-text cells are trimmed of ASCII spaces and tabs first; a text
// cell is taken as is and its value left untouched (the caller keeps the bytes). On Rejected,
// `reason` is overwritten; it is not touched otherwise, so the hot path never allocates.
CellStatus parse_cell(const FieldSpec& field, std::string_view cell, double& value,
                      std::string& reason);

// The same, packaged for callers that do not mind a string per call (tests, tools).
struct CellValue {
  CellStatus status = CellStatus::Missing;
  double value = 0;
  std::string reason;
};
CellValue parse_cell(const FieldSpec& field, std::string_view cell);

// The per-type grammars, on an already trimmed cell. Each returns nullopt when the cell is
// not of its type.
std::optional<double> parse_number(std::string_view cell);  // finite decimals only
std::optional<bool> parse_bool(std::string_view cell);      // true/false/yes/no/1/0, any case
std::optional<int64_t> parse_date(std::string_view cell);   // YYYY-MM-DD -> days since 1970-01-01
std::optional<uint32_t> parse_enum(const FieldSpec& field, std::string_view cell);  // member index

// Days from 1970-01-01 to the given proleptic Gregorian date (negative before it).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);
// The inverse of parse_date: days since 1970-01-01 as YYYY-MM-DD.
std::string date_text(int64_t days);

// Leading and trailing ASCII spaces and tabs off. Inline: it runs on every non-text cell.
inline std::string_view trim_spaces(std::string_view cell) {
  size_t b = 0, e = cell.size();
  while (b < e && (cell[b] == ' ' || cell[b] == '\t')) ++b;
  while (e > b && (cell[e - 1] == ' ' || cell[e - 1] == '\t')) --e;
  return cell.substr(b, e - b);
}

// A cell as it appears inside a reason: in backticks, cut short when it is long, so a
// runaway cell does not make a runaway message.
std::string quote_cell(std::string_view cell);

}  // namespace healthc::rt
