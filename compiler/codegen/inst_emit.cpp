// One scoring-IR instruction as LLVM IR, mirroring eval/evaluator.cpp operation for operation.
#include "compiler/codegen/inst_emit.h"

#include "compiler/ir/ops.h"

#include <llvm/IR/Intrinsics.h>

#include <limits>

#include <string>
#include <tuple>

namespace healthc::codegen {

using llvm::Value;

Value* InstEmitter::finite(Value* x) {
  // x - x is 0 exactly when x is finite (inf - inf and NaN - NaN are NaN): no llvm.fabs.
  if (fast_isel_) return b_.CreateFCmpOEQ(b_.CreateFSub(x, x), cf(0));
  Value* abs = b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x);
  return b_.CreateFCmpOLT(abs, cf(std::numeric_limits<double>::infinity()));
}

Value* InstEmitter::band_of(Value* score) {
  Value* band = cf(0);
  for (size_t i = 1; i < p_.bands.size(); ++i)
    band = b_.CreateSelect(b_.CreateFCmpOLE(cf(p_.bands[i].from), score), cf(static_cast<double>(i)), band);
  return band;
}

V InstEmitter::text_eq(const ir::Inst& in, const Frame& f) {
  Value* la = b_.CreateICmpNE(b_.CreateLoad(i8(), b_.CreateGEP(i8(), f.valid(in.a), f.row)), b_.getInt8(0));
  auto cell = [&](uint32_t field) {
    Value* base = b_.CreateGEP(i8(), f.text(field), b_.CreateMul(f.row, b_.getInt64(16)));
    Value* data = b_.CreateLoad(ptr_ty(i8()), b_.CreateBitCast(base, ptr_ty(ptr_ty(i8()))));
    Value* size = b_.CreateLoad(i64(), b_.CreateBitCast(b_.CreateConstGEP1_64(i8(), base, 8), ptr_ty(i64())));
    return std::pair{data, size};
  };
  auto [xd, xs] = cell(in.a);
  Value* ok = la;
  Value *yd, *ys;
  if (in.aux) {
    const std::string& s = p_.strings[in.b];
    yd = b_.CreateGlobalStringPtr(s);
    ys = b_.getInt64(s.size());
  } else {
    Value* lb = b_.CreateICmpNE(b_.CreateLoad(i8(), b_.CreateGEP(i8(), f.valid(in.b), f.row)), b_.getInt8(0));
    ok = all(la, lb);
    std::tie(yd, ys) = cell(in.b);
  }
  // memcmp only when both are present and the sizes agree (it must not read past a cell).
  Value* same_size = all(ok, b_.CreateICmpEQ(xs, ys));
  auto* from = b_.GetInsertBlock();
  auto* cmp = llvm::BasicBlock::Create(b_.getContext(), "text_cmp", f.fn);
  auto* merge = llvm::BasicBlock::Create(b_.getContext(), "text_done", f.fn);
  b_.CreateCondBr(same_size, cmp, merge);
  b_.SetInsertPoint(cmp);
  llvm::FunctionCallee memcmp = m_.getOrInsertFunction(
      "memcmp", llvm::FunctionType::get(i32(), {ptr_ty(i8()), ptr_ty(i8()), i64()}, false));
  Value* eq = b_.CreateICmpEQ(b_.CreateCall(memcmp, {xd, yd, xs}), b_.getInt32(0));
  b_.CreateBr(merge);
  b_.SetInsertPoint(merge);
  auto* phi = b_.CreatePHI(b_.getInt1Ty(), 2);
  phi->addIncoming(no(), from);
  phi->addIncoming(eq, cmp);
  return {to_double(phi), ok, phi};
}

