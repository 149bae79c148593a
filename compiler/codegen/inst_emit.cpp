// One scoring-IR instruction as LLVM IR, mirroring eval/evaluator.cpp operation for operation.
#include "compiler/codegen/inst_emit.h"

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
  Value* band = b_.getInt32(0);
  for (size_t i = 1; i < p_.bands.size(); ++i)
    band = b_.CreateSelect(b_.CreateFCmpOLE(cf(p_.bands[i].from), score), b_.getInt32(i), band);
  return band;
}

V InstEmitter::level_mean(Value* num, Value* den) {
  Value* mean = b_.CreateFDiv(num, den);
  return {mean, all(b_.CreateFCmpOGT(den, cf(0)), finite(mean))};
}

V InstEmitter::weighted_score(V root) {
  Value* r = b_.CreateUnaryIntrinsic(llvm::Intrinsic::floor, b_.CreateFAdd(root.v, cf(0.5)));
  Value* ok = all(root.ok, all(b_.CreateFCmpOGE(r, cf(0)), b_.CreateFCmpOLE(r, cf(100))));
  return {b_.CreateSelect(ok, r, cf(0)), ok};  // 0 when unscored, as in the evaluator
}

V InstEmitter::override_action(const ir::Override& ov, V score) {
  Value* amount = cf(ov.amount);
  V r = score;
  switch (ov.action) {
    case ir::ActionKind::Score: r = {amount, yes()}; break;
    case ir::ActionKind::Cap: r.v = b_.CreateSelect(b_.CreateFCmpOGT(score.v, amount), amount, score.v); break;
    case ir::ActionKind::Floor: r.v = b_.CreateSelect(b_.CreateFCmpOLT(score.v, amount), amount, score.v); break;
    case ir::ActionKind::Band: {
      const ir::Band& band = p_.bands[ov.band];
      Value* hi = b_.CreateSelect(b_.CreateFCmpOGT(score.v, cf(band.to)), cf(band.to), score.v);
      r.v = b_.CreateSelect(b_.CreateFCmpOLT(score.v, cf(band.from)), cf(band.from), hi);
      break;
    }
  }
  Value* hi = b_.CreateSelect(b_.CreateFCmpOGT(r.v, cf(100)), cf(100), r.v);
  r.v = b_.CreateSelect(b_.CreateFCmpOLT(r.v, cf(0)), cf(0), hi);
  return r;
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
  return {to_double(phi), ok};
}

