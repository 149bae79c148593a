// Scoring IR -> LLVM IR: for a small card, one batch function that loops over the rows of a
// column block and computes every instruction branch-free as (value, valid) pairs, mirroring
// the reference evaluator operation for operation (same double operations in the same order,
// no FMA), so the two agree bit for bit. Large cards go to the split emitter (split_emit.h).
#include "compiler/codegen/codegen.h"

#include "compiler/codegen/inst_emit.h"
#include "compiler/codegen/split_emit.h"

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
  static constexpr int kOutputs = 11;  // pointers in ir::BatchOutputs

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
    for (size_t f = 0; f < nf; ++f) kargs.insert(kargs.end(), {ptr_ty(dbl()), i8p, i8p});
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
    for (int k = 0; k < kOutputs; ++k) outs_.push_back(fn_->getArg(2 + 3 * nf + k));
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
    Value* in = wrapper->getArg(0);
    Value* out = wrapper->getArg(1);
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
    for (int k = 0; k < kOutputs; ++k) args.push_back(load_ptr(out, 8 * k, i8p));
    b_.CreateCall(fn_, args);
    b_.CreateRetVoid();
  }

 private:
  llvm::Type* dbl() { return b_.getDoubleTy(); }
  llvm::PointerType* i8p() { return llvm::Type::getInt8PtrTy(ctx_); }
  llvm::Type* i8() { return b_.getInt8Ty(); }
  llvm::Type* i32() { return b_.getInt32Ty(); }
  llvm::Type* i64() { return b_.getInt64Ty(); }
  llvm::PointerType* ptr_ty(llvm::Type* t) { return llvm::PointerType::getUnqual(t); }
  Value* load_ptr(Value* base, int offset, llvm::PointerType* ty) {
    Value* at = b_.CreateBitCast(b_.CreateConstGEP1_64(i8(), base, offset), ptr_ty(ty));
    return b_.CreateLoad(ty, at);
  }
  Value* cf(double x) { return ie_.cf(x); }
  Value* yes() { return ie_.yes(); }
  Value* no() { return ie_.no(); }
  Value* truthy(V x) { return ie_.truthy(x); }
  Value* all(Value* a, Value* b) { return ie_.all(a, b); }

  void run_block(ir::Block blk) {
    for (uint32_t i = blk.begin; i < blk.end; ++i) vals_[i] = ie_.step(p_.code[i], frame_);
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
    frame_.account_score = [this] { return account_score_; };
    frame_.account_band = [this] { return account_band_; };
    frame_.account_segment = [this] { return account_segment_; };
  }

  // A level of a weight tree: its score, and (when `ew` is given) the effective weight of
  // every scored measure below it, given the level's own weight and validity.
  V tree(const std::vector<ir::WeightNode>& nodes, Value* parent_w, Value* parent_ok, std::vector<V>* ew) {
    std::vector<V> scores;
    Value* num = cf(0);
    Value* den = cf(0);
    for (const ir::WeightNode& n : nodes) {
      const V s = n.measure >= 0 ? vals_[p_.measures[n.measure].score] : tree(n.children, nullptr, nullptr, nullptr);
      scores.push_back(s);
      num = b_.CreateSelect(s.ok, b_.CreateFAdd(num, b_.CreateFMul(cf(n.weight), s.v)), num);
      den = b_.CreateSelect(s.ok, b_.CreateFAdd(den, cf(n.weight)), den);
    }
    const V mean = ie_.level_mean(num, den);
    if (ew) {
      Value* level_ok = parent_ok ? all(parent_ok, mean.ok) : mean.ok;
      for (size_t i = 0; i < nodes.size(); ++i) {
        const ir::WeightNode& n = nodes[i];
        Value* w = b_.CreateFDiv(b_.CreateFMul(parent_w, cf(n.weight)), den);
        Value* node_ok = all(level_ok, scores[i].ok);
        if (n.measure >= 0) (*ew)[n.measure] = V{w, node_ok};
        else tree(n.children, w, node_ok, ew);
      }
    }
    return mean;
  }

  Value* band_of(Value* score) { return ie_.band_of(score); }

  void store_i32(int slot, Value* v) { b_.CreateStore(v, b_.CreateGEP(i32(), b_.CreateBitCast(outs_[slot], ptr_ty(i32())), row_)); }

  void body() {
    const int32_t nseg = static_cast<int32_t>(p_.segments.size());
    const int32_t nbands = static_cast<int32_t>(p_.bands.size());
    const size_t nm = p_.measures.size();
    run_block(p_.measures_block);
    // 1. Segment and model.
    Value* seg = b_.getInt32(nseg);
    Value* model = b_.getInt32(p_.default_model);
    for (int32_t s = nseg; s-- > 0;) {
      Value* hit = truthy(vals_[p_.segments[s].condition]);
      seg = b_.CreateSelect(hit, b_.getInt32(s), seg);
      model = b_.CreateSelect(hit, b_.getInt32(p_.segments[s].model), model);
    }
    // 2-3. Every model's tree, then the account's by its model index.
    V root{cf(0), no()};
    std::vector<V> ew(nm, V{cf(0), no()});
    for (size_t m = 0; m < p_.models.size(); ++m) {
      std::vector<V> model_ew(nm, V{nullptr, nullptr});  // null: the measure is not in model m
      const V r = tree(p_.models[m].roots, cf(1.0), nullptr, detail_ ? &model_ew : nullptr);
      Value* is = b_.CreateICmpEQ(model, b_.getInt32(m));
      root = {b_.CreateSelect(is, r.v, root.v), b_.CreateSelect(is, r.ok, root.ok)};
      if (detail_)
        for (size_t k = 0; k < nm; ++k)
          if (model_ew[k].v) ew[k] = {b_.CreateSelect(is, model_ew[k].v, ew[k].v), b_.CreateSelect(is, model_ew[k].ok, ew[k].ok)};
    }
    const V score = ie_.weighted_score(root);
    // 4. Overrides: the first that matches applies.
    account_score_ = score;
    account_band_ = b_.CreateSIToFP(b_.CreateSelect(score.ok, band_of(score.v), b_.getInt32(nbands)), dbl());
    account_segment_ = b_.CreateSIToFP(seg, dbl());
    run_block(p_.overrides_block);
    V final_score = score;
    Value* applied = b_.getInt32(-1);
    for (size_t o = p_.overrides.size(); o-- > 0;) {
      const ir::Override& ov = p_.overrides[o];
      Value* hit = truthy(vals_[ov.condition]);
      if (!ov.segments.empty()) {
        Value* in_list = no();
        for (int32_t s : ov.segments) in_list = b_.CreateOr(in_list, b_.CreateICmpEQ(seg, b_.getInt32(s < 0 ? nseg : s)));
        hit = all(hit, in_list);
      }
      const V r = ie_.override_action(ov, score);
      final_score = {b_.CreateSelect(hit, r.v, final_score.v), b_.CreateSelect(hit, r.ok, final_score.ok)};
      applied = b_.CreateSelect(hit, b_.getInt32(o), applied);
    }
    // 5. Band. 6. Labels.
    Value* score_i = b_.CreateSelect(final_score.ok, b_.CreateFPToSI(b_.CreateSelect(final_score.ok, final_score.v, cf(0)), i32()),
                                     b_.getInt32(-1));
    Value* band = b_.CreateSelect(final_score.ok, band_of(final_score.v), b_.getInt32(nbands));
    account_score_ = final_score;
    account_band_ = b_.CreateSIToFP(band, dbl());
    run_block(p_.labels_block);
    Value* label = b_.getInt32(-1);
    for (size_t l = p_.labels.size(); l-- > 0;) {
      Value* hit = p_.labels[l].condition == ir::kNone ? yes() : truthy(vals_[p_.labels[l].condition]);
      label = b_.CreateSelect(hit, b_.getInt32(l), label);
    }
    store_i32(0, seg);
    store_i32(1, score_i);
    store_i32(2, band);
    store_i32(3, label);
    store_i32(4, applied);
    if (!detail_) return;
    for (size_t m = 0; m < nm; ++m) {
      Value* at = b_.CreateAdd(b_.CreateMul(b_.getInt64(m), rows_), row_);
      const ir::Measure& meas = p_.measures[m];
      const V v = meas.value == ir::kNone ? V{cf(0), no()} : vals_[meas.value];
      const V s = vals_[meas.score];
      auto put = [&](int slot, V x) {
        b_.CreateStore(b_.CreateSelect(x.ok, x.v, cf(0)), b_.CreateGEP(dbl(), b_.CreateBitCast(outs_[slot], ptr_ty(dbl())), at));
        b_.CreateStore(b_.CreateZExt(x.ok, i8()), b_.CreateGEP(i8(), outs_[slot + 1], at));
      };
      put(5, v);
      put(7, s);
      put(9, ew[m]);
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
  std::vector<Value*> num_, valid_, text_, outs_;
  std::vector<V> vals_;
  V account_score_{nullptr, nullptr};
  Value* account_band_ = nullptr;
  Value* account_segment_ = nullptr;
};

}  // namespace

namespace {
size_t tree_size(const std::vector<ir::WeightNode>& nodes) {
  size_t n = nodes.size();
  for (const ir::WeightNode& w : nodes) n += tree_size(w.children);
  return n;
}
}  // namespace

size_t code_size(const ir::Program& p, Variant variant) {
  const bool detail = variant == Variant::Detail;
  size_t n = p.code.size() + p.segments.size() + p.overrides.size() + p.labels.size() + p.bands.size();
  for (const ir::Model& m : p.models) n += tree_size(m.roots) * (detail ? 2 : 1);
  if (detail) n += 3 * p.measures.size();
  return n;
}

std::unique_ptr<llvm::Module> generate(const ir::Program& program, llvm::LLVMContext& ctx, Variant variant) {
  auto module = std::make_unique<llvm::Module>("scorecard", ctx);
  const bool detail = variant == Variant::Detail;
  if (code_size(program, variant) > kSplitSize) emit_split(program, *module, detail, function_name(variant));
  else Emitter(program, *module, detail).emit(function_name(variant));
  return module;
}

}  // namespace healthc::codegen
