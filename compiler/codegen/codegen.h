// Scoring IR -> LLVM IR. With jit/, the only code that sees LLVM types.
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>

#include "compiler/ir/ir.h"

namespace healthc::codegen {

// Two variants of the batch function (ir::BatchFn): `basic` writes only the per-row results;
// `detail` also writes each measure's value, score and effective weight. Each is its own
// module, so a run compiles only the variant it needs.
enum class Variant { Basic, Detail };
inline constexpr const char* kBasicFunction = "healthc_score_batch";
inline constexpr const char* kDetailFunction = "healthc_score_batch_detail";
inline const char* function_name(Variant v) { return v == Variant::Basic ? kBasicFunction : kDetailFunction; }

std::unique_ptr<llvm::Module> generate(const ir::Program& program, llvm::LLVMContext& ctx, Variant variant);

}  // namespace healthc::codegen
