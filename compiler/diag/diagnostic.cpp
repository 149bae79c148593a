// The diagnostic kind table and DiagnosticList helpers.
#include "compiler/diag/diagnostic.h"

#include <algorithm>
#include <array>

namespace healthc {
namespace {
constexpr std::array<DiagKindInfo, static_cast<size_t>(DiagKind::Count_)> kTable = {{
#define DIAG(Name, Code, Sev, Format) {#Name, Code, Severity::Sev, Format},
#include "compiler/diag/diagnostic_kinds.def"
#undef DIAG
}};
}  // namespace

const DiagKindInfo& info(DiagKind kind) { return kTable[static_cast<size_t>(kind)]; }

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

bool DiagnosticList::has_errors() const { return count(Severity::Error) > 0; }

size_t DiagnosticList::count(Severity s) const {
  return static_cast<size_t>(std::count_if(items_.begin(), items_.end(),
                                           [s](const Diagnostic& d) { return d.severity == s; }));
}

void DiagnosticList::sort_by_position() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.range.begin < b.range.begin;
  });
}

}  // namespace healthc
