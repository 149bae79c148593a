// The entry fix-up of the batch ABI's optional parts (abi_emit.h).
#include "compiler/codegen/abi_emit.h"

#include <cstddef>

#include "compiler/ir/batch_abi.h"

namespace healthc::codegen {

static_assert(offsetof(ir::BatchColumns, as_of) == kColumnsAsOf && offsetof(ir::BatchColumns, rows) == kColumnsRows);
static_assert(offsetof(ir::BatchColumns, history) == kColumnsHistory &&
              offsetof(ir::BatchColumns, history_valid) == kColumnsHistoryValid);
static_assert(sizeof(ir::BatchOutputs) == kOutputSlots * 8);
static_assert(offsetof(ir::BatchOutputs, weighted_score) == kWeightedSlot * 8 &&
              offsetof(ir::BatchOutputs, alerts_active) == kAlertsSlot * 8 &&
              offsetof(ir::BatchOutputs, stale) == kStaleSlot * 8);

namespace {

using llvm::Value;

// Scratch layout, per row: alerts (8 bytes), stale (8), a history value (8), weighted (4), a
// history validity byte (1); each part aligned for its type.
constexpr uint64_t kScratchBytesPerRow = 29;
uint64_t scratch_offset(int part) {  // in units of rows
  constexpr uint64_t kOffsets[] = {0, 8, 16, 24, 28};
  return kOffsets[part];
}
int scratch_part(int slot) { return slot == kAlertsSlot ? 0 : slot == kStaleSlot ? 1 : 3; }
uint64_t element_bytes(int slot) { return slot == kWeightedSlot ? 4 : 8; }

}  // namespace

bool computes_slot(const ir::Program& p, int slot) {
  if (slot == kAlertsSlot) return !p.alerts.empty();
  if (slot == kStaleSlot) return !p.stale_rules.empty();
  return slot == kWeightedSlot;
}

AbiView normalise_abi(llvm::IRBuilder<>& b, llvm::Module& m, const ir::Program& p, Value* in, Value* out, Value* rows,
                      llvm::BasicBlock* fail) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  auto* i8p = llvm::Type::getInt8PtrTy(ctx);
  auto* i8pp = llvm::PointerType::getUnqual(i8p);
  auto* i64 = b.getInt64Ty();
  auto slot_ptr = [&](Value* base, uint64_t offset) {
    return b.CreateBitCast(b.CreateConstGEP1_64(b.getInt8Ty(), base, offset), i8pp);
  };
  // Copies of the caller's structs, which are const to generated code.
  Value* in_copy = b.CreateBitCast(b.CreateAlloca(llvm::ArrayType::get(i64, sizeof(ir::BatchColumns) / 8)), i8p);
  Value* out_copy = b.CreateBitCast(b.CreateAlloca(llvm::ArrayType::get(i64, kOutputSlots)), i8p);
  b.CreateMemCpy(in_copy, llvm::MaybeAlign(8), in, llvm::MaybeAlign(8), sizeof(ir::BatchColumns));
  b.CreateMemCpy(out_copy, llvm::MaybeAlign(8), out, llvm::MaybeAlign(8), sizeof(ir::BatchOutputs));

