// Per-line suppression of lint findings: a comment `# healthc-lint: disable=W101,W204` (or
// `// ...`) on the line of a finding, or on the line before it, silences those codes there.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/source.h"

namespace healthc::lint {

class Suppressions {
 public:
  explicit Suppressions(const SourceFile& file);
  // True when `code` is disabled on `line` (1-based) or on the line before it.
  bool suppresses(std::string_view code, uint32_t line) const;

 private:
  std::map<uint32_t, std::vector<std::string>> codes_by_line_;
};

// The codes a comment's text disables (empty when it is not a `healthc-lint:` comment).
std::vector<std::string> disabled_codes(std::string_view comment);

}  // namespace healthc::lint