// The value of an op whose validity its policy decides, from present values only (the same
// double operations as the evaluator's body).
Value* InstEmitter::body(const ir::Inst& in, Value* a, Value* b, Value* c) {
  using ir::Op;
  switch (in.op) {
    case Op::Neg: return b_.CreateFNeg(a);
    case Op::Add: return b_.CreateFAdd(a, b);
    case Op::Sub: return b_.CreateFSub(a, b);
    case Op::Mul: return b_.CreateFMul(a, b);
    case Op::Div: return b_.CreateFDiv(a, b);
    case Op::Min: return b_.CreateSelect(b_.CreateFCmpOLT(a, b), a, b);
    case Op::Max: return b_.CreateSelect(b_.CreateFCmpOGT(a, b), a, b);
    case Op::Abs: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, a);
    case Op::Round: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::round, a);
    case Op::Log: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::log, b_.CreateSelect(b_.CreateFCmpOGT(a, cf(0)), a, cf(1)));
    case Op::Sqrt: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, b_.CreateSelect(b_.CreateFCmpOGE(a, cf(0)), a, cf(0)));
    case Op::PctChange: return b_.CreateFDiv(b_.CreateFSub(a, b), b);
    case Op::Clamp: {
      Value* lo = b_.CreateSelect(b_.CreateFCmpOLT(a, b), b, a);
      return b_.CreateSelect(b_.CreateFCmpOGT(lo, c), c, lo);
    }
    case Op::Guard: return b;
    case Op::ClampScore: {
      Value* hi = b_.CreateSelect(b_.CreateFCmpOGT(a, cf(100)), cf(100), a);
      return b_.CreateSelect(b_.CreateFCmpOLT(a, cf(0)), cf(0), hi);
    }
    case Op::Mean: return b_.CreateFDiv(a, b);
    case Op::EffectiveWeight: return b_.CreateFDiv(b_.CreateFMul(a, cf(in.imm)), b);
    case Op::RoundScore:
      return b_.CreateUnaryIntrinsic(llvm::Intrinsic::floor, b_.CreateFAdd(b_.CreateFAdd(a, cf(0.5)), cf(1e-9)));
    default: return cf(0);
  }
}

Value* InstEmitter::truth(ir::Op op, Value* a, Value* b) {
  using ir::Op;
  switch (op) {
    case Op::Eq: return b_.CreateFCmpOEQ(a, b);
    case Op::Ne: return b_.CreateFCmpUNE(a, b);
    case Op::Lt: return b_.CreateFCmpOLT(a, b);
    case Op::Le: return b_.CreateFCmpOLE(a, b);
    case Op::Gt: return b_.CreateFCmpOGT(a, b);
    case Op::Ge: return b_.CreateFCmpOGE(a, b);
    case Op::Not: return b_.CreateFCmpOEQ(a, cf(0));
    default: return nullptr;
  }
}

// The domain check of an IfAnyMissingOrDomain op, on its operands and result.
Value* InstEmitter::in_domain(ir::Domain d, Value* a, Value* b, Value* r) {
  switch (d) {
    case ir::Domain::None: return yes();
    case ir::Domain::Finite: return finite(r);
    case ir::Domain::NonZeroDivisor: return all(b_.CreateFCmpUNE(b, cf(0)), finite(r));
    case ir::Domain::PositiveArg: return all(b_.CreateFCmpOGT(a, cf(0)), finite(r));
    case ir::Domain::NonNegativeArg: return all(b_.CreateFCmpOGE(a, cf(0)), finite(r));
    case ir::Domain::NotNaN: return b_.CreateFCmpORD(a, a);
    case ir::Domain::PositiveDivisor: return all(b_.CreateFCmpOGT(b, cf(0)), finite(r));
    case ir::Domain::ScoreRange: return all(b_.CreateFCmpOGE(r, cf(0)), b_.CreateFCmpOLE(r, cf(100)));
  }
  return no();
}

