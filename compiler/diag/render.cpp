// Text and JSON rendering of diagnostics.
#include "compiler/diag/render.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace healthc {
namespace {

constexpr const char* kBold = "\x1b[1m";
constexpr const char* kRed = "\x1b[1;31m";
constexpr const char* kYellow = "\x1b[1;33m";
constexpr const char* kCyan = "\x1b[1;36m";
constexpr const char* kGreen = "\x1b[1;32m";
constexpr const char* kReset = "\x1b[0m";

// Tabs become single spaces and control bytes are shown as '?', so the caret lines up and
// hostile bytes never reach the terminal.
std::string printable(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size();) {
    const auto u = static_cast<unsigned char>(line[i]);
    if (u < 0x80) {
      out.push_back(line[i] == '\t' ? ' ' : (u < 0x20 || u == 0x7F) ? '?' : line[i]);
      ++i;
      continue;
    }
    const size_t len = (u >> 5) == 0x6 ? 2 : (u >> 4) == 0xE ? 3 : (u >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= line.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(line[i + k]) & 0xC0) == 0x80;
    if (ok) {
      out.append(line.substr(i, len));
      i += len;
    } else {  // invalid UTF-8 never reaches the terminal; one '?' per byte keeps columns
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

// Columns count characters; an invalid byte counts as one, as printable() shows it.
size_t code_points(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// Long lines are cut to a window around the range, so a 1 MB line prints a few hundred bytes.
constexpr size_t kWindow = 160;

void snippet(std::string& out, const SourceFile& file, SourceRange range, const char* mark_color,
             const RenderOptions& opts) {
  const LineCol at = file.position(range.begin);
  std::string_view line = file.line_text(at.line);
  const size_t line_start = static_cast<size_t>(line.data() - file.text().data());
  size_t col = std::min<size_t>(range.begin - line_start, line.size());
  size_t len = range.end > range.begin ? range.end - range.begin : 1;
  len = std::max<size_t>(1, std::min(len, line.size() > col ? line.size() - col : 1));
  std::string prefix;
  if (line.size() > kWindow) {
    size_t from = col > kWindow / 2 ? col - kWindow / 2 : 0;
    while (from > 0 && (static_cast<unsigned char>(line[from]) & 0xC0) == 0x80) --from;
    size_t to = std::min(line.size(), from + kWindow);
    while (to < line.size() && (static_cast<unsigned char>(line[to]) & 0xC0) == 0x80) ++to;
    if (from > 0) prefix = "...";
    line = line.substr(from, to - from);
    col -= from;
    len = std::min(len, line.size() > col ? line.size() - col : 1);
  }
  const std::string gutter = fmt::format("{:>5} | ", at.line);
  out += gutter + prefix + printable(line) + "\n";
  const size_t pad = code_points(line.substr(0, std::min(col, line.size()))) + prefix.size();
  const size_t marks = std::max<size_t>(1, code_points(line.substr(std::min(col, line.size()), len)));
  out += std::string(gutter.size() - 2, ' ') + "| " + std::string(pad, ' ');
  if (opts.color) out += mark_color;
  out += "^" + std::string(marks - 1, '~');
  if (opts.color) out += kReset;
  out += "\n";
}

// clang's fix-it line: the replacement under the caret line, at the column it goes to; a
// fix-it elsewhere (or in a long line) as `help:` with its place.
void fixit_lines(std::string& out, const SourceFile& file, const Diagnostic& d, const RenderOptions& opts) {
  const LineCol at = file.position(d.range.begin);
  const std::string gutter(fmt::format("{:>5} | ", at.line).size() - 2, ' ');
  for (const FixIt& f : d.fixits) {
    const LineCol fat = file.position(f.range.begin);
    const std::string_view line = file.line_text(fat.line);
    const std::string shown = printable(f.replacement);
    if (fat.line == at.line && line.size() <= kWindow) {
      const size_t col = std::min<size_t>(f.range.begin - static_cast<size_t>(line.data() - file.text().data()), line.size());
      out += gutter + "| " + std::string(code_points(line.substr(0, col)), ' ');
      if (opts.color) out += kGreen;
      out += shown;
      if (opts.color) out += kReset;
      out += "\n";
    } else {
      out += gutter + "= help: ";
      out += f.range.end > f.range.begin ? "replace with `" + shown + "`" : "insert `" + shown + "`";
      out += fmt::format(" at {}:{}\n", fat.line, fat.column);
    }
  }
}

}  // namespace

std::string render_text(const SourceFile& file, const Diagnostic& d, const RenderOptions& opts) {
  std::string out;
  const LineCol at = file.position(d.range.begin);
  const char* sev_color = d.severity == Severity::Error     ? kRed
                          : d.severity == Severity::Warning ? kYellow
                                                            : kCyan;
  if (opts.color) out += kBold;
  out += fmt::format("{}:{}:{}: ", file.path(), at.line, at.column);
  if (opts.color) out += std::string(kReset) + sev_color;
  out += fmt::format("{}[{}]", severity_name(d.severity), d.code);
  if (opts.color) out += std::string(kReset) + kBold;
  out += ": " + d.message;
  if (opts.color) out += kReset;
  out += "\n";
  snippet(out, file, d.range, kGreen, opts);
  fixit_lines(out, file, d, opts);
  for (const DiagNote& n : d.notes) {
    const LineCol nat = file.position(n.range.begin);
    if (opts.color) out += kBold;
    out += fmt::format("{}:{}:{}: ", file.path(), nat.line, nat.column);
    if (opts.color) out += std::string(kReset) + kCyan;
    out += "note";
    if (opts.color) out += kReset;
    out += ": " + n.message + "\n";
    snippet(out, file, n.range, kCyan, opts);
  }
  return out;
}

namespace {
nlohmann::json range_json(const SourceFile& file, SourceRange r) {
  const LineCol b = file.position(r.begin);
  const LineCol e = file.position(std::max(r.end, r.begin));
  return {{"line", b.line}, {"column", b.column}, {"end_line", e.line}, {"end_column", e.column}};
}
}  // namespace

std::string render_json(const SourceFile& file, const Diagnostic& d) {
  nlohmann::json j;
  j["file"] = file.path();
  j["severity"] = severity_name(d.severity);
  j["code"] = d.code;
  j["message"] = d.message;
  j["range"] = range_json(file, d.range);
  nlohmann::json notes = nlohmann::json::array();
  for (const DiagNote& n : d.notes)
    notes.push_back({{"code", n.code}, {"message", n.message}, {"range", range_json(file, n.range)}});
  j["notes"] = notes;
  // Each edit that fixes the diagnostic: replace `range` (empty: insert) with `replacement`.
  nlohmann::json fixits = nlohmann::json::array();
  for (const FixIt& f : d.fixits) fixits.push_back({{"range", range_json(file, f.range)}, {"replacement", f.replacement}});
  j["fixits"] = fixits;
  // Replace invalid UTF-8 (a path or message quoting hostile bytes) rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace healthc
