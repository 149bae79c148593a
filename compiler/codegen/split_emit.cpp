// The split emitter for large cards (see split_emit.h). Every value has a slot (slot i is
// instruction i; weight-tree sums, the segment, scores etc. get slots after the code); a
// statement reads its inputs, computes, and writes its result, so a chunk boundary may fall
// between any two statements. Within a chunk, slots are cached as SSA values, so LLVM sees
// ordinary straight-line code; only values a later chunk reads are stored, in scratch
// columns of kTileRows rows.
#include "compiler/codegen/split_emit.h"

#include <llvm/IR/IRBuilder.h>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <vector>

#include "compiler/codegen/inst_emit.h"

namespace healthc::codegen {
namespace {

using llvm::Value;

// Statements per chunk function: each is a handful of LLVM instructions, so a chunk stays
// at a few hundred instructions, where the optimiser and backend are fast.
constexpr int kChunkStatements = 48;
// Rows per tile: each chunk loops over a tile's rows (so its loop can vectorise), keeping the
// values later chunks read in scratch columns of this many rows.
constexpr uint64_t kTileRows = 16;

class SplitEmitter {
 public:
  SplitEmitter(const ir::Program& p, llvm::Module& m, bool detail)
      : p_(p), m_(m), ctx_(m.getContext()), b_(ctx_), ie_(p, m, b_, true), detail_(detail), nslots_(p.code.size()) {}

  void emit(const std::string& name) {
    find_last_uses();
    make_frame();
    begin_chunk();
    body();
    end_chunk();
    emit_kernel(name);
  }

 private:
  // One level of a weight tree: its sums and mean, and where each node's score is.
  struct Level {
    uint32_t num = 0, den = 0, mean = 0;
    std::vector<uint32_t> score;
    std::vector<Level> kids;  // per node; empty levels for measures
  };

  llvm::Type* dbl() { return ie_.dbl(); }
  llvm::Type* i8() { return ie_.i8(); }
  llvm::Type* i32() { return ie_.i32(); }
  llvm::Type* i64() { return ie_.i64(); }
  llvm::PointerType* ptr_ty(llvm::Type* t) { return ie_.ptr_ty(t); }
  llvm::PointerType* i8p() { return llvm::Type::getInt8PtrTy(ctx_); }
  Value* cf(double x) { return ie_.cf(x); }

  uint32_t new_slot() { return nslots_++; }

  void begin_chunk() {
    auto* ty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {i8p(), i8p(), i64(), i64(), ptr_ty(dbl()), i8p()}, false);
    fn_ = llvm::Function::Create(ty, llvm::Function::InternalLinkage, "chunk" + std::to_string(chunks_.size()), m_);
    fn_->addFnAttr(llvm::Attribute::NoUnwind);
    fn_->addFnAttr(llvm::Attribute::NoInline);  // the point of a chunk: never merged back
    fn_->addParamAttr(4, llvm::Attribute::NoAlias);
    fn_->addParamAttr(5, llvm::Attribute::NoAlias);
    chunks_.push_back(fn_);
    auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn_);
    auto* body = llvm::BasicBlock::Create(ctx_, "row", fn_);
    b_.SetInsertPoint(entry);
    in_ = fn_->getArg(0);
    out_ = fn_->getArg(1);
    begin_ = fn_->getArg(2);
    end_ = fn_->getArg(3);
    vals_ = fn_->getArg(4);
    oks_ = fn_->getArg(5);
    b_.CreateBr(body);  // the kernel never passes an empty tile
    b_.SetInsertPoint(body);
    row_ = b_.CreatePHI(i64(), 2, "row");
    row_->addIncoming(begin_, entry);
    Value* tile_row = b_.CreateSub(row_, begin_);
    vals_row_ = b_.CreateGEP(dbl(), vals_, tile_row);  // slots are constant offsets from here
    oks_row_ = b_.CreateGEP(i8(), oks_, tile_row);
    frame_.fn = fn_;
    frame_.row = row_;
    frame_.as_of = nullptr;
    cache_.clear();
    icache_.clear();
    fields_.clear();
    members_.clear();
    statements_ = 0;
  }
  // Stores the instruction results of this chunk that a later chunk may read.
  void end_chunk() {
    for (uint32_t i : pending_)
      if (last_use_[i] > last_inst_ && p_.code[i].op != ir::Op::Const) store(i, cache_[i]);
    pending_.clear();
    Value* next = b_.CreateAdd(row_, b_.getInt64(1));
    row_->addIncoming(next, b_.GetInsertBlock());
    auto* exit = llvm::BasicBlock::Create(ctx_, "done", fn_);
    b_.CreateCondBr(b_.CreateICmpSLT(next, end_), row_->getParent(), exit);
    b_.SetInsertPoint(exit);
    b_.CreateRetVoid();
  }
  // Called before each statement: starts a new chunk when this one is full.
  void room() {
    if (++statements_ <= kChunkStatements) return;
    end_chunk();
    begin_chunk();
  }