  // What needs scratch memory: a computed output not wanted, history columns not given.
  Value* need = b.getFalse();
  Value* outs[kOutputSlots] = {};
  for (int slot : {kWeightedSlot, kAlertsSlot, kStaleSlot}) {
    outs[slot] = b.CreateLoad(i8p, slot_ptr(out_copy, 8 * slot));
    if (computes_slot(p, slot)) need = b.CreateOr(need, b.CreateIsNull(outs[slot]));
  }
  const size_t nh = p.history.size();
  Value* no_history = nullptr;
  if (nh > 0) {
    no_history = b.CreateOr(b.CreateIsNull(b.CreateLoad(i8p, slot_ptr(in_copy, kColumnsHistory))),
                            b.CreateIsNull(b.CreateLoad(i8p, slot_ptr(in_copy, kColumnsHistoryValid))));
    need = b.CreateOr(need, no_history);
  }
  llvm::BasicBlock* from = b.GetInsertBlock();
  auto* alloc = llvm::BasicBlock::Create(ctx, "abi_scratch", fn);
  auto* got = llvm::BasicBlock::Create(ctx, "abi_scratch_ok", fn);
  auto* ready = llvm::BasicBlock::Create(ctx, "abi_ready", fn);
  b.CreateCondBr(need, alloc, ready);
  b.SetInsertPoint(alloc);
  llvm::FunctionCallee calloc = m.getOrInsertFunction("calloc", llvm::FunctionType::get(i8p, {i64, i64}, false));
  Value* fresh = b.CreateCall(calloc, {rows, b.getInt64(kScratchBytesPerRow)});
  b.CreateCondBr(b.CreateIsNull(fresh), fail, got);
  b.SetInsertPoint(got);
  b.CreateBr(ready);
  b.SetInsertPoint(ready);
  llvm::PHINode* scratch = b.CreatePHI(i8p, 2, "scratch");
  scratch->addIncoming(llvm::ConstantPointerNull::get(i8p), from);
  scratch->addIncoming(fresh, got);
  auto part = [&](int k) { return b.CreateGEP(b.getInt8Ty(), scratch, b.CreateMul(rows, b.getInt64(scratch_offset(k)))); };

  for (int slot : {kWeightedSlot, kAlertsSlot, kStaleSlot}) {
    Value* is_null = b.CreateIsNull(outs[slot]);
    if (computes_slot(p, slot)) {
      b.CreateStore(b.CreateSelect(is_null, part(scratch_part(slot)), outs[slot]), slot_ptr(out_copy, 8 * slot));
      continue;
    }
    // Nothing to compute: a wanted output reads all zeros (no alert, nothing stale).
    auto* zero = llvm::BasicBlock::Create(ctx, "abi_zero", fn);
    auto* next = llvm::BasicBlock::Create(ctx, "abi_zeroed", fn);
    b.CreateCondBr(is_null, next, zero);
    b.SetInsertPoint(zero);
    b.CreateMemSet(outs[slot], b.getInt8(0), b.CreateMul(rows, b.getInt64(element_bytes(slot))), llvm::MaybeAlign(4));
    b.CreateBr(next);
    b.SetInsertPoint(next);
  }
  if (nh > 0) {
    // Every history input reads the same all-missing column (zeroed: validity 0).
    auto* arrays_ty = llvm::ArrayType::get(i8p, nh);
    Value* values = b.CreateBitCast(b.CreateAlloca(arrays_ty), i8pp);
    Value* valids = b.CreateBitCast(b.CreateAlloca(arrays_ty), i8pp);
    for (size_t h = 0; h < nh; ++h) {
      b.CreateStore(part(2), b.CreateConstGEP1_64(i8p, values, h));
      b.CreateStore(part(4), b.CreateConstGEP1_64(i8p, valids, h));
    }
    for (auto [offset, arr] : {std::pair{kColumnsHistory, values}, std::pair{kColumnsHistoryValid, valids}}) {
      Value* given = b.CreateLoad(i8p, slot_ptr(in_copy, offset));
      b.CreateStore(b.CreateSelect(no_history, b.CreateBitCast(arr, i8p), given), slot_ptr(in_copy, offset));
    }
  }
  return {in_copy, out_copy, scratch};
}

void release_abi(llvm::IRBuilder<>& b, llvm::Module& m, const AbiView& view) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::FunctionCallee free =
      m.getOrInsertFunction("free", llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {llvm::Type::getInt8PtrTy(ctx)}, false));
  b.CreateCall(free, {view.scratch});  // free(NULL) does nothing
}

}  // namespace healthc::codegen
