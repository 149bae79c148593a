// The IR verifier: the structural rules every backend relies on (operands defined before use,
// indexes in range, blocks in order, the types ops need, well-formed weight trees and bands).
// Run after lowering in debug and test builds, and on every deserialized program.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace healthc::ir {

// Every rule the program breaks, one message each; empty means valid.
std::vector<std::string> verify(const Program& p);

}  // namespace healthc::ir
