// Scoring IR -> LLVM IR. With jit/, the only code that sees LLVM types.
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>

#include "compiler/ir/ir.h"

namespace healthc::codegen {

// The module defines two ir::BatchFn functions: one writing only the per-row results, one
// also writing each measure's value, score and effective weight.
inline constexpr const char* kBasicFunction = "healthc_score_batch";
inline constexpr const char* kDetailFunction = "healthc_score_batch_detail";

std::unique_ptr<llvm::Module> generate(const ir::Program& program, llvm::LLVMContext& ctx);

}  // namespace healthc::codegen
