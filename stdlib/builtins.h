// The built-in functions, declared once: name, arity, argument and result types and
// missing-value policy. The checker, the reference evaluator and codegen all read this table.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace healthc::stdlib {

enum class BuiltinId : uint8_t {
  Min, Max, Clamp, Abs, Round, Log, Sqrt, PctChange, Coalesce, DaysSince, DaysBetween
};

// How missing operands and domain errors make the result missing (Gandiva's null-if-null,
// null-never, null-internal).
enum class MissingPolicy : uint8_t {
  IfAnyMissing,      // missing when any argument is missing
  IfAnyMissingOrDomain,  // as above, and when the arguments are outside the domain
  Never,             // coalesce: missing only if every argument is
  DecidesItself,     // IR ops only (and, or, select, is missing ...): the op computes its validity
};

enum class ArgType : uint8_t { Number, Date };

struct BuiltinInfo {
  std::string_view name;
  BuiltinId id;
  int min_args;
  int max_args;  // -1: any number from min_args
  ArgType args;  // every argument has this type
  MissingPolicy policy;
  std::string_view summary;
};

std::span<const BuiltinInfo> builtins();
// The builtin called `name`, or nullptr.
const BuiltinInfo* find_builtin(std::string_view name);
const BuiltinInfo& builtin(BuiltinId id);

}  // namespace healthc::stdlib
