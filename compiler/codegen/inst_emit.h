// One scoring-IR instruction as LLVM IR: a (value, valid) pair computed branch-free, with the
// same double operations in the same order as the reference evaluator. Shared by the
// single-kernel emitter (small cards) and the split emitter (large cards), which differ only
// in where an instruction's operands and the row's inputs come from (the Frame).
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <map>
#include <utility>

#include "compiler/ir/ir.h"
#include "compiler/ir/ops.h"

namespace healthc::codegen {

struct V {
  llvm::Value* v;   // double
  llvm::Value* ok;  // i1
  // For a truth value (a comparison, `not`, `and`, ...): the i1 that `v` was made from, so a
  // condition reads it directly rather than comparing the double with 0 (less IR to optimise).
  llvm::Value* bit = nullptr;
};

// Where the function being emitted finds its inputs.
struct Frame {
  llvm::Function* fn = nullptr;
  llvm::Value* row = nullptr;    // i64
  llvm::Value* as_of = nullptr;  // double
  std::function<V(uint32_t)> operand;            // an earlier instruction's result
  std::function<llvm::Value*(uint32_t)> num;     // field -> double* column (null for text)
  std::function<llvm::Value*(uint32_t)> valid;   // field -> i8* validity column
  std::function<llvm::Value*(uint32_t)> text;    // field -> i8* text cells (16 bytes each)
  std::function<llvm::Value*(uint32_t)> history;        // history input -> double* column
  std::function<llvm::Value*(uint32_t)> history_valid;  // history input -> i8* validity column
};

class InstEmitter {
 public:
  // `fast_isel`: the code is for LLVM's fast instruction selector (split cards), which
  // cannot select llvm.fabs, an i1 `select` or an i1-to-double conversion; falling back to
  // the slow selector for the rest of the block halved the compile speed. The single kernel
  // keeps the forms the O2 pipeline and vectoriser were tuned on.
  InstEmitter(const ir::Program& p, llvm::Module& m, llvm::IRBuilder<>& b, bool fast_isel = false)
      : p_(p), m_(m), b_(b), fast_isel_(fast_isel) {}

  V step(const ir::Inst& in, const Frame& f);

  llvm::Type* dbl() { return b_.getDoubleTy(); }
  llvm::Type* i8() { return b_.getInt8Ty(); }
  llvm::Type* i32() { return b_.getInt32Ty(); }
  llvm::Type* i64() { return b_.getInt64Ty(); }
  llvm::PointerType* ptr_ty(llvm::Type* t) { return llvm::PointerType::getUnqual(t); }
  llvm::Value* cf(double x) { return llvm::ConstantFP::get(dbl(), x); }
  llvm::Value* yes() { return b_.getTrue(); }
  llvm::Value* no() { return b_.getFalse(); }
  // 1.0 or +0.0.
  llvm::Value* to_double(llvm::Value* bit) {
    return fast_isel_ ? b_.CreateSelect(bit, cf(1), cf(0)) : b_.CreateUIToFP(bit, dbl());
  }
  llvm::Value* finite(llvm::Value* x);
  // Whether x holds: once per value (the split emitter's fast tier runs no CSE, and a
  // segment's condition picks both the segment and the model).
  llvm::Value* truthy(V x) {
    llvm::Value*& t = truthy_[{x.v, x.ok}];
    if (!t) t = all(x.ok, x.bit ? x.bit : b_.CreateFCmpUNE(x.v, cf(0)));
    return t;
  }
  // Forgets values of the function emitted so far (the split emitter starts a new chunk).
  void new_function() { truthy_.clear(); }
  // Whether an i1 is the constant true (an always-valid value: most of the pipeline's).
  static bool always(llvm::Value* bit) {
    auto* c = llvm::dyn_cast<llvm::ConstantInt>(bit);
    return c && c->isOne();
  }
  // a and b, folding a constant true away here (less IR for the optimiser to clean up).
  llvm::Value* all(llvm::Value* a, llvm::Value* b) { return always(a) ? b : always(b) ? a : b_.CreateAnd(a, b); }
  // c ? a : b on i1 values.
  llvm::Value* pick_bit(llvm::Value* c, llvm::Value* a, llvm::Value* b) {
    if (a == b) return a;
    if (!fast_isel_) return b_.CreateSelect(c, a, b);
    return b_.CreateOr(b_.CreateAnd(c, a), b_.CreateAnd(b_.CreateNot(c), b));
  }
  // The band index (as a double) of a score (bands are in ascending order of `from`).
  llvm::Value* band_of(llvm::Value* score);

 private:
  V text_eq(const ir::Inst& in, const Frame& f);
  llvm::Value* body(const ir::Inst& in, llvm::Value* a, llvm::Value* b, llvm::Value* c);
  // The i1 of a comparison or `not`, or null for other ops.
  llvm::Value* truth(ir::Op op, llvm::Value* a, llvm::Value* b);
  llvm::Value* in_domain(ir::Domain d, llvm::Value* a, llvm::Value* b, llvm::Value* r);

  const ir::Program& p_;
  llvm::Module& m_;
  llvm::IRBuilder<>& b_;
  bool fast_isel_;
  std::map<std::pair<llvm::Value*, llvm::Value*>, llvm::Value*> truthy_;
};

}  // namespace healthc::codegen
