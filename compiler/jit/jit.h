// Compiles a scoring IR program to native code with LLVM ORC LLJIT (O2 pipeline, host CPU).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/batch_abi.h"
#include "compiler/ir/ir.h"

namespace healthc::jit {

enum class Variant { Basic, Detail };  // see codegen::Variant

// One compiled batch function and the JIT that owns its code.
class NativeScorer {
 public:
  ~NativeScorer();
  ir::BatchFn function() const { return fn_; }

 private:
  friend struct Compiler;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ir::BatchFn fn_ = nullptr;
};

struct CompileResult {
  std::unique_ptr<NativeScorer> scorer;  // null on failure (or when use_evaluator is set)
  std::string error;
  bool from_cache = false;
  // The card is past the compile budget: the caller scores with the reference evaluator
  // (which computes the same outputs) and says so. Not an error.
  bool use_evaluator = false;
  // Things the user should hear about that did not stop compilation (a damaged cache entry
  // that was discarded, the evaluator fallback). The library never prints them.
  std::vector<std::string> notes;
};

// The amount of code a variant needs (codegen::code_size), and whether it is past the split
// threshold (codegen/split_emit.h), for callers that do not see LLVM's headers.
size_t code_size(const ir::Program& program, Variant variant);
bool is_split(const ir::Program& program, Variant variant);

// Cards whose code (codegen::code_size) is past this are not compiled: LLVM's time and
// memory grow linearly past the split threshold, but a card this big (about 18,000
// measures; 10,000 measures are about 220,000 and compile in about 5 s) would take over
// 10 s and most of a gigabyte for code the evaluator runs well enough.
inline constexpr size_t kCompileBudget = 400000;
// The longest tile of rows the split batch function runs (codegen::kMaxTileRows): a test that
// means to cover several tiles and a partial one gives more rows than twice this.
inline constexpr size_t kMaxSplitTileRows = 128;

// The on-disk cache of compiled code: an object file per program, keyed by the program, the
// code generator's version, LLVM's version and the host CPU, verified before use
// (object_cache.h). A hit skips LLVM entirely.
struct CacheOptions {
  bool enabled = true;
  std::string dir;  // empty: $HEALTHC_CACHE_DIR, else $XDG_CACHE_HOME/healthc, else ~/.cache/healthc
};

CompileResult compile(const ir::Program& program, Variant variant, const CacheOptions& cache = {});
// Where the cache lives for `cache` (empty when it cannot be placed).
std::string cache_dir(const CacheOptions& cache);

enum class Emit { LlvmUnoptimized, Llvm, Asm };
// The generated code as text, after the same optimisation the JIT applies.
std::string emit_text(const ir::Program& program, Emit what, Variant variant = Variant::Detail);

}  // namespace healthc::jit
