// Large cards as many small functions: LLVM's O2 pipeline and x86 backend are superlinear in
// the size of one function (the schedulers and register allocator on one huge basic block),
// so past a size threshold the batch function runs tiles of rows through a sequence of
// bounded "chunk" functions, each looping over the tile's rows, that pass values through
// scratch columns. Compile time and memory are then linear in the card.
#pragma once

#include <llvm/IR/Module.h>

#include <string>

#include "compiler/ir/ir.h"

namespace healthc::codegen {

// Emits `name` (the ir::BatchFn ABI) into `m`, computing exactly what the single-kernel
// emitter computes, with the same double operations in the same order.
void emit_split(const ir::Program& p, llvm::Module& m, bool detail, const std::string& name);

}  // namespace healthc::codegen