V InstEmitter::step(const ir::Inst& in, const Frame& f) {
  using ir::Op;
  const size_t n = p_.code.size();
  const int arity = ir::op_arity(in.op);
  // Operands an op does not read are never fetched (a split chunk would load them for nothing).
  auto operand = [&](uint32_t i, int k) { return k < arity && i < n ? f.operand(i) : V{cf(0), no()}; };
  const bool reads_fields = in.op == Op::Load || in.op == Op::TextEq;
  const V a = reads_fields ? V{cf(0), no()} : operand(in.a, 0);
  const V b = reads_fields ? V{cf(0), no()} : operand(in.b, 1);
  const V c = reads_fields ? V{cf(0), no()} : operand(in.c, 2);
  auto arith = [&](Value* r, Value* ok) { return V{r, all(ok, finite(r))}; };
  switch (in.op) {
    case Op::Const: return {cf(in.imm), yes()};
    case Op::Missing: return {cf(0), no()};
    case Op::Load: {
      Value* ok = b_.CreateICmpNE(b_.CreateLoad(i8(), b_.CreateGEP(i8(), f.valid(in.a), f.row)), b_.getInt8(0));
      Value* col = f.num(in.a);
      Value* v = col ? b_.CreateLoad(dbl(), b_.CreateGEP(dbl(), col, f.row)) : cf(0);
      return {v, ok};
    }
    case Op::AsOf: return {f.as_of, yes()};
    case Op::AccountScore: return f.account_score();
    case Op::AccountBand: return {f.account_band(), yes()};
    case Op::AccountSegment: return {f.account_segment(), yes()};
    case Op::Neg: return {b_.CreateFNeg(a.v), a.ok};
    case Op::Add: return arith(b_.CreateFAdd(a.v, b.v), all(a.ok, b.ok));
    case Op::Sub: return arith(b_.CreateFSub(a.v, b.v), all(a.ok, b.ok));
    case Op::Mul: return arith(b_.CreateFMul(a.v, b.v), all(a.ok, b.ok));
    case Op::Div: return arith(b_.CreateFDiv(a.v, b.v), all(all(a.ok, b.ok), b_.CreateFCmpUNE(b.v, cf(0))));
    case Op::Min: return {b_.CreateSelect(b_.CreateFCmpOLT(a.v, b.v), a.v, b.v), all(a.ok, b.ok)};
    case Op::Max: return {b_.CreateSelect(b_.CreateFCmpOGT(a.v, b.v), a.v, b.v), all(a.ok, b.ok)};
    case Op::Abs: return {b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, a.v), a.ok};
    case Op::Round: return {b_.CreateUnaryIntrinsic(llvm::Intrinsic::round, a.v), a.ok};
    case Op::Log: {
      Value* pos = b_.CreateFCmpOGT(a.v, cf(0));
      Value* safe = b_.CreateSelect(pos, a.v, cf(1));
      return arith(b_.CreateUnaryIntrinsic(llvm::Intrinsic::log, safe), all(a.ok, pos));
    }
    case Op::Sqrt: {
      Value* nonneg = b_.CreateFCmpOGE(a.v, cf(0));
      Value* safe = b_.CreateSelect(nonneg, a.v, cf(0));
      return arith(b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, safe), all(a.ok, nonneg));
    }
    case Op::PctChange:
      return arith(b_.CreateFDiv(b_.CreateFSub(a.v, b.v), b.v), all(all(a.ok, b.ok), b_.CreateFCmpUNE(b.v, cf(0))));
    case Op::Clamp: {
      Value* lo = b_.CreateSelect(b_.CreateFCmpOLT(a.v, b.v), b.v, a.v);
      return {b_.CreateSelect(b_.CreateFCmpOGT(lo, c.v), c.v, lo), all(all(a.ok, b.ok), c.ok)};
    }
    case Op::Coalesce: return {b_.CreateSelect(a.ok, a.v, b.v), b_.CreateOr(a.ok, b.ok)};
    case Op::Eq: return {to_double(b_.CreateFCmpOEQ(a.v, b.v)), all(a.ok, b.ok)};
    case Op::Ne: return {to_double(b_.CreateFCmpUNE(a.v, b.v)), all(a.ok, b.ok)};
    case Op::Lt: return {to_double(b_.CreateFCmpOLT(a.v, b.v)), all(a.ok, b.ok)};
    case Op::Le: return {to_double(b_.CreateFCmpOLE(a.v, b.v)), all(a.ok, b.ok)};
    case Op::Gt: return {to_double(b_.CreateFCmpOGT(a.v, b.v)), all(a.ok, b.ok)};
    case Op::Ge: return {to_double(b_.CreateFCmpOGE(a.v, b.v)), all(a.ok, b.ok)};
    case Op::TextEq: return text_eq(in, f);
    case Op::And: {
      Value* a_false = all(a.ok, b_.CreateFCmpOEQ(a.v, cf(0)));
      Value* b_false = all(b.ok, b_.CreateFCmpOEQ(b.v, cf(0)));
      Value* any_false = b_.CreateOr(a_false, b_false);
      return {b_.CreateSelect(any_false, cf(0), cf(1)), b_.CreateOr(any_false, all(a.ok, b.ok))};
    }
    case Op::Or: {
      Value* any_true = b_.CreateOr(truthy(a), truthy(b));
      return {b_.CreateSelect(any_true, cf(1), cf(0)), b_.CreateOr(any_true, all(a.ok, b.ok))};
    }
    case Op::Not: return {to_double(b_.CreateFCmpOEQ(a.v, cf(0))), a.ok};
    case Op::IsMissing: return {to_double(b_.CreateNot(a.ok)), yes()};
    case Op::Select: {
      Value* t = truthy(a);
      return {b_.CreateSelect(t, b.v, c.v), pick_bit(t, b.ok, c.ok)};
    }
    case Op::Guard: return {b.v, all(a.ok, b.ok)};
    case Op::ClampScore: {
      Value* not_nan = b_.CreateFCmpORD(a.v, a.v);
      Value* hi = b_.CreateSelect(b_.CreateFCmpOGT(a.v, cf(100)), cf(100), a.v);
      return {b_.CreateSelect(b_.CreateFCmpOLT(a.v, cf(0)), cf(0), hi), all(a.ok, not_nan)};
    }
    case Op::OrElse: return {b_.CreateSelect(a.ok, a.v, cf(in.imm)), yes()};
  }
  return {cf(0), no()};
}

}  // namespace healthc::codegen
