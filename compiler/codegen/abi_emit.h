// The batch ABI's optional v2 parts made uniform at a batch function's entry, so the row code
// of both emitters (codegen.cpp, split_emit.cpp) never tests a pointer per row: a null output
// that the code computes (weighted_score; alerts_active and stale when the card has alerts or
// stale rules) points into scratch memory, an output the card has nothing for is zeroed once,
// and history columns missing altogether (a caller with no store) read as all missing.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include "compiler/ir/ir.h"

namespace healthc::codegen {

// Byte offsets in ir::BatchColumns / ir::BatchOutputs (checked against the structs in abi_emit.cpp).
inline constexpr uint64_t kColumnsAsOf = 24, kColumnsRows = 32, kColumnsHistory = 40, kColumnsHistoryValid = 48;
inline constexpr int kOutputSlots = 14;  // pointers in ir::BatchOutputs
inline constexpr int kWeightedSlot = 11, kAlertsSlot = 12, kStaleSlot = 13;

struct AbiView {
  llvm::Value* in = nullptr;       // an ir::BatchColumns* to read instead of the caller's
  llvm::Value* out = nullptr;      // an ir::BatchOutputs* to write through instead of the caller's
  llvm::Value* scratch = nullptr;  // i8*, null when none was needed: free it before returning
};

// Emits the fix-up at the builder's insert point (in the entry block of `fn`, which owns the
// allocas); `rows` is the block's row count (> 0). When scratch memory is needed and cannot be
// had, branches to `fail` (nothing is written, as with any allocation failure of a batch) and
// leaves the builder in the block that continues.
AbiView normalise_abi(llvm::IRBuilder<>& b, llvm::Module& m, const ir::Program& p, llvm::Value* in,
                      llvm::Value* out, llvm::Value* rows, llvm::BasicBlock* fail);
void release_abi(llvm::IRBuilder<>& b, llvm::Module& m, const AbiView& view);

// Whether the row code writes an output slot (kWeightedSlot...): it has something to compute.
bool computes_slot(const ir::Program& p, int slot);

}  // namespace healthc::codegen
