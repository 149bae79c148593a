// The JIT's target set-up and optimisation pipeline, shared with the ahead-of-time emitter
// (aot.cpp) so an artefact's code is optimised exactly as the JIT's. LLVM types: only jit/ uses it.
#pragma once

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/CodeGen.h>
#include <llvm/Support/Error.h>

#include <memory>
#include <string>

#include "compiler/ir/ir.h"
#include "compiler/jit/jit.h"

namespace healthc::jit::pipeline {

// Registers the native target and its asm printer (once a process).
void init();
// Generates `variant` of `program`, verifies it and runs the JIT's IR pipeline for the card's
// size (O2 kernel, O1 split, none past kFastCompileSize) against `target`.
llvm::Expected<std::unique_ptr<llvm::Module>> build(const ir::Program& program, llvm::LLVMContext& ctx,
                                                    const llvm::orc::JITTargetMachineBuilder& target, Variant variant);
// The back end's optimisation level the JIT uses for `variant` of `program`.
llvm::CodeGenOpt::Level codegen_level(const ir::Program& program, Variant variant);
// The code generator's version (changes whenever generated code does for the same IR).
const char* codegen_version();
std::string message(llvm::Error error);

}  // namespace healthc::jit::pipeline
