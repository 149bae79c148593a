// Compiles a scoring IR program to native code with LLVM ORC LLJIT (O2 pipeline, host CPU).
#pragma once

#include <memory>
#include <string>

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
  std::unique_ptr<NativeScorer> scorer;  // null on failure
  std::string error;
  bool from_cache = false;
};

// The on-disk cache of compiled code: an object file per program, keyed by the program, the
// code generator's version, LLVM's version and the host CPU. A hit skips LLVM entirely.
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
