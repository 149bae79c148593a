// Finding `healthc-lint: disable=` comments: a comment starts at `#` or `//` outside a string.
#include "compiler/lint/suppression.h"

#include <algorithm>
#include <cctype>

namespace healthc::lint {
namespace {

// The comment on a line, without its `#` or `//`; empty when there is none.
std::string_view comment_of(std::string_view line) {
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '#') return line.substr(i + 1);
    else if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') return line.substr(i + 2);
  }
  return {};
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::vector<std::string> disabled_codes(std::string_view comment) {
  std::vector<std::string> codes;
  constexpr std::string_view kTag = "healthc-lint:";
  const size_t at = comment.find(kTag);
  if (at == std::string_view::npos) return codes;
  std::string_view rest = comment.substr(at + kTag.size());
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  constexpr std::string_view kDisable = "disable=";
  if (rest.substr(0, kDisable.size()) != kDisable) return codes;
  rest.remove_prefix(kDisable.size());
  // A comma-separated list; spaces around commas are allowed, and the list ends at anything else.
  while (true) {
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    std::string code;
    while (!rest.empty() && std::isalnum(static_cast<unsigned char>(rest.front()))) {
      code.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(rest.front()))));
      rest.remove_prefix(1);
    }
    if (code.empty()) break;
    codes.push_back(std::move(code));
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    if (rest.empty() || rest.front() != ',') break;
    rest.remove_prefix(1);
  }
  return codes;
}

Suppressions::Suppressions(const SourceFile& file) {
  for (uint32_t line = 1; line <= file.line_count(); ++line) {
    std::vector<std::string> codes = disabled_codes(comment_of(file.line_text(line)));
    if (!codes.empty()) codes_by_line_.emplace(line, std::move(codes));
  }
}

bool Suppressions::suppresses(std::string_view code, uint32_t line) const {
  for (uint32_t l : {line, line - 1}) {
    auto it = codes_by_line_.find(l);
    if (it != codes_by_line_.end() && std::find(it->second.begin(), it->second.end(), code) != it->second.end())
      return true;
  }
  return false;
}

}  // namespace healthc::lint
