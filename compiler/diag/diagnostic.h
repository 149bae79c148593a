// Diagnostics as values: a kind from the one table (diagnostic_kinds.def), a range, a
// message and notes. Stages add them to a DiagnosticList; only the driver prints.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/source.h"

namespace healthc {

enum class Severity : uint8_t { Error, Warning, Note };

enum class DiagKind : uint16_t {
#define DIAG(Name, Code, Sev, Format) Name,
#include "compiler/diag/diagnostic_kinds.def"
#undef DIAG
  Count_
};

struct DiagKindInfo {
  std::string_view name;
  std::string_view code;
  Severity severity;
  std::string_view format;
};

const DiagKindInfo& info(DiagKind kind);
std::string_view severity_name(Severity s);

struct DiagNote {
  SourceRange range;
  std::string message;
  std::string code;  // the note's kind's code (N0001 ...), in JSON and SARIF; text shows `note:` only
};

// A suggested edit that fixes a diagnostic: replace `range` with `replacement` (an empty range
// inserts, an empty replacement deletes). Rendered as clang's fix-it line under the caret; the
// language server offers each as a code action.
struct FixIt {
  SourceRange range;
  std::string replacement;
};

struct Diagnostic {
  DiagKind kind;
  Severity severity;  // the kind's default, or as a lint configuration set it
  std::string code;   // the kind's code, or a lint rule's code
  SourceRange range;
  std::string message;
  std::vector<DiagNote> notes;
  std::vector<FixIt> fixits;
};

class DiagnosticList {
 public:
  // Adds a diagnostic of `kind` whose message is the kind's format applied to `args`.
  template <typename... Args>
  Diagnostic& report(DiagKind kind, SourceRange range, const Args&... args) {
    const DiagKindInfo& k = info(kind);
    items_.push_back(Diagnostic{kind, k.severity, std::string(k.code), range,
                                fmt::format(fmt::runtime(k.format), args...), {}, {}});
    return items_.back();
  }
  // Adds a note to the last diagnostic.
  template <typename... Args>
  void note(DiagKind kind, SourceRange range, const Args&... args) {
    if (items_.empty()) return;
    items_.back().notes.push_back(
        DiagNote{range, fmt::format(fmt::runtime(info(kind).format), args...), std::string(info(kind).code)});
  }
  // Adds a fix-it to the last diagnostic.
  void fixit(SourceRange range, std::string replacement) {
    if (!items_.empty()) items_.back().fixits.push_back(FixIt{range, std::move(replacement)});
  }
  void add(Diagnostic d) { items_.push_back(std::move(d)); }

  const std::vector<Diagnostic>& items() const { return items_; }
  std::vector<Diagnostic>& items() { return items_; }
  bool has_errors() const;
  size_t count(Severity s) const;
  // Orders by position (then by the order found), so output reads top to bottom whatever
  // stage found each diagnostic.
  void sort_by_position();

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace healthc
