// Reading, parsing and checking a scorecard, with the diagnostics sorted and capped.
#include "compiler/frontend.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "compiler/syntax/parse.h"

namespace healthc {

namespace {

// A data file given where a card is wanted (`healthc score DATA CARD`): its first line is a
// JSON object or a CSV/TSV header, which no card starts with. One line saying so beats the
// parser's errors about every cell.
void refuse_data_file(const SourceFile& file, DiagnosticList& diags) {
  std::string_view text = file.text();
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const size_t eol = text.find('\n');
  std::string_view line = text.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const SourceRange first{static_cast<uint32_t>(file.text().size() - text.size()),
                          static_cast<uint32_t>(file.text().size() - text.size() + line.size())};
  if (line.size() > 1 && line[0] == '{' && line.find('"') != std::string_view::npos &&
      line.find(':') != std::string_view::npos) {
    diags.report(DiagKind::DataGivenAsCard, first, file.path(), "JSON Lines",
                 "give the card first, then the data (`healthc score CARD DATA`)");
    return;
  }
  const char sep = line.find('\t') != std::string_view::npos ? '\t' : ',';
  if (line.find(sep) == std::string_view::npos || line.rfind("scorecard", 0) == 0) return;
  // A header: every cell a bare or quoted column name.
  size_t cells = 0;
  for (size_t at = 0; at <= line.size();) {
    size_t end = line.find(sep, at);
    if (end == std::string_view::npos) end = line.size();
    std::string_view cell = line.substr(at, end - at);
    while (!cell.empty() && cell.front() == ' ') cell.remove_prefix(1);
    while (!cell.empty() && cell.back() == ' ') cell.remove_suffix(1);
    if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
    if (cell.empty()) return;
    for (char c : cell)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ' ' || c == '-' || c == '.')) return;
    ++cells;
    at = end + 1;
  }
  if (cells >= 2)
    diags.report(DiagKind::DataGivenAsCard, first, file.path(), sep == '\t' ? "TSV" : "CSV",
                 "give the card first, then the data (`healthc score CARD DATA`)");
}

}  // namespace

FrontendResult run_frontend_text(std::string path, std::string text) {
  FrontendResult r;
  r.file = std::make_unique<SourceFile>(std::move(path), std::move(text));
  refuse_data_file(*r.file, r.diags);
  if (r.diags.has_errors()) {
    r.checked.ok = false;
    return r;
  }
  syntax::ParseResult parsed = syntax::parse(*r.file, r.diags);
  r.card = std::move(parsed.card);
  const size_t parsed_count = r.diags.items().size();
  if (!parsed.skipped) r.checked = check::check(r.card, r.diags);
  // A declaration the parser could only half read gives the checker half a declaration: its
  // errors there (a `linear` with one point, a measure with no `score =`) are the syntax
  // error's cascade. One mistake, one error.
  if (!parsed.broken.empty()) {
    auto& items = r.diags.items();
    auto cascade = [&](const Diagnostic& d) {
      return std::any_of(parsed.broken.begin(), parsed.broken.end(), [&](SourceRange b) {
        return d.range.begin < b.end && std::max(d.range.end, d.range.begin + 1) > b.begin;
      });
    };
    items.erase(std::remove_if(items.begin() + static_cast<long>(parsed_count), items.end(), cascade), items.end());
  }
  if (!parsed.syntax_ok) r.checked.ok = false;
  r.diags.sort_by_position();
  auto& items = r.diags.items();
  size_t errors = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].severity != Severity::Error) continue;
    if (++errors > kMaxErrors) {
      const SourceRange at = items[i].range;
      items.resize(i);
      r.diags.report(DiagKind::TooManyErrors, at, kMaxErrors);
      break;
    }
  }
  return r;
}

FrontendResult run_frontend(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      FrontendResult r;
      r.read_error = "it is a directory";
      return r;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      FrontendResult r;
      r.read_error = std::strerror(errno);
      return r;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  return run_frontend_text(path == "-" ? "<stdin>" : path, std::move(text));
}

}  // namespace healthc
