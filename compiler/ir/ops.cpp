// The op table (ops.h), in the order of ir::Op.
#include "compiler/ir/ops.h"

#include <array>

namespace healthc::ir {
namespace {

using enum MissingPolicy;
constexpr std::array kOps = {
    OpInfo{Op::Const, "const", 0, DecidesItself, Domain::None},
    OpInfo{Op::Missing, "missing", 0, DecidesItself, Domain::None},
    OpInfo{Op::Load, "load", 0, DecidesItself, Domain::None},
    OpInfo{Op::AsOf, "as_of", 0, DecidesItself, Domain::None},
    OpInfo{Op::Neg, "neg", 1, IfAnyMissing, Domain::None},
    OpInfo{Op::Add, "add", 2, IfAnyMissingOrDomain, Domain::Finite},
    OpInfo{Op::Sub, "sub", 2, IfAnyMissingOrDomain, Domain::Finite},
    OpInfo{Op::Mul, "mul", 2, IfAnyMissingOrDomain, Domain::Finite},
    OpInfo{Op::Div, "div", 2, IfAnyMissingOrDomain, Domain::NonZeroDivisor},
    OpInfo{Op::Min, "min", 2, IfAnyMissing, Domain::None},
    OpInfo{Op::Max, "max", 2, IfAnyMissing, Domain::None},
    OpInfo{Op::Abs, "abs", 1, IfAnyMissing, Domain::None},
    OpInfo{Op::Round, "round", 1, IfAnyMissing, Domain::None},
    OpInfo{Op::Log, "log", 1, IfAnyMissingOrDomain, Domain::PositiveArg},
    OpInfo{Op::Sqrt, "sqrt", 1, IfAnyMissingOrDomain, Domain::NonNegativeArg},
    OpInfo{Op::PctChange, "pct_change", 2, IfAnyMissingOrDomain, Domain::NonZeroDivisor},
    OpInfo{Op::Clamp, "clamp", 3, IfAnyMissing, Domain::None},
    OpInfo{Op::Coalesce, "coalesce", 2, Never, Domain::None},
    OpInfo{Op::Eq, "eq", 2, IfAnyMissing, Domain::None},
    OpInfo{Op::Ne, "ne", 2, IfAnyMissing, Domain::None},
    OpInfo{Op::Lt, "lt", 2, IfAnyMissing, Domain::None},
    OpInfo{Op::Le, "le", 2, IfAnyMissing, Domain::None},
    OpInfo{Op::Gt, "gt", 2, IfAnyMissing, Domain::None},
    OpInfo{Op::Ge, "ge", 2, IfAnyMissing, Domain::None},
    OpInfo{Op::TextEq, "text_eq", 0, DecidesItself, Domain::None},
    OpInfo{Op::And, "and", 2, DecidesItself, Domain::None},
    OpInfo{Op::Or, "or", 2, DecidesItself, Domain::None},
    OpInfo{Op::Not, "not", 1, IfAnyMissing, Domain::None},
    OpInfo{Op::IsMissing, "is_missing", 1, DecidesItself, Domain::None},
    OpInfo{Op::Select, "select", 3, DecidesItself, Domain::None},
    OpInfo{Op::Guard, "guard", 2, IfAnyMissing, Domain::None},
    OpInfo{Op::ClampScore, "clamp_score", 1, IfAnyMissingOrDomain, Domain::NotNaN},
    OpInfo{Op::OrElse, "or_else", 1, DecidesItself, Domain::None},
    // The running sums are always valid: an unscored child adds nothing.
    OpInfo{Op::WeightedSum, "weighted_sum", 2, DecidesItself, Domain::None},
    OpInfo{Op::WeightSum, "weight_sum", 2, DecidesItself, Domain::None},
    OpInfo{Op::Mean, "mean", 2, IfAnyMissingOrDomain, Domain::PositiveDivisor},
    OpInfo{Op::EffectiveWeight, "effective_weight", 3, IfAnyMissing, Domain::None},
    OpInfo{Op::RoundScore, "round_score", 1, IfAnyMissingOrDomain, Domain::ScoreRange},
    OpInfo{Op::BandOf, "band_of", 1, DecidesItself, Domain::None},
    OpInfo{Op::History, "history", 0, DecidesItself, Domain::None},
};
static_assert(kOps.size() == kOpCount, "one row per op");

constexpr bool in_op_order() {
  for (size_t i = 0; i < kOps.size(); ++i)
    if (static_cast<size_t>(kOps[i].op) != i) return false;
  return true;
}
static_assert(in_op_order(), "rows in the order of ir::Op");

}  // namespace

const OpInfo& op_info(Op op) { return kOps[static_cast<size_t>(op) < kOps.size() ? static_cast<size_t>(op) : 0]; }
const char* op_name(Op op) { return op_info(op).name.data(); }
int op_arity(Op op) { return op_info(op).arity; }

Op builtin_op(stdlib::BuiltinId id) {
  using stdlib::BuiltinId;
  switch (id) {
    case BuiltinId::Min: return Op::Min;
    case BuiltinId::Max: return Op::Max;
    case BuiltinId::Clamp: return Op::Clamp;
    case BuiltinId::Abs: return Op::Abs;
    case BuiltinId::Round: return Op::Round;
    case BuiltinId::Log: return Op::Log;
    case BuiltinId::Sqrt: return Op::Sqrt;
    case BuiltinId::PctChange: return Op::PctChange;
    case BuiltinId::Coalesce: return Op::Coalesce;
    case BuiltinId::DaysSince:   // as_of - date
    case BuiltinId::DaysBetween: return Op::Sub;  // d2 - d1
  }
  return Op::Missing;
}

}  // namespace healthc::ir
