// The reference evaluator: a direct interpretation of the scoring IR, one account at a
// time. It is the executable definition of the semantics that the JIT is tested against.
#pragma once

#include "compiler/ir/batch_abi.h"
#include "compiler/ir/ir.h"

namespace healthc::eval {

// Scores every row of `in` into `out` (same contract as a JIT batch function).
void evaluate(const ir::Program& program, const ir::BatchColumns& in, const ir::BatchOutputs& out);

}  // namespace healthc::eval
