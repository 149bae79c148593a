// Line tables for SourceFile.
#include "compiler/diag/source.h"

#include <algorithm>

namespace healthc {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

LineCol SourceFile::position(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const uint32_t line = static_cast<uint32_t>(it - line_starts_.begin());
  const uint32_t start = line_starts_[line - 1];
  // Counts characters: a valid UTF-8 sequence is one, and so is each invalid byte.
  uint32_t column = 1;
  for (uint32_t i = start; i < offset; ++column) {
    const auto c = static_cast<unsigned char>(text_[i]);
    const uint32_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    bool ok = i + len <= offset;
    for (uint32_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text_[i + k]) & 0xC0) == 0x80;
    i += ok ? len : 1;
  }
  return {line, column};
}

std::string_view SourceFile::line_text(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  const uint32_t start = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1 : static_cast<uint32_t>(text_.size());
  if (end > start && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(start, end - start);
}

}  // namespace healthc
