// The op table: every IR op's name, arity and missing-value policy, declared once. The
// evaluator computes an op's validity from its policy around a body that sees only values,
// and codegen emits the same validity around the same body; only the ops whose policy is
// "decides itself" handle validity in their own code. stdlib's builtins lower to these ops,
// and their declared policy must agree with the op's (tests/unit/ir/ops_test.cpp).
#pragma once

#include <cstdint>
#include <string_view>

#include "compiler/ir/ir.h"
#include "stdlib/builtins.h"

namespace healthc::ir {

using stdlib::MissingPolicy;

// For IfAnyMissingOrDomain: what, besides every operand being present, makes the result
// valid. The arithmetic rule "a result that is not finite is missing" is part of each.
enum class Domain : uint8_t {
  None,            // no domain check (IfAnyMissing, or an op that decides itself)
  Finite,          // the result is finite
  NonZeroDivisor,  // b != 0 and the result is finite (div, pct_change)
  PositiveArg,     // a > 0 and the result is finite (log)
  NonNegativeArg,  // a >= 0 and the result is finite (sqrt)
  NotNaN,          // a is not NaN (clamp_score)
  PositiveDivisor, // b > 0 and the result is finite (a weighted mean)
  ScoreRange,      // the result is within 0..100 (round_score: only that is a score)
};

struct OpInfo {
  Op op;
  std::string_view name;
  int arity;  // instruction operands read (a, b, c); fields and imm are not operands
  MissingPolicy policy;
  Domain domain;
};

// Whether an op reads its `imm` (printed and checked with its operands).
inline bool op_reads_imm(Op op) {
  return op == Op::Const || op == Op::OrElse || op == Op::WeightedSum || op == Op::WeightSum ||
         op == Op::EffectiveWeight;
}

const OpInfo& op_info(Op op);
// Whether the engines compute the op's validity from its policy (rather than the op itself).
inline bool policy_decides_validity(const OpInfo& info) {
  return info.policy == MissingPolicy::IfAnyMissing || info.policy == MissingPolicy::IfAnyMissingOrDomain;
}

// The op a builtin's result comes from (variadic builtins fold it over their arguments).
Op builtin_op(stdlib::BuiltinId id);

}  // namespace healthc::ir