  // An ir::BatchColumns / ir::BatchOutputs member, loaded once per chunk.
  Value* member(Value* base, uint64_t offset, llvm::Type* ty) {
    auto key = std::pair{base, offset};
    if (auto it = members_.find(key); it != members_.end()) return it->second;
    return members_[key] = load_ptr(base, offset, ty);
  }
  Value* load_ptr(Value* base, uint64_t offset, llvm::Type* ty) {
    Value* at = b_.CreateBitCast(b_.CreateConstGEP1_64(i8(), base, offset), ptr_ty(ty));
    return b_.CreateLoad(ty, at);
  }
  // Field f's column of kind k (0 values, 1 validity, 2 text) from ir::BatchColumns.
  Value* field(uint32_t f, int k) {
    auto key = std::pair{f, k};
    if (auto it = fields_.find(key); it != fields_.end()) return it->second;
    llvm::Type* elem = k == 0 ? static_cast<llvm::Type*>(ptr_ty(dbl())) : i8p();
    Value* arr = member(in_, 8 * k, ptr_ty(elem));
    Value* col = b_.CreateLoad(elem, b_.CreateConstGEP1_64(elem, arr, f));
    fields_[key] = col;
    return col;
  }

  // Slot s's place in the scratch columns: a slot only gets a column when it is first
  // stored, so values that never leave their chunk take no scratch memory.
  uint64_t at(uint32_t s) {
    auto [it, fresh] = column_.try_emplace(s, columns_);
    if (fresh) ++columns_;
    return it->second * kTileRows;
  }
  V get(uint32_t s) {
    if (s < p_.code.size() && p_.code[s].op == ir::Op::Const) return {cf(p_.code[s].imm), ie_.yes()};
    if (auto it = cache_.find(s); it != cache_.end()) return it->second;
    const uint64_t i = at(s);
    Value* v = b_.CreateLoad(dbl(), b_.CreateConstGEP1_64(dbl(), vals_row_, i));
    Value* ok = b_.CreateICmpNE(b_.CreateLoad(i8(), b_.CreateConstGEP1_64(i8(), oks_row_, i)), b_.getInt8(0));
    return cache_[s] = V{v, ok};
  }
  void store(uint32_t s, V x) {
    const uint64_t i = at(s);
    b_.CreateStore(x.v, b_.CreateConstGEP1_64(dbl(), vals_row_, i));
    b_.CreateStore(b_.CreateZExt(x.ok, i8()), b_.CreateConstGEP1_64(i8(), oks_row_, i));
  }
  void set(uint32_t s, V x) {
    if (s < p_.code.size()) {  // an instruction: stored at the chunk's end if read later
      pending_.push_back(s);
      last_inst_ = s;
    } else {
      store(s, x);
    }
    cache_[s] = x;
  }
  // For each instruction, the last instruction that reads it; kNone when something after
  // the code (trees, segments, overrides, labels, detail) reads it.
  void find_last_uses() {
    last_use_.assign(p_.code.size(), 0);
    for (uint32_t i = 0; i < p_.code.size(); ++i) {
      const ir::Inst& in = p_.code[i];
      const int arity = ir::op_arity(in.op);
      const uint32_t args[] = {in.a, in.b, in.c};
      for (int k = 0; k < arity; ++k)
        if (args[k] < p_.code.size()) last_use_[args[k]] = std::max(last_use_[args[k]], i);
    }
    auto external = [&](uint32_t i) {
      if (i < p_.code.size()) last_use_[i] = ir::kNone;
    };
    for (const ir::Measure& m : p_.measures) external(m.value), external(m.score);
    for (const ir::Segment& s : p_.segments) external(s.condition);
    for (const ir::Override& o : p_.overrides) external(o.condition);
    for (const ir::Label& l : p_.labels) external(l.condition);
  }
  Value* get_i32(uint32_t s) {  // an integer kept in a slot's value bytes
    if (auto it = icache_.find(s); it != icache_.end()) return it->second;
    return icache_[s] = b_.CreateLoad(i32(), b_.CreateBitCast(b_.CreateConstGEP1_64(dbl(), vals_row_, at(s)), ptr_ty(i32())));
  }
  void set_i32(uint32_t s, Value* x) {
    b_.CreateStore(x, b_.CreateBitCast(b_.CreateConstGEP1_64(dbl(), vals_row_, at(s)), ptr_ty(i32())));
    icache_[s] = x;
  }

