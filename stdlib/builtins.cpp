// The built-in function table.
#include "stdlib/builtins.h"

#include <array>

namespace healthc::stdlib {
namespace {
using enum MissingPolicy;
constexpr std::array kBuiltins = {
    BuiltinInfo{"min", BuiltinId::Min, 1, -1, ArgType::Number, IfAnyMissing, "the smallest argument"},
    BuiltinInfo{"max", BuiltinId::Max, 1, -1, ArgType::Number, IfAnyMissing, "the largest argument"},
    BuiltinInfo{"clamp", BuiltinId::Clamp, 3, 3, ArgType::Number, IfAnyMissing, "x limited to [lo, hi]"},
    BuiltinInfo{"abs", BuiltinId::Abs, 1, 1, ArgType::Number, IfAnyMissing, "absolute value"},
    BuiltinInfo{"round", BuiltinId::Round, 1, 1, ArgType::Number, IfAnyMissing, "nearest whole number, halves away from zero"},
    BuiltinInfo{"log", BuiltinId::Log, 1, 1, ArgType::Number, IfAnyMissingOrDomain, "natural logarithm; missing unless x > 0"},
    BuiltinInfo{"sqrt", BuiltinId::Sqrt, 1, 1, ArgType::Number, IfAnyMissingOrDomain, "square root; missing when x < 0"},
    BuiltinInfo{"pct_change", BuiltinId::PctChange, 2, 2, ArgType::Number, IfAnyMissingOrDomain, "(now - before) / before; missing when before is 0"},
    BuiltinInfo{"coalesce", BuiltinId::Coalesce, 1, -1, ArgType::Number, Never, "the first argument that is not missing"},
    // A difference is an arithmetic result: missing also when not finite (for dates it always is).
    BuiltinInfo{"days_since", BuiltinId::DaysSince, 1, 1, ArgType::Date, IfAnyMissingOrDomain, "as-of date minus the date, in days"},
    BuiltinInfo{"days_between", BuiltinId::DaysBetween, 2, 2, ArgType::Date, IfAnyMissingOrDomain, "d2 - d1, in days"},
};
}  // namespace

std::span<const BuiltinInfo> builtins() { return kBuiltins; }

const BuiltinInfo* find_builtin(std::string_view name) {
  for (const BuiltinInfo& b : kBuiltins)
    if (b.name == name) return &b;
  return nullptr;
}

const BuiltinInfo& builtin(BuiltinId id) { return kBuiltins[static_cast<size_t>(id)]; }

}  // namespace healthc::stdlib
