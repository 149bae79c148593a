// UTF-16 columns against byte offsets.
#include "compiler/lsp/positions.h"

#include <algorithm>

namespace healthc::lsp {

Utf8Step utf8_step(std::string_view text, uint32_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  const uint32_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (i + len > text.size()) return {1, 1};
  for (uint32_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return {1, 1};
  // Code points above U+FFFF (four bytes) are a surrogate pair in UTF-16.
  return {len, len == 4 ? 2u : 1u};
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') starts_.push_back(i + 1);
}

uint32_t LineIndex::line_end(uint32_t line) const {
  uint32_t end = line + 1 < starts_.size() ? starts_[line + 1] - 1 : static_cast<uint32_t>(text_.size());
  if (end > starts_[line] && text_[end - 1] == '\r') --end;
  return end;
}

Position LineIndex::position(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  const auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  const uint32_t line = static_cast<uint32_t>(it - starts_.begin()) - 1;
  offset = std::min(offset, line_end(line));  // the \r of a \r\n is no column
  uint32_t character = 0;
  for (uint32_t i = starts_[line]; i < offset;) {
    const Utf8Step s = utf8_step(text_, i);
    if (i + s.bytes > offset) break;  // an offset inside a character: its start
    i += s.bytes;
    character += s.units;
  }
  return {line, character};
}

uint32_t LineIndex::offset(Position p) const {
  if (p.line >= starts_.size()) return static_cast<uint32_t>(text_.size());
  const uint32_t end = line_end(p.line);
  uint32_t i = starts_[p.line];
  for (uint32_t units = 0; i < end;) {
    const Utf8Step s = utf8_step(text_, i);
    if (units + s.units > p.character) break;
    units += s.units;
    i += s.bytes;
  }
  return i;
}

}  // namespace healthc::lsp
