// The JIT's entry points as one table (issue 18 item 3): the `healthc` binary reaches them by
// dlopening libhealthc_jit.so (plugin_loader.cpp), libhealthc.so, the tests and the benchmarks
// by linking the JIT (plugin_linked.cpp). One table type, two ways to get it, so the binary
// loads libLLVM only when a command needs the compiler.
#pragma once

#include <cstdint>
#include <string>

#include "compiler/ir/ir.h"
#include "compiler/jit/aot.h"
#include "compiler/jit/jit.h"
#include "runtime/scorecard.h"

namespace healthc::jit {

// Bump when the table or a type it passes changes incompatibly.
inline constexpr uint32_t kPluginAbi = 1;

struct Api {
  uint32_t abi = kPluginAbi;
  // plugin_build(): the binary and the plugin must come from the same build of healthc, since
  // the table passes C++ types (std::string, ir::Program) between them.
  const char* build = nullptr;
  // jit::compile, with the scorer's ownership as a NativeCode owner: its deleter is the
  // plugin's, so the caller never needs the JIT's destructors.
  NativeCode (*compile)(const ir::Program& program, Variant variant, const CacheOptions& cache) = nullptr;
  ArtefactResult (*write_artefact)(const ir::Program& program, const ArtefactOptions& options,
                                   const std::string& path) = nullptr;
  std::string (*emit_text)(const ir::Program& program, Emit what, Variant variant) = nullptr;
  size_t (*code_size)(const ir::Program& program, Variant variant) = nullptr;
  bool (*is_split)(const ir::Program& program, Variant variant) = nullptr;
};

// What identifies a build for the check above: healthc's and LLVM's versions (HEALTHC_JIT_BUILD_ID,
// set by compiler/CMakeLists.txt on both sides), the compiler, and the sizes of the types the
// table passes. Inline, so each side computes it from its own compilation.
#ifdef HEALTHC_JIT_BUILD_ID
inline std::string plugin_build() {
  return std::string(HEALTHC_JIT_BUILD_ID) + " " + __VERSION__ + " ir" + std::to_string(ir::kAbiVersion) + " " +
         std::to_string(sizeof(ir::Program)) + "/" + std::to_string(sizeof(NativeCode)) + "/" +
         std::to_string(sizeof(ArtefactResult)) + "/" + std::to_string(sizeof(CacheOptions)) + "/" +
         std::to_string(sizeof(std::string));
}
#endif

// The JIT's table, or null with `error` (a sentence naming the plugin's path and what to do).
// Defined twice: plugin_linked.cpp (the JIT is linked in; never fails) and plugin_loader.cpp
// (dlopens the plugin on the first call; the result, good or bad, is kept for the process).
const Api* api(std::string& error);

// The table of the JIT linked into this module (plugin_table.cpp): what the plugin exports and
// what plugin_linked.cpp returns.
const Api& linked_table();

}  // namespace healthc::jit

// The plugin's one exported symbol: the table when `abi` is the caller's kPluginAbi, else null.
#define HEALTHC_JIT_PLUGIN_ENTRY "healthc_jit_plugin_v1"
extern "C" const healthc::jit::Api* healthc_jit_plugin_v1(uint32_t abi);
