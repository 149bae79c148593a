// Reading, parsing and checking a scorecard, with the diagnostics sorted and capped.
#include "compiler/frontend.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <cerrno>
#include <cstring>

#include "compiler/syntax/parse.h"

namespace healthc {

FrontendResult run_frontend_text(std::string path, std::string text) {
  FrontendResult r;
  r.file = std::make_unique<SourceFile>(std::move(path), std::move(text));
  syntax::ParseResult parsed = syntax::parse(*r.file, r.diags);
  r.card = std::move(parsed.card);
  if (!parsed.skipped) r.checked = check::check(r.card, r.diags);
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
