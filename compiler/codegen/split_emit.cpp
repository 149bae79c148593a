// The split emitter for large cards (see split_emit.h). Every value has a slot (slot i is
// instruction i: the pipeline is instructions too); a statement reads its inputs, computes,
// and writes its result, so a chunk boundary may fall between any two statements. Within a chunk, slots are cached as SSA values, so LLVM sees
// ordinary straight-line code; only values a later chunk reads are stored, in scratch
// columns of a tile of rows.
#include "compiler/codegen/split_emit.h"

#include <llvm/IR/IRBuilder.h>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <vector>

#include "compiler/codegen/abi_emit.h"
#include "compiler/codegen/codegen.h"
#include "compiler/codegen/inst_emit.h"
#include "compiler/ir/conventions.h"

namespace healthc::codegen {
namespace {

using llvm::Value;

// Statements per chunk function: each is a handful of LLVM instructions, so a chunk stays
// at a few hundred instructions, where the optimiser and backend are fast.
constexpr int kChunkStatements = 48;
// Rows per tile: each chunk loops over a tile's rows (so its loop can vectorise), keeping the
// values later chunks read in scratch columns of this many rows. Longer tiles spread each chunk
// call's set-up (its column pointers) over more rows: measured on the 500-measure card, 128 rows
// score 5-7% faster than 16 without detail and 12-18% faster with it (256 is slower again). The
// scratch is columns x tile x 9 bytes a call, so a card with many columns gets shorter tiles:
// the longest that keeps it within kScratchBudget, and never under kMinTileRows.
constexpr uint64_t kMinTileRows = 16;  // kMaxTileRows: codegen.h
constexpr uint64_t kScratchBudget = 8u << 20;

class SplitEmitter {
 public:
  SplitEmitter(const ir::Program& p, llvm::Module& m, bool detail, uint64_t tile_rows)
      : p_(p), m_(m), ctx_(m.getContext()), b_(ctx_), ie_(p, m, b_, true), detail_(detail), tile_rows_(tile_rows) {}

  void emit(const std::string& name) {
    find_last_uses();
    make_frame();
    begin_chunk();
    body();
    end_chunk();
    emit_kernel(name);
  }
  // Scratch columns the emitted code uses (known once emit() has run).
  uint64_t columns() const { return columns_; }

