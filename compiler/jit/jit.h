// Compiles a scoring IR program to native code with LLVM ORC LLJIT (O2 pipeline, host CPU).
#pragma once

#include <memory>
#include <string>

#include "compiler/ir/batch_abi.h"
#include "compiler/ir/ir.h"

namespace healthc::jit {

class NativeScorer {
 public:
  ~NativeScorer();
  ir::BatchFn basic() const { return basic_; }
  ir::BatchFn detail() const { return detail_; }

 private:
  friend struct Compiler;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ir::BatchFn basic_ = nullptr;
  ir::BatchFn detail_ = nullptr;
};

struct CompileResult {
  std::unique_ptr<NativeScorer> scorer;  // null on failure
  std::string error;
};

CompileResult compile(const ir::Program& program);

enum class Emit { LlvmUnoptimized, Llvm, Asm };
// The generated code as text, after the same optimisation the JIT applies.
std::string emit_text(const ir::Program& program, Emit what);

}  // namespace healthc::jit
