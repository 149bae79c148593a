// Renders the formatter's rows: column widths per table, then the trailing-comment column.
#include "compiler/format/layout.h"

#include <algorithm>
#include <map>

namespace healthc::format {

size_t text_width(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

namespace {

void pad_to(std::string& out, size_t width) {
  const size_t w = text_width(out);
  if (w < width) out.append(width - w, ' ');
}

std::string row_text(const Row& row, const std::vector<size_t>* widths) {
  std::string out(static_cast<size_t>(row.indent * kIndentWidth), ' ');
  std::string line;
  const size_t last = row.cells.size() - 1;
  for (size_t i = 0; i <= last; ++i) {
    const std::string& cell = row.cells[i];
    if (widths && row.aligned && i < last) {
      const size_t w = i < widths->size() ? (*widths)[i] : 0;
      if (w == 0 && cell.empty()) continue;
      std::string padded = cell;
      pad_to(padded, w);
      line += padded;
      line += ' ';
    } else if (!cell.empty()) {
      line += cell;
      if (i < last) line += ' ';
    }
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line.empty() ? std::string() : out + line;
}

}  // namespace

std::string render(const std::vector<Row>& rows) {
  // Column widths: cell i of a table is as wide as its widest cell i in an aligned row that has
  // a cell after it (the last cell of a row is never padded).
  std::map<int, std::vector<size_t>> widths;
  for (const Row& r : rows) {
    if (r.table < 0 || !r.aligned) continue;
    std::vector<size_t>& w = widths[r.table];
    if (w.size() + 1 < r.cells.size()) w.resize(r.cells.size() - 1, 0);
    for (size_t i = 0; i + 1 < r.cells.size(); ++i) w[i] = std::max(w[i], text_width(r.cells[i]));
  }
  std::vector<std::string> lines;
  lines.reserve(rows.size());
  for (const Row& r : rows) {
    auto it = r.table < 0 ? widths.end() : widths.find(r.table);
    lines.push_back(row_text(r, it == widths.end() ? nullptr : &it->second));
  }
  // One comment column per table: past the widest of its rows that carry a comment.
  std::map<int, size_t> comment_col;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].comment.empty() || rows[i].table < 0) continue;
    size_t& c = comment_col[rows[i].table];
    c = std::max(c, text_width(lines[i]) + kCommentGap);
  }
  std::string out;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (r.blank_before && !out.empty()) out += '\n';
    std::string line = lines[i];
    if (!r.comment.empty()) {
      if (line.empty()) {
        line = std::string(static_cast<size_t>(r.indent * kIndentWidth), ' ') + r.comment;
      } else {
        const size_t col = r.table < 0 ? text_width(line) + kCommentGap : comment_col[r.table];
        pad_to(line, col);
        line += r.comment;
      }
    }
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace healthc::format