 private:
  llvm::Type* dbl() { return ie_.dbl(); }
  llvm::Type* i8() { return ie_.i8(); }
  llvm::Type* i32() { return ie_.i32(); }
  llvm::Type* i64() { return ie_.i64(); }
  llvm::PointerType* ptr_ty(llvm::Type* t) { return ie_.ptr_ty(t); }
  llvm::PointerType* i8p() { return llvm::Type::getInt8PtrTy(ctx_); }
  Value* cf(double x) { return ie_.cf(x); }

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
    ie_.new_function();
    fields_.clear();
    history_.clear();
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
  // `half`: a statement that emits a single select (a step of a first-match chain, such as
  // the segment choice), counted as half of one so a chunk holds as much code as before the
  // pipeline became instructions.
  void room(bool half = false) {
    statements_ += half ? 1 : 2;
    if (statements_ <= 2 * kChunkStatements) return;
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
  // History input h's column of kind k (0 values, 1 validity) from ir::BatchColumns.
  Value* history(uint32_t h, int k) {
    auto key = std::pair{h, k};
    if (auto it = history_.find(key); it != history_.end()) return it->second;
    llvm::Type* elem = k == 0 ? static_cast<llvm::Type*>(ptr_ty(dbl())) : i8p();
    Value* arr = member(in_, k == 0 ? kColumnsHistory : kColumnsHistoryValid, ptr_ty(elem));
    return history_[key] = b_.CreateLoad(elem, b_.CreateConstGEP1_64(elem, arr, h));
  }

  // Slot s's place in the scratch columns: a slot only gets a column when it is first
  // stored, so values that never leave their chunk take no scratch memory.
  uint64_t at(uint32_t s) {
    auto [it, fresh] = column_.try_emplace(s, columns_);
    if (fresh) ++columns_;
    return it->second * tile_rows_;
  }
  V get(uint32_t s) {
    if (s < p_.code.size() && p_.code[s].op == ir::Op::Const) return {cf(p_.code[s].imm), ie_.yes()};
    if (auto it = cache_.find(s); it != cache_.end()) return it->second;
    const uint64_t i = at(s);
    Value* v = b_.CreateLoad(dbl(), b_.CreateConstGEP1_64(dbl(), vals_row_, i));
    Value* ok = always_ok_[s] ? ie_.yes()
                              : b_.CreateICmpNE(b_.CreateLoad(i8(), b_.CreateConstGEP1_64(i8(), oks_row_, i)), b_.getInt8(0));
    return cache_[s] = V{v, ok};
  }
  void store(uint32_t s, V x) {
    const uint64_t i = at(s);
    b_.CreateStore(x.v, b_.CreateConstGEP1_64(dbl(), vals_row_, i));
    if (!always_ok_[s]) b_.CreateStore(b_.CreateZExt(x.ok, i8()), b_.CreateConstGEP1_64(i8(), oks_row_, i));
  }
  void set(uint32_t s, V x) {  // stored at the chunk's end if a later chunk reads it
    always_ok_[s] = InstEmitter::always(x.ok);  // known when emitted: its validity is never stored
    pending_.push_back(s);
    last_inst_ = s;
    cache_[s] = x;
  }
  // The instructions the variant runs, in order (the basic variant skips the detail block).
  std::vector<std::pair<uint32_t, uint32_t>> ranges() const {
    const ir::Block d = p_.detail_block;
    std::vector<std::pair<uint32_t, uint32_t>> r;
    if (detail_) r = {{0, p_.labels_block.end}};
    else r = {{0, d.begin}, {d.end, p_.labels_block.end}};
    if (p_.alerts_block.end > p_.alerts_block.begin) r.emplace_back(p_.alerts_block.begin, p_.alerts_block.end);
    return r;
  }
  // For each instruction, the last instruction that reads it; kNone for the results, which
  // the stores after the code read.
  void find_last_uses() {
    always_ok_.assign(p_.code.size(), 0);
    last_use_.assign(p_.code.size(), 0);
    for (auto [begin, end] : ranges())
      for (uint32_t i = begin; i < end; ++i) {
        const ir::Inst& in = p_.code[i];
        const int arity = ir::op_arity(in.op);
        const uint32_t args[] = {in.a, in.b, in.c};
        for (int k = 0; k < arity; ++k)
          if (args[k] < p_.code.size()) last_use_[args[k]] = std::max(last_use_[args[k]], i);
      }
    auto external = [&](uint32_t i) {
      if (i < p_.code.size()) last_use_[i] = ir::kNone;
    };
    const ir::Results& r = p_.results;
    for (uint32_t i : {r.segment, r.weighted_score, r.score, r.band, r.label, r.override_}) external(i);
    for (const ir::Alert& a : p_.alerts) external(a.condition);
    for (const ir::StaleRule& s : p_.stale_rules) external(s.stale);
    // With detail, a measure's value, score and weight go to the outputs in the chunk that
    // computes them (put_detail), so they need no scratch column and no reload at the end.
    // Only a measure without such an instruction (kNone) has its pair written at the end.
    detail_of_.clear();
    if (detail_)
      for (size_t m = 0; m < p_.measures.size(); ++m) {
        const ir::Measure& meas = p_.measures[m];
        const uint32_t insts[] = {meas.value, meas.score, meas.weight};
        for (int k = 0; k < 3; ++k)
          if (insts[k] < p_.code.size() && runs(insts[k]))
            detail_of_[insts[k]].push_back(DetailOut{static_cast<uint32_t>(m), kDetailSlots[k]});
      }
  }
  bool runs(uint32_t i) const {
    for (auto [begin, end] : ranges())
      if (i >= begin && i < end) return true;
    return false;
  }

  void make_frame() {
    frame_.operand = [this](uint32_t i) { return get(i); };
    frame_.num = [this](uint32_t f) { return p_.fields[f].type == ir::FieldType::Text ? nullptr : field(f, 0); };
    frame_.valid = [this](uint32_t f) { return field(f, 1); };
    frame_.text = [this](uint32_t f) { return field(f, 2); };
    frame_.history = [this](uint32_t h) { return history(h, 0); };
    frame_.history_valid = [this](uint32_t h) { return history(h, 1); };
  }

  void run(uint32_t begin, uint32_t end) {
    for (uint32_t i = begin; i < end; ++i) {
      // A constant emits no code (get() materialises it where it is read): not a statement.
      const ir::Inst& in = p_.code[i];
      const bool chain_step = in.op == ir::Op::Select && in.b < p_.code.size() && p_.code[in.b].op == ir::Op::Const;
      if (in.op != ir::Op::Const) room(chain_step);
      if (p_.code[i].op == ir::Op::AsOf)
        frame_.as_of = member(in_, kColumnsAsOf, dbl());
      set(i, ie_.step(p_.code[i], frame_));
      if (auto it = detail_of_.find(i); it != detail_of_.end())
        for (const DetailOut& d : it->second) put_detail(d.measure, d.slot, cache_[i]);
    }
  }
  // Measure m's output pair at BatchOutputs slot `slot` (value) and slot + 1 (validity), at
  // [m * rows + row]: a value that is not valid is written as 0. Counted as a statement but
  // never ends the chunk, so it stays beside the instruction it writes.
  void put_detail(uint32_t m, int slot, V x) {
    statements_ += 2;
    Value* pos = b_.CreateAdd(b_.CreateMul(b_.getInt64(m), member(in_, kColumnsRows, i64())), row_);
    b_.CreateStore(b_.CreateSelect(x.ok, x.v, cf(0)), b_.CreateGEP(dbl(), member(out_, 8 * slot, ptr_ty(dbl())), pos));
    b_.CreateStore(b_.CreateZExt(x.ok, i8()), b_.CreateGEP(i8(), member(out_, 8 * (slot + 1), i8p()), pos));
  }

  V result(uint32_t i) { return i < p_.code.size() ? get(i) : V{cf(0), ie_.no()}; }
  Value* to_i32_score(V x) {
    return b_.CreateSelect(x.ok, b_.CreateFPToSI(b_.CreateSelect(x.ok, x.v, cf(0)), i32()), b_.getInt32(ir::kUnscoredScore));
  }
  // Bit i: item i's instruction holds (alerts, stale rules; at most 64 of each). One statement:
  // the running mask is an SSA value, so no chunk may end inside it.
  template <class Inst, class Items>
  Value* mask(Inst inst, const Items& items) {
    room();
    Value* bits = b_.getInt64(0);
    for (size_t i = 0; i < items.size() && i < 64; ++i)
      bits = b_.CreateOr(bits, b_.CreateShl(b_.CreateZExt(ie_.truthy(result(inst(items[i]))), i64()), i));
    return bits;
  }
  void store_mask(int slot, Value* bits) {
    b_.CreateStore(bits, b_.CreateGEP(i64(), member(out_, 8 * slot, ptr_ty(i64())), row_));
  }

  void body() {
    for (auto [begin, end] : ranges()) run(begin, end);
    room();
    const ir::Results& res = p_.results;
    const V score = result(res.score);
    Value* ints[] = {b_.CreateFPToSI(result(res.segment).v, i32()),
                     b_.CreateSelect(score.ok, b_.CreateFPToSI(b_.CreateSelect(score.ok, score.v, cf(0)), i32()),
                                     b_.getInt32(ir::kUnscoredScore)),
                     b_.CreateFPToSI(result(res.band).v, i32()), b_.CreateFPToSI(result(res.label).v, i32()),
                     b_.CreateFPToSI(result(res.override_).v, i32())};
    for (int k = 0; k < 5; ++k) b_.CreateStore(ints[k], b_.CreateGEP(i32(), member(out_, 8 * k, ptr_ty(i32())), row_));
    b_.CreateStore(to_i32_score(result(res.weighted_score)),
                   b_.CreateGEP(i32(), member(out_, 8 * kWeightedSlot, ptr_ty(i32())), row_));
    if (computes_slot(p_, kAlertsSlot)) store_mask(kAlertsSlot, mask([](const ir::Alert& a) { return a.condition; }, p_.alerts));
    if (computes_slot(p_, kStaleSlot)) store_mask(kStaleSlot, mask([](const ir::StaleRule& r) { return r.stale; }, p_.stale_rules));
    if (!detail_) return;
    for (size_t m = 0; m < p_.measures.size(); ++m) {
      const ir::Measure& meas = p_.measures[m];
      const uint32_t insts[] = {meas.value, meas.score, meas.weight};
      for (int k = 0; k < 3; ++k) {
        if (insts[k] < p_.code.size() && runs(insts[k])) continue;  // written where computed
        room();
        put_detail(static_cast<uint32_t>(m), kDetailSlots[k], result(insts[k]));
      }
    }
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
    Value* rows = load_ptr(fn->getArg(0), kColumnsRows, i64());
    b_.CreateCondBr(b_.CreateICmpSLE(rows, b_.getInt64(0)), done, alloc);
    b_.SetInsertPoint(alloc);
    const AbiView abi = normalise_abi(b_, m_, p_, fn->getArg(0), fn->getArg(1), rows, done);
    Value* in = abi.in;
    Value* out = abi.out;
    // calloc: a slot is always written before it is read, but zeroed memory keeps a mistake
    // deterministic. One allocation per block of rows, not per tile.
    llvm::FunctionCallee calloc = m_.getOrInsertFunction("calloc", llvm::FunctionType::get(i8p(), {i64(), i64()}, false));
    llvm::FunctionCallee free = m_.getOrInsertFunction("free", llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {i8p()}, false));
    const uint64_t cells = std::max<uint64_t>(columns_, 1) * tile_rows_;
    Value* scratch = b_.CreateCall(calloc, {b_.getInt64(cells), b_.getInt64(9)});
    // Out of memory: the outputs are left as the caller initialised them (the runtime never
    // reaches this: it allocates far more for the block itself).
    auto* no_scratch = llvm::BasicBlock::Create(ctx_, "no_scratch", fn);
    llvm::BasicBlock* before = b_.GetInsertBlock();
    b_.CreateCondBr(b_.CreateIsNull(scratch), no_scratch, loop);
    b_.SetInsertPoint(loop);
    llvm::PHINode* begin = b_.CreatePHI(i64(), 2, "begin");
    begin->addIncoming(b_.getInt64(0), before);
    Value* vals = b_.CreateBitCast(scratch, ptr_ty(dbl()));
    Value* oks = b_.CreateConstGEP1_64(i8(), scratch, 8 * cells);
    Value* next = b_.CreateAdd(begin, b_.getInt64(tile_rows_));
    Value* end = b_.CreateSelect(b_.CreateICmpSLT(next, rows), next, rows);
    for (llvm::Function* chunk : chunks_) b_.CreateCall(chunk, {in, out, begin, end, vals, oks});
    begin->addIncoming(next, loop);
    b_.CreateCondBr(b_.CreateICmpSLT(next, rows), loop, release);
    b_.SetInsertPoint(release);
    b_.CreateCall(free, {scratch});
    b_.CreateBr(no_scratch);
    b_.SetInsertPoint(no_scratch);
    release_abi(b_, m_, abi);
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
  uint64_t tile_rows_;
  Frame frame_;
  std::vector<llvm::Function*> chunks_;
  llvm::Function* fn_ = nullptr;
  Value *in_ = nullptr, *out_ = nullptr, *begin_ = nullptr, *end_ = nullptr, *vals_ = nullptr, *oks_ = nullptr;
  llvm::PHINode* row_ = nullptr;
  Value *vals_row_ = nullptr, *oks_row_ = nullptr;  // this row's place in the scratch columns
  std::unordered_map<uint32_t, uint64_t> column_;  // slot -> scratch column
  uint64_t columns_ = 0;
  std::unordered_map<uint32_t, V> cache_;
  std::map<std::pair<uint32_t, int>, Value*> fields_, history_;
  std::map<std::pair<Value*, uint64_t>, Value*> members_;
  int statements_ = 0;
  std::vector<uint32_t> last_use_, pending_;
  std::vector<uint8_t> always_ok_;  // per instruction: valid on every row (no validity stored)
  uint32_t last_inst_ = 0;
  // BatchOutputs slots of a measure's value, score and weight (each followed by its validity).
  static constexpr int kDetailSlots[3] = {5, 7, 9};
  struct DetailOut {
    uint32_t measure;
    int slot;
  };
  std::unordered_map<uint32_t, std::vector<DetailOut>> detail_of_;  // instruction -> outputs it fills
};

}  // namespace

void emit_split(const ir::Program& p, llvm::Module& m, bool detail, const std::string& name) {
  // Which slots need a scratch column depends on where chunks end, so the count comes from
  // emitting: when the longest tile might not fit the budget (at most one column an
  // instruction), a first emission into a module that is then dropped counts the columns.
  uint64_t insts = 0;
  for (const ir::Block b : {ir::Block{0, p.labels_block.end}, p.alerts_block}) insts += b.end - b.begin;
  uint64_t tile = kMaxTileRows;
  if (insts * kMaxTileRows * 9 > kScratchBudget) {
    llvm::Module dry("count", m.getContext());
    dry.setDataLayout(m.getDataLayout());
    SplitEmitter counter(p, dry, detail, kMaxTileRows);
    counter.emit(name);
    while (tile > kMinTileRows && std::max<uint64_t>(counter.columns(), 1) * tile * 9 > kScratchBudget) tile /= 2;
  }
  SplitEmitter(p, m, detail, tile).emit(name);
}

}  // namespace healthc::codegen
