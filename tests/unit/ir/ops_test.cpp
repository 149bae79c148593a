// The op table: stdlib's builtins agree with the ops they lower to, and both engines compute
// every policy-decided op's validity from its declared policy (missing operand -> missing).
#include "compiler/ir/ops.h"

#include <gtest/gtest.h>

#include "compiler/ir/verify.h"
#include "tests/unit/ir/ir_test_util.h"

namespace healthc::ir {
namespace {

TEST(Ops, EveryBuiltinsPolicyAgreesWithItsOp) {
  for (const stdlib::BuiltinInfo& b : stdlib::builtins()) {
    const OpInfo& op = op_info(builtin_op(b.id));
    EXPECT_EQ(op.policy, b.policy) << b.name << " lowers to " << op.name;
    // A variadic builtin folds a binary op; a fixed one passes at most the op's operands.
    if (b.max_args < 0) EXPECT_EQ(op.arity, 2) << b.name;
    else EXPECT_LE(b.max_args, op.arity) << b.name;
  }
}

TEST(Ops, TheTableIsInOpOrderWithNames) {
  for (int i = 0; i < kOpCount; ++i) {
    const OpInfo& info = op_info(static_cast<Op>(i));
    EXPECT_EQ(static_cast<int>(info.op), i);
    EXPECT_FALSE(info.name.empty());
    EXPECT_EQ(op_name(info.op), info.name);
    // A domain is only declared with the policy that checks it.
    EXPECT_EQ(info.domain != Domain::None, info.policy == MissingPolicy::IfAnyMissingOrDomain) << info.name;
  }
}

// A card whose measure value is `a + b + c` over three optional numbers: the final Add is
// replaced by each policy-decided op over the three loads.
struct OpCase {
  Program p;
  uint32_t at = 0;
};
OpCase op_case(Op op) {
  OpCase c{testing::lower_text(R"(scorecard "ops"
fields { id : text key  a : number optional  b : number optional  c : number optional }
bands { low from 0 color red }
measure m { value = a + b + c  score = 50 }
model default { m 1 }
)"), 0};
  std::vector<uint32_t> loads;
  for (uint32_t i = 0; i < c.p.code.size(); ++i)
    if (c.p.code[i].op == Op::Load) loads.push_back(i);
  c.at = c.p.measures[0].value;
  c.p.code[c.at] = Inst{op, loads.at(0), loads.at(1), loads.at(2)};
  return c;
}

TEST(Ops, BothEnginesMakeAPolicyDecidedOpMissingWhenAnyOperandIs) {
  for (int i = 0; i < kOpCount; ++i) {
    const OpInfo& info = op_info(static_cast<Op>(i));
    if (!policy_decides_validity(info) || info.arity == 0) continue;
    OpCase c = op_case(info.op);
    ASSERT_TRUE(verify(c.p).empty()) << info.name;
    // Row 0: every operand present (values where every domain holds); row k: operand k-1 missing.
    const size_t rows = 1 + info.arity;
    testing::Columns cols(c.p, rows);
    for (size_t r = 0; r < rows; ++r)
      for (size_t f = 1; f <= 3; ++f) cols.set(f, r, f == 1 ? 4.0 : f == 2 ? 2.0 : 9.0);
    for (int k = 0; k < info.arity; ++k) cols.missing(1 + k, 1 + k);
    const testing::Outputs ev = testing::run_eval(c.p, cols, rows, true);
    const testing::Outputs jit = testing::run_jit(c.p, cols, rows, true);
    testing::expect_same(ev, jit);
    EXPECT_EQ(ev.m_value_valid[0], 1) << info.name;
    for (size_t r = 1; r < rows; ++r) EXPECT_EQ(ev.m_value_valid[r], 0) << info.name << " with operand " << r - 1 << " missing";
  }
}

TEST(Ops, DomainChecksMakeTheResultMissing) {
  struct Case {
    Op op;
    double a, b;
  };
  const Case cases[] = {{Op::Div, 1, 0}, {Op::PctChange, 1, 0}, {Op::Log, 0, 1}, {Op::Log, -1, 1},
                        {Op::Sqrt, -1, 1}, {Op::Mul, 1e300, 1e300}, {Op::Add, 1.7e308, 1.7e308}};
  for (const Case& k : cases) {
    OpCase c = op_case(k.op);
    testing::Columns cols(c.p, 1);
    cols.set(1, 0, k.a);
    cols.set(2, 0, k.b);
    const testing::Outputs ev = testing::run_eval(c.p, cols, 1, true);
    testing::expect_same(ev, testing::run_jit(c.p, cols, 1, true));
    EXPECT_EQ(ev.m_value_valid[0], 0) << op_name(k.op) << "(" << k.a << ", " << k.b << ")";
  }
}

}  // namespace
}  // namespace healthc::ir