V InstEmitter::step(const ir::Inst& in, const Frame& f) {
  using ir::Op;
  const size_t n = p_.code.size();
  const ir::OpInfo& info = ir::op_info(in.op);
  const int arity = info.arity;
  // Operands an op does not read are never fetched (a split chunk would load them for nothing).
  auto operand = [&](uint32_t i, int k) { return k < arity && i < n ? f.operand(i) : V{cf(0), no()}; };
  const V a = operand(in.a, 0);
  const V b = operand(in.b, 1);
  const V c = operand(in.c, 2);
  if (ir::policy_decides_validity(info)) {
    // Missing if any operand is missing (and, for IfAnyMissingOrDomain, outside the domain).
    const V ops[] = {a, b, c};
    Value* ok = arity > 0 ? ops[0].ok : yes();
    for (int k = 1; k < arity; ++k) ok = all(ok, ops[k].ok);
    if (Value* bit = truth(in.op, a.v, b.v)) return {to_double(bit), ok, bit};
    Value* r = body(in, a.v, b.v, c.v);
    if (info.domain != ir::Domain::None) ok = all(ok, in_domain(info.domain, a.v, b.v, r));
    return {r, ok};
  }
  switch (in.op) {  // the ops that decide their own validity
    case Op::Const: return {cf(in.imm), yes()};
    case Op::Missing: return {cf(0), no()};
    case Op::Load: {
      Value* ok = b_.CreateICmpNE(b_.CreateLoad(i8(), b_.CreateGEP(i8(), f.valid(in.a), f.row)), b_.getInt8(0));
      Value* col = f.num(in.a);
      Value* v = col ? b_.CreateLoad(dbl(), b_.CreateGEP(dbl(), col, f.row)) : cf(0);
      return {v, ok};
    }
    case Op::AsOf: return {f.as_of, yes()};
    case Op::History: {  // like Load: the value as stored, valid where the column says so
      Value* ok = b_.CreateICmpNE(b_.CreateLoad(i8(), b_.CreateGEP(i8(), f.history_valid(in.a), f.row)), b_.getInt8(0));
      return {b_.CreateLoad(dbl(), b_.CreateGEP(dbl(), f.history(in.a), f.row)), ok};
    }
    case Op::Coalesce: return {b_.CreateSelect(a.ok, a.v, b.v), b_.CreateOr(a.ok, b.ok)};
    case Op::TextEq: return text_eq(in, f);
    case Op::And: {
      auto is_false = [&](V x) { return all(x.ok, x.bit ? b_.CreateNot(x.bit) : b_.CreateFCmpOEQ(x.v, cf(0))); };
      Value* a_false = is_false(a);
      Value* b_false = is_false(b);
      Value* any_false = b_.CreateOr(a_false, b_false);
      return {b_.CreateSelect(any_false, cf(0), cf(1)), b_.CreateOr(any_false, all(a.ok, b.ok)), b_.CreateNot(any_false)};
    }
    case Op::Or: {
      Value* any_true = b_.CreateOr(truthy(a), truthy(b));
      return {b_.CreateSelect(any_true, cf(1), cf(0)), b_.CreateOr(any_true, all(a.ok, b.ok)), any_true};
    }
    case Op::IsMissing: {
      Value* bit = b_.CreateNot(a.ok);
      return {to_double(bit), yes(), bit};
    }
    case Op::Select: {
      Value* t = truthy(a);
      if (!fast_isel_) return {b_.CreateSelect(t, b.v, c.v), pick_bit(t, b.ok, c.ok)};
      // The fast selector turns a double select on a non-compare condition into a branch
      // (mispredicted on every other row of a segment chain); on the bits it is a cmov.
      llvm::Type* i64t = i64();
      Value* bits = b_.CreateSelect(t, b_.CreateBitCast(b.v, i64t), b_.CreateBitCast(c.v, i64t));
      return {b_.CreateBitCast(bits, dbl()), pick_bit(t, b.ok, c.ok)};
    }
    case Op::OrElse: return {b_.CreateSelect(a.ok, a.v, cf(in.imm)), yes()};
    case Op::WeightedSum: return {b_.CreateSelect(b.ok, b_.CreateFAdd(a.v, b_.CreateFMul(cf(in.imm), b.v)), a.v), a.ok};
    case Op::WeightSum: return {b_.CreateSelect(b.ok, b_.CreateFAdd(a.v, cf(in.imm)), a.v), a.ok};
    case Op::BandOf:
      return {b_.CreateSelect(a.ok, band_of(a.v), cf(static_cast<double>(p_.bands.size()))), yes()};
    default: return {cf(0), no()};
  }
}

}  // namespace healthc::codegen
