// A block of accounts held column-wise: what readers fill and the scoring functions read.
// Every non-text field is a double array plus a validity array (1 = present); enums hold
// the member index, bools 0/1, dates days since 1970-01-01. Text cells point into `arena`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/io/schema.h"

namespace healthc::rt {

// A text cell. Layout is fixed: generated code reads it (pointer, then 64-bit size).
struct TextRef {
  const char* data = nullptr;
  uint64_t size = 0;
  std::string_view view() const { return {data, static_cast<size_t>(size)}; }
};

struct ColumnBlock {
  size_t rows = 0;
  std::vector<std::vector<double>> num;      // [field][row]; empty for text fields
  std::vector<std::vector<uint8_t>> valid;   // [field][row]; every field
  std::vector<std::vector<TextRef>> text;    // [field][row]; empty for non-text fields
  std::vector<std::vector<TextRef>> extra;   // [extra column][row], raw cell text
  std::vector<bool> extra_present;           // [extra column]: was it in the header
  std::vector<uint64_t> line;                // [row]: 1-based line where the record starts
  uint64_t first_row_index = 0;              // ordinal of row 0 among all accepted rows

  // Owns the bytes TextRefs point to. A deque of chunks never moves stored bytes.
  std::deque<std::string> arena;

  void reset(const Schema& schema);  // sizes the per-field vectors, clears rows
  std::string_view keep(std::string_view bytes);  // copies into arena, returns stable view
};

// A row that could not be read: never scored, reported with its line and reason.
struct Reject {
  uint64_t line = 0;
  std::string reason;
  std::string raw;  // the record's bytes, as in the input (without the line terminator)
};

}  // namespace healthc::rt
