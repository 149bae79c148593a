// Scoring IR -> LLVM IR: for a small card, one batch function that loops over the rows of a
// column block and computes every instruction branch-free as (value, valid) pairs, mirroring
// the reference evaluator operation for operation (same double operations in the same order,
// no FMA), so the two agree bit for bit, then stores the result instructions. Large cards go
// to the split emitter (split_emit.h).
#include "compiler/codegen/codegen.h"

#include "compiler/codegen/abi_emit.h"
#include "compiler/codegen/inst_emit.h"
#include "compiler/codegen/split_emit.h"
#include "compiler/ir/conventions.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Verifier.h>

#include <string>
#include <vector>

namespace healthc::codegen {
namespace {

using llvm::IRBuilder;
using llvm::Value;

class Emitter {
  static constexpr int kOutputs = kOutputSlots;

 public:
  Emitter(const ir::Program& p, llvm::Module& m, bool detail) : p_(p), m_(m), ctx_(m.getContext()), b_(ctx_), detail_(detail) {}

  // Emits `name` (the ir::BatchFn ABI): it loads the column and output pointers and calls an
  // always-inlined kernel that takes each of them as a `noalias` argument. After inlining,
  // that tells the loop vectoriser no store to an output can change an input, so the row
  // loop vectorises without runtime overlap checks.
  void emit(const std::string& name) {
    auto* i8p = llvm::Type::getInt8PtrTy(ctx_);
    const size_t nf = p_.fields.size();
    std::vector<llvm::Type*> kargs = {i64(), dbl()};
    const size_t nh = p_.history.size();
    for (size_t f = 0; f < nf; ++f) kargs.insert(kargs.end(), {ptr_ty(dbl()), i8p, i8p});
    for (size_t h = 0; h < nh; ++h) kargs.insert(kargs.end(), {ptr_ty(dbl()), i8p});
    for (int k = 0; k < kOutputs; ++k) kargs.push_back(i8p);
    auto* kty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), kargs, false);
    fn_ = llvm::Function::Create(kty, llvm::Function::InternalLinkage, name + ".kernel", m_);
    fn_->addFnAttr(llvm::Attribute::NoUnwind);
    fn_->addFnAttr(llvm::Attribute::AlwaysInline);
    for (unsigned a = 2; a < kargs.size(); ++a) fn_->addParamAttr(a, llvm::Attribute::NoAlias);
    auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn_);
    auto* loop = llvm::BasicBlock::Create(ctx_, "row", fn_);
    auto* done = llvm::BasicBlock::Create(ctx_, "done", fn_);
    b_.SetInsertPoint(entry);
    rows_ = fn_->getArg(0);
    as_of_ = fn_->getArg(1);
    for (size_t f = 0; f < nf; ++f) {
      const bool text = p_.fields[f].type == ir::FieldType::Text;
      num_.push_back(text ? nullptr : fn_->getArg(2 + 3 * f));
      valid_.push_back(fn_->getArg(3 + 3 * f));
      text_.push_back(text ? fn_->getArg(4 + 3 * f) : nullptr);
    }
    for (size_t h = 0; h < nh; ++h) {
      hist_.push_back(fn_->getArg(2 + 3 * nf + 2 * h));
      hist_valid_.push_back(fn_->getArg(3 + 3 * nf + 2 * h));
    }
    for (int k = 0; k < kOutputs; ++k) outs_.push_back(fn_->getArg(2 + 3 * nf + 2 * nh + k));
    Value* empty = b_.CreateICmpSLE(rows_, b_.getInt64(0));
    b_.CreateCondBr(empty, done, loop);

    b_.SetInsertPoint(loop);
    row_ = b_.CreatePHI(i64(), 2, "row");
    row_->addIncoming(b_.getInt64(0), entry);
    vals_.assign(p_.code.size(), V{nullptr, nullptr});
    make_frame();
    body();
    Value* next = b_.CreateAdd(row_, b_.getInt64(1));
    row_->addIncoming(next, b_.GetInsertBlock());
    b_.CreateCondBr(b_.CreateICmpSLT(next, rows_), loop, done);
    b_.SetInsertPoint(done);
    b_.CreateRetVoid();

