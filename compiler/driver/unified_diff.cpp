// Line diff by longest common subsequence (cards are a few hundred lines), grouped into hunks.
#include "compiler/driver/unified_diff.h"

#include <fmt/format.h>

#include <vector>

namespace healthc::driver {
namespace {

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size() - 1;
    out.push_back(s.substr(start, nl - start + 1));
    start = nl + 1;
  }
  return out;
}

struct Op {
  char kind;  // ' ', '-', '+'
  size_t a, b;  // line index in old / new (the one that applies)
};

}  // namespace

std::string unified_diff(const std::string& old_text, const std::string& new_text, const std::string& old_name,
                         const std::string& new_name, size_t context) {
  if (old_text == new_text) return {};
  const auto a = split_lines(old_text), b = split_lines(new_text);
  const size_t n = a.size(), m = b.size();
  // lcs[i][j]: the LCS length of a[i..] and b[j..].
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<Op> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) ops.push_back({' ', i++, j++});
    else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push_back({'-', i++, j});
    else ops.push_back({'+', i, j++});
  }
  auto line = [](const std::string& s) { return s.empty() || s.back() != '\n' ? s + "\n\\ No newline at end of file\n" : s; };
  std::string out = fmt::format("--- {}\n+++ {}\n", old_name, new_name);
  for (size_t k = 0; k < ops.size();) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is within 2 * context of the next.
    size_t begin = k >= context ? k - context : 0;
    while (begin < k && ops[begin].kind != ' ') ++begin;
    size_t end = k;
    for (size_t last = k; end < ops.size(); ++end) {
      if (ops[end].kind != ' ') last = end;
      else if (end - last > 2 * context) break;
    }
    size_t last_change = end;
    while (last_change > begin && ops[last_change - 1].kind == ' ') --last_change;
    end = std::min(ops.size(), last_change + context);
    size_t old_count = 0, new_count = 0;
    for (size_t x = begin; x < end; ++x) old_count += ops[x].kind != '+', new_count += ops[x].kind != '-';
    const size_t old_start = ops[begin].a + (old_count ? 1 : 0), new_start = ops[begin].b + (new_count ? 1 : 0);
    out += fmt::format("@@ -{},{} +{},{} @@\n", old_start, old_count, new_start, new_count);
    for (size_t x = begin; x < end; ++x) {
      const Op& op = ops[x];
      out += op.kind;
      out += line(op.kind == '+' ? b[op.b] : a[op.a]);
    }
    k = end;
  }
  return out;
}

}  // namespace healthc::driver
