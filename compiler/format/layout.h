// The formatter's output model: a card as rows of cells. Rows of one table (the fields of a
// `fields` block, a run of labels, the arms of a `ranges`) pad their cells to common columns and
// line up their trailing comments; format.cpp decides the rows, this renders them.
#pragma once

#include <string>
#include <vector>

namespace healthc::format {

inline constexpr int kIndentWidth = 2;        // spaces per block level
inline constexpr int kContinuationIndent = 2;  // extra levels of a row broken by a comment
inline constexpr int kCommentGap = 3;          // spaces between the widest row and its comments
inline constexpr size_t kMaxWidth = 100;       // a longer point list or match goes a row an item

struct Row {
  int indent = 0;                      // in levels
  std::vector<std::string> cells{1};   // padded to the table's columns, joined by one space
  std::string comment;                 // a trailing comment, as written (`# ...`, `// ...`)
  bool blank_before = false;           // one empty line above the row
  int table = -1;                      // -1: a row of its own
  bool aligned = true;                 // false: cells joined by single spaces (a broken row)
};

// The text of the rows: cells padded per table (a column empty in every row of its table is
// left out), trailing comments of a table in one column, no trailing spaces, a final newline
// (none when there are no rows).
std::string render(const std::vector<Row>& rows);

// Width of UTF-8 text in code points, as an editor's column counts it.
size_t text_width(const std::string& s);

}  // namespace healthc::format
