// LSP positions (0-based line, column in UTF-16 code units) against the byte offsets the front end
// reports (compiler/diag/source.h). A card with non-ASCII titles or comments differs in the two.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/source.h"

namespace healthc::lsp {

struct Position {
  uint32_t line = 0;       // 0-based
  uint32_t character = 0;  // 0-based, UTF-16 code units from the line start
  bool operator==(const Position&) const = default;
};

struct Range {
  Position start, end;
  bool operator==(const Range&) const = default;
};

// A line table over one text (the text must outlive it).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);

  Position position(uint32_t offset) const;
  Range range(SourceRange r) const { return {position(r.begin), position(r.end)}; }
  // The byte offset of a position; a column past the line's end is the line's end (as LSP says),
  // a line past the last is the end of the text, a column inside a character its start.
  uint32_t offset(Position p) const;
  uint32_t line_count() const { return static_cast<uint32_t>(starts_.size()); }

 private:
  uint32_t line_end(uint32_t line) const;  // the offset of line's terminator (or the text's end)
  std::string_view text_;
  std::vector<uint32_t> starts_;
};

// The length of the UTF-8 sequence starting at text[i] (1 for an invalid byte, as SourceFile
// counts it) and how many UTF-16 units it is.
struct Utf8Step {
  uint32_t bytes = 1;
  uint32_t units = 1;
};
Utf8Step utf8_step(std::string_view text, uint32_t i);

}  // namespace healthc::lsp