  void make_frame() {
    frame_.operand = [this](uint32_t i) { return get(i); };
    frame_.num = [this](uint32_t f) { return p_.fields[f].type == ir::FieldType::Text ? nullptr : field(f, 0); };
    frame_.valid = [this](uint32_t f) { return field(f, 1); };
    frame_.text = [this](uint32_t f) { return field(f, 2); };
    frame_.account_score = [this] { return get(acc_score_); };
    frame_.account_band = [this] { return get(acc_band_).v; };
    frame_.account_segment = [this] { return get(acc_segment_).v; };
  }

  void run_block(ir::Block blk) {
    for (uint32_t i = blk.begin; i < blk.end; ++i) {
      room();
      if (p_.code[i].op == ir::Op::AsOf)
        frame_.as_of = member(in_, 24, dbl());
      set(i, ie_.step(p_.code[i], frame_));
    }
  }

  Level level(const std::vector<ir::WeightNode>& nodes) {
    Level l;
    l.kids.resize(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
      const ir::WeightNode& n = nodes[i];
      if (n.measure >= 0) {
        l.score.push_back(p_.measures[n.measure].score);
      } else {
        l.kids[i] = level(n.children);
        l.score.push_back(l.kids[i].mean);
      }
    }
    l.num = new_slot();
    l.den = new_slot();
    l.mean = new_slot();
    room();
    set(l.num, {cf(0), ie_.yes()});
    set(l.den, {cf(0), ie_.yes()});
    for (size_t i = 0; i < nodes.size(); ++i) {
      room();
      const V s = get(l.score[i]);
      Value* num = get(l.num).v;
      Value* den = get(l.den).v;
      set(l.num, {b_.CreateSelect(s.ok, b_.CreateFAdd(num, b_.CreateFMul(cf(nodes[i].weight), s.v)), num), ie_.yes()});
      set(l.den, {b_.CreateSelect(s.ok, b_.CreateFAdd(den, cf(nodes[i].weight)), den), ie_.yes()});
    }
    room();
    set(l.mean, ie_.level_mean(get(l.num).v, get(l.den).v));
    return l;
  }