    // The ABI wrapper: unpack BatchColumns / BatchOutputs and call the kernel.
    auto* fty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {i8p, i8p}, false);
    llvm::Function* wrapper = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, name, m_);
    wrapper->addFnAttr(llvm::Attribute::NoUnwind);
    b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", wrapper));
    auto* fail = llvm::BasicBlock::Create(ctx_, "no_memory", wrapper);
    Value* rows = load_ptr(wrapper->getArg(0), kColumnsRows, i64());
    const AbiView abi = normalise_abi(b_, m_, p_, wrapper->getArg(0), wrapper->getArg(1), rows, fail);
    Value* in = abi.in;
    Value* out = abi.out;
    Value* num_arr = load_ptr(in, 0, ptr_ty(ptr_ty(dbl())));
    Value* valid_arr = load_ptr(in, 8, ptr_ty(i8p));
    Value* text_arr = load_ptr(in, 16, ptr_ty(i8p));
    std::vector<Value*> args = {
        b_.CreateLoad(i64(), b_.CreateBitCast(b_.CreateConstGEP1_64(i8(), in, 32), ptr_ty(i64()))),
        b_.CreateLoad(dbl(), b_.CreateBitCast(b_.CreateConstGEP1_64(i8(), in, 24), ptr_ty(dbl())))};
    for (size_t f = 0; f < nf; ++f) {
      args.push_back(b_.CreateLoad(ptr_ty(dbl()), b_.CreateConstGEP1_64(ptr_ty(dbl()), num_arr, f)));
      args.push_back(b_.CreateLoad(i8p, b_.CreateConstGEP1_64(i8p, valid_arr, f)));
      args.push_back(b_.CreateLoad(i8p, b_.CreateConstGEP1_64(i8p, text_arr, f)));
    }
    if (nh > 0) {
      Value* hist_arr = load_ptr(in, kColumnsHistory, ptr_ty(ptr_ty(dbl())));
      Value* valid_arr = load_ptr(in, kColumnsHistoryValid, ptr_ty(i8p));
      for (size_t h = 0; h < nh; ++h) {
        args.push_back(b_.CreateLoad(ptr_ty(dbl()), b_.CreateConstGEP1_64(ptr_ty(dbl()), hist_arr, h)));
        args.push_back(b_.CreateLoad(i8p, b_.CreateConstGEP1_64(i8p, valid_arr, h)));
      }
    }
    for (int k = 0; k < kOutputs; ++k) args.push_back(load_ptr(out, 8 * k, i8p));
    b_.CreateCall(fn_, args);
    release_abi(b_, m_, abi);
    b_.CreateRetVoid();
    b_.SetInsertPoint(fail);
    b_.CreateRetVoid();
  }

 private:
  llvm::Type* dbl() { return b_.getDoubleTy(); }
  llvm::PointerType* i8p() { return llvm::Type::getInt8PtrTy(ctx_); }
  llvm::Type* i8() { return b_.getInt8Ty(); }
  llvm::Type* i32() { return b_.getInt32Ty(); }
  llvm::Type* i64() { return b_.getInt64Ty(); }
  llvm::PointerType* ptr_ty(llvm::Type* t) { return llvm::PointerType::getUnqual(t); }
  Value* load_ptr(Value* base, uint64_t offset, llvm::Type* ty) {
    Value* at = b_.CreateBitCast(b_.CreateConstGEP1_64(i8(), base, offset), ptr_ty(ty));
    return b_.CreateLoad(ty, at);
  }
  Value* cf(double x) { return ie_.cf(x); }
  Value* no() { return ie_.no(); }

  void run(uint32_t begin, uint32_t end) {
    for (uint32_t i = begin; i < end; ++i) vals_[i] = ie_.step(p_.code[i], frame_);
  }

  // The kernel reads fields from its arguments and operands from the values emitted so far.
  void make_frame() {
    frame_.fn = fn_;
    frame_.row = row_;
    frame_.as_of = as_of_;
    frame_.operand = [this](uint32_t i) { return vals_[i].v ? vals_[i] : V{cf(0), no()}; };
    frame_.num = [this](uint32_t f) { return num_[f]; };
    frame_.valid = [this](uint32_t f) { return valid_[f]; };
    frame_.text = [this](uint32_t f) { return text_[f]; };
    frame_.history = [this](uint32_t h) { return hist_[h]; };
    frame_.history_valid = [this](uint32_t h) { return hist_valid_[h]; };
  }

  void store_i32(int slot, Value* v) { b_.CreateStore(v, b_.CreateGEP(i32(), b_.CreateBitCast(outs_[slot], ptr_ty(i32())), row_)); }
  V at(uint32_t i) { return i < vals_.size() && vals_[i].v ? vals_[i] : V{cf(0), no()}; }
  // Bit i: item i's instruction holds (alerts, stale rules; at most 64 of each).
  template <class Inst, class Items>
  Value* mask(Inst inst, const Items& items) {
    Value* bits = b_.getInt64(0);
    for (size_t i = 0; i < items.size() && i < 64; ++i)
      bits = b_.CreateOr(bits, b_.CreateShl(b_.CreateZExt(ie_.truthy(at(inst(items[i]))), i64()), i));
    return bits;
  }

  void body() {
    const ir::Results& res = p_.results;
    run(0, p_.detail_block.begin);
    if (detail_) run(p_.detail_block.begin, p_.detail_block.end);
    run(p_.detail_block.end, p_.labels_block.end);
    run(p_.alerts_block.begin, p_.alerts_block.end);
    const V score = at(res.score);
    store_i32(0, b_.CreateFPToSI(at(res.segment).v, i32()));
    store_i32(1, b_.CreateSelect(score.ok, b_.CreateFPToSI(b_.CreateSelect(score.ok, score.v, cf(0)), i32()),
                                 b_.getInt32(ir::kUnscoredScore)));
    store_i32(2, b_.CreateFPToSI(at(res.band).v, i32()));
    store_i32(3, b_.CreateFPToSI(at(res.label).v, i32()));
    store_i32(4, b_.CreateFPToSI(at(res.override_).v, i32()));
    const V weighted = at(res.weighted_score);
    store_i32(kWeightedSlot, b_.CreateSelect(weighted.ok, b_.CreateFPToSI(b_.CreateSelect(weighted.ok, weighted.v, cf(0)), i32()),
                                             b_.getInt32(ir::kUnscoredScore)));
    auto store_mask = [&](int slot, Value* bits) {
      b_.CreateStore(bits, b_.CreateGEP(i64(), b_.CreateBitCast(outs_[slot], ptr_ty(i64())), row_));
    };
    if (computes_slot(p_, kAlertsSlot)) store_mask(kAlertsSlot, mask([](const ir::Alert& a) { return a.condition; }, p_.alerts));
    if (computes_slot(p_, kStaleSlot)) store_mask(kStaleSlot, mask([](const ir::StaleRule& r) { return r.stale; }, p_.stale_rules));
    if (!detail_) return;
    for (size_t m = 0; m < p_.measures.size(); ++m) {
      Value* pos = b_.CreateAdd(b_.CreateMul(b_.getInt64(m), rows_), row_);
      const ir::Measure& meas = p_.measures[m];
      auto put = [&](int slot, V x) {
        b_.CreateStore(b_.CreateSelect(x.ok, x.v, cf(0)), b_.CreateGEP(dbl(), b_.CreateBitCast(outs_[slot], ptr_ty(dbl())), pos));
        b_.CreateStore(b_.CreateZExt(x.ok, i8()), b_.CreateGEP(i8(), outs_[slot + 1], pos));
      };
      put(5, at(meas.value));
      put(7, at(meas.score));
      put(9, at(meas.weight));
    }
  }

  const ir::Program& p_;
  llvm::Module& m_;
  llvm::LLVMContext& ctx_;
  IRBuilder<> b_;
  InstEmitter ie_{p_, m_, b_};
  Frame frame_;
  bool detail_;
  llvm::Function* fn_ = nullptr;
  llvm::PHINode* row_ = nullptr;
  Value* rows_ = nullptr;
  Value* as_of_ = nullptr;
  std::vector<Value*> num_, valid_, text_, hist_, hist_valid_, outs_;
  std::vector<V> vals_;
};

}  // namespace

// What a variant runs: every instruction but the detail block's for the basic variant, and
// the detail stores (code past the blocks counts too: it is code a card asked for).
size_t code_size(const ir::Program& p, Variant variant) {
  const size_t detail_code = p.detail_block.end - p.detail_block.begin;
  if (variant == Variant::Detail) return p.code.size() + 3 * p.measures.size();
  return p.code.size() - detail_code;
}

std::unique_ptr<llvm::Module> generate(const ir::Program& program, llvm::LLVMContext& ctx, Variant variant) {
  auto module = std::make_unique<llvm::Module>("scorecard", ctx);
  const bool detail = variant == Variant::Detail;
  if (code_size(program, variant) > kSplitSize) emit_split(program, *module, detail, function_name(variant));
  else Emitter(program, *module, detail).emit(function_name(variant));
  return module;
}

}  // namespace healthc::codegen
