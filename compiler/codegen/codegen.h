// Scoring IR -> LLVM IR. With jit/, the only code that sees LLVM types.
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>

#include "compiler/codegen/function_names.h"
#include "compiler/ir/ir.h"

namespace healthc::codegen {

// Two variants of the batch function (ir::BatchFn): `basic` writes only the per-row results;
// `detail` also writes each measure's value, score and effective weight. Each is its own
// module, so a run compiles only the variant it needs.
enum class Variant { Basic, Detail };
inline const char* function_name(Variant v) { return v == Variant::Basic ? kBasicFunction : kDetailFunction; }

// The amount of code a variant of `program` needs, in IR-level operations: the instructions
// it runs (the pipeline is instructions too) and the detail outputs. Linear in the card.
size_t code_size(const ir::Program& program, Variant variant);
// Past this size the batch function is emitted as many small functions (split_emit.h):
// LLVM's optimiser and backend are superlinear in one function's size (measured: 500
// measures as one kernel take 6.7 s basic, 36 s detail; 2,000 take over 50 s and 2 GB).
inline constexpr size_t kSplitSize = 1500;
// The split batch function runs rows in tiles of at most this many (fewer when a card's
// scratch columns would pass the emitter's budget: split_emit.cpp).
inline constexpr size_t kMaxTileRows = 128;

std::unique_ptr<llvm::Module> generate(const ir::Program& program, llvm::LLVMContext& ctx, Variant variant);

}  // namespace healthc::codegen