  // Effective weights of model `m`'s measures, written to their slots when the account's
  // model is m. `parent` is the slot of the level's own weight and validity (none: the root).
  void weights(const Level& l, const std::vector<ir::WeightNode>& nodes, uint32_t parent, int32_t m) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      room();
      const V mean = get(l.mean);
      Value* level_ok = mean.ok;
      Value* pw = cf(1.0);
      if (parent != ir::kNone) {
        const V pv = get(parent);
        level_ok = ie_.all(pv.ok, mean.ok);
        pw = pv.v;
      }
      Value* w = b_.CreateFDiv(b_.CreateFMul(pw, cf(nodes[i].weight)), get(l.den).v);
      Value* node_ok = ie_.all(level_ok, get(l.score[i]).ok);
      if (nodes[i].measure >= 0) {
        const uint32_t slot = ew_[nodes[i].measure];
        Value* is = b_.CreateICmpEQ(get_i32(model_), b_.getInt32(m));
        const V old = get(slot);
        set(slot, {b_.CreateSelect(is, w, old.v), ie_.pick_bit(is, node_ok, old.ok)});
      } else {
        const uint32_t slot = new_slot();
        set(slot, {w, node_ok});
        weights(l.kids[i], nodes[i].children, slot, m);
      }
    }
  }

  void body() {
    const int32_t nseg = static_cast<int32_t>(p_.segments.size());
    const int32_t nbands = static_cast<int32_t>(p_.bands.size());
    const size_t nm = p_.measures.size();
    acc_score_ = new_slot();
    acc_band_ = new_slot();
    acc_segment_ = new_slot();
    run_block(p_.measures_block);
    // 1. Segment and model: the first segment whose condition holds.
    seg_ = new_slot();
    model_ = new_slot();
    room();
    set_i32(seg_, b_.getInt32(nseg));
    set_i32(model_, b_.getInt32(p_.default_model));
    for (int32_t s = nseg; s-- > 0;) {
      room();
      Value* hit = ie_.truthy(get(p_.segments[s].condition));
      set_i32(seg_, b_.CreateSelect(hit, b_.getInt32(s), get_i32(seg_)));
      set_i32(model_, b_.CreateSelect(hit, b_.getInt32(p_.segments[s].model), get_i32(model_)));
    }
    // 2-3. Every model's tree, then the account's by its model index.
    const uint32_t root = new_slot();
    room();
    set(root, {cf(0), ie_.no()});
    if (detail_) {
      for (size_t k = 0; k < nm; ++k) {
        ew_.push_back(new_slot());
        room();
        set(ew_.back(), {cf(0), ie_.no()});
      }
    }
    for (size_t m = 0; m < p_.models.size(); ++m) {
      const Level l = level(p_.models[m].roots);
      room();
      Value* is = b_.CreateICmpEQ(get_i32(model_), b_.getInt32(m));
      const V r = get(l.mean), old = get(root);
      set(root, {b_.CreateSelect(is, r.v, old.v), ie_.pick_bit(is, r.ok, old.ok)});
      if (detail_) weights(l, p_.models[m].roots, ir::kNone, static_cast<int32_t>(m));
    }
    const uint32_t score = new_slot();
    room();
    const V ws = ie_.weighted_score(get(root));
    set(score, ws);
    set(acc_score_, ws);
    set(acc_band_, {b_.CreateSIToFP(b_.CreateSelect(ws.ok, ie_.band_of(ws.v), b_.getInt32(nbands)), dbl()), ie_.yes()});
    set(acc_segment_, {b_.CreateSIToFP(get_i32(seg_), dbl()), ie_.yes()});
    // 4. Overrides: the first that matches applies.
    run_block(p_.overrides_block);
    const uint32_t final_score = new_slot(), applied = new_slot();
    room();
    set(final_score, get(score));
    set_i32(applied, b_.getInt32(-1));
    for (size_t o = p_.overrides.size(); o-- > 0;) {
      room();
      override_step(p_.overrides[o], static_cast<int32_t>(o), get(score), final_score, applied);
    }
    // 5. Band. 6. Labels.
    const uint32_t score_i = new_slot(), band = new_slot(), label = new_slot();
    room();
    const V fs = get(final_score);
    set_i32(score_i, b_.CreateSelect(fs.ok, b_.CreateFPToSI(b_.CreateSelect(fs.ok, fs.v, cf(0)), i32()), b_.getInt32(-1)));
    Value* bi = b_.CreateSelect(fs.ok, ie_.band_of(fs.v), b_.getInt32(nbands));
    set_i32(band, bi);
    set(acc_score_, fs);
    set(acc_band_, {b_.CreateSIToFP(bi, dbl()), ie_.yes()});
    run_block(p_.labels_block);
    room();
    set_i32(label, b_.getInt32(-1));
    for (size_t l = p_.labels.size(); l-- > 0;) {
      room();
      Value* hit = p_.labels[l].condition == ir::kNone ? ie_.yes() : ie_.truthy(get(p_.labels[l].condition));
      set_i32(label, b_.CreateSelect(hit, b_.getInt32(l), get_i32(label)));
    }
    room();
    const uint32_t results[] = {seg_, score_i, band, label, applied};
    for (int k = 0; k < 5; ++k)
      b_.CreateStore(get_i32(results[k]), b_.CreateGEP(i32(), member(out_, 8 * k, ptr_ty(i32())), row_));
    if (!detail_) return;
    for (size_t m = 0; m < nm; ++m) {
      room();
      Value* at = b_.CreateAdd(b_.CreateMul(b_.getInt64(m), member(in_, 32, i64())), row_);
      const ir::Measure& meas = p_.measures[m];
      const V v = meas.value == ir::kNone ? V{cf(0), ie_.no()} : get(meas.value);
      auto put = [&](int slot, V x) {
        b_.CreateStore(b_.CreateSelect(x.ok, x.v, cf(0)), b_.CreateGEP(dbl(), member(out_, 8 * slot, ptr_ty(dbl())), at));
        b_.CreateStore(b_.CreateZExt(x.ok, i8()), b_.CreateGEP(i8(), member(out_, 8 * (slot + 1), i8p()), at));
      };
      put(5, v);
      put(7, get(meas.score));
      put(9, get(ew_[m]));
    }
  }

  void override_step(const ir::Override& ov, int32_t index, V score, uint32_t final_score, uint32_t applied) {
    const int32_t nseg = static_cast<int32_t>(p_.segments.size());
    Value* hit = ie_.truthy(get(ov.condition));
    if (!ov.segments.empty()) {
      Value* seg = get_i32(seg_);
      Value* in_list = ie_.no();
      for (int32_t s : ov.segments) in_list = b_.CreateOr(in_list, b_.CreateICmpEQ(seg, b_.getInt32(s < 0 ? nseg : s)));
      hit = ie_.all(hit, in_list);
    }
    const V r = ie_.override_action(ov, score);
    const V old = get(final_score);
    set(final_score, {b_.CreateSelect(hit, r.v, old.v), ie_.pick_bit(hit, r.ok, old.ok)});
    set_i32(applied, b_.CreateSelect(hit, b_.getInt32(index), get_i32(applied)));
  }

  // The exported batch function: one scratch buffer for the call, tiles of rows through the
  // chunks in order.
  void emit_kernel(const std::string& name) {
    auto* fty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {i8p(), i8p()}, false);
    llvm::Function* fn = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, name, m_);
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn);
    auto* alloc = llvm::BasicBlock::Create(ctx_, "alloc", fn);
    auto* loop = llvm::BasicBlock::Create(ctx_, "tile", fn);
    auto* release = llvm::BasicBlock::Create(ctx_, "release", fn);
    auto* done = llvm::BasicBlock::Create(ctx_, "done", fn);
    b_.SetInsertPoint(entry);
    Value* in = fn->getArg(0);
    Value* out = fn->getArg(1);
    Value* rows = load_ptr(in, 32, i64());
    b_.CreateCondBr(b_.CreateICmpSLE(rows, b_.getInt64(0)), done, alloc);
    b_.SetInsertPoint(alloc);
    // calloc: a slot is always written before it is read, but zeroed memory keeps a mistake
    // deterministic. One allocation per block of rows, not per tile.
    llvm::FunctionCallee calloc = m_.getOrInsertFunction("calloc", llvm::FunctionType::get(i8p(), {i64(), i64()}, false));
    llvm::FunctionCallee free = m_.getOrInsertFunction("free", llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {i8p()}, false));
    const uint64_t cells = std::max<uint64_t>(columns_, 1) * kTileRows;
    Value* scratch = b_.CreateCall(calloc, {b_.getInt64(cells), b_.getInt64(9)});
    // Out of memory: the outputs are left as the caller initialised them (the runtime never
    // reaches this: it allocates far more for the block itself).
    b_.CreateCondBr(b_.CreateIsNull(scratch), done, loop);
    b_.SetInsertPoint(loop);
    llvm::PHINode* begin = b_.CreatePHI(i64(), 2, "begin");
    begin->addIncoming(b_.getInt64(0), alloc);
    Value* vals = b_.CreateBitCast(scratch, ptr_ty(dbl()));
    Value* oks = b_.CreateConstGEP1_64(i8(), scratch, 8 * cells);
    Value* next = b_.CreateAdd(begin, b_.getInt64(kTileRows));
    Value* end = b_.CreateSelect(b_.CreateICmpSLT(next, rows), next, rows);
    for (llvm::Function* chunk : chunks_) b_.CreateCall(chunk, {in, out, begin, end, vals, oks});
    begin->addIncoming(next, loop);
    b_.CreateCondBr(b_.CreateICmpSLT(next, rows), loop, release);
    b_.SetInsertPoint(release);
    b_.CreateCall(free, {scratch});
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    b_.CreateRetVoid();
  }

  const ir::Program& p_;
  llvm::Module& m_;
  llvm::LLVMContext& ctx_;
  llvm::IRBuilder<> b_;
  InstEmitter ie_;
  bool detail_;
  uint32_t nslots_;
  Frame frame_;
  std::vector<llvm::Function*> chunks_;
  llvm::Function* fn_ = nullptr;
  Value *in_ = nullptr, *out_ = nullptr, *begin_ = nullptr, *end_ = nullptr, *vals_ = nullptr, *oks_ = nullptr;
  llvm::PHINode* row_ = nullptr;
  Value *vals_row_ = nullptr, *oks_row_ = nullptr;  // this row's place in the scratch columns
  std::unordered_map<uint32_t, uint64_t> column_;  // slot -> scratch column
  uint64_t columns_ = 0;
  std::unordered_map<uint32_t, V> cache_;
  std::unordered_map<uint32_t, Value*> icache_;
  std::map<std::pair<uint32_t, int>, Value*> fields_;
  std::map<std::pair<Value*, uint64_t>, Value*> members_;
  int statements_ = 0;
  std::vector<uint32_t> last_use_, pending_;
  uint32_t last_inst_ = 0;
  uint32_t acc_score_ = 0, acc_band_ = 0, acc_segment_ = 0, seg_ = 0, model_ = 0;
  std::vector<uint32_t> ew_;
};

}  // namespace

void emit_split(const ir::Program& p, llvm::Module& m, bool detail, const std::string& name) {
  SplitEmitter(p, m, detail).emit(name);
}

}  // namespace healthc::codegen
