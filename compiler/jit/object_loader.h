// Loads a relocatable object that the JIT wrote to its cache (x86-64 ELF, LLVM's JIT code
// model: absolute 64-bit relocations) into executable memory without LLVM: the sections are
// laid out, symbols resolved (undefined ones, such as memcmp or log, from the process as the
// JIT resolves them), relocations applied, then the code made read-only and executable.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace healthc::jit {

struct LoadedFunction {
  void* address = nullptr;
  std::shared_ptr<void> owner;  // the mapping; unmapped when the last owner goes
  std::string error;            // empty on success; why this loader cannot load the object
};

// `object` is trusted as far as the cache trusts it (its checksum verified), but every offset,
// index and size read from it is bounds-checked: a bad object is an error, never a crash. A
// relocation type or section kind this loader does not know is an error too (the caller then
// asks the JIT, which knows them all).
LoadedFunction load_object_function(std::string_view object, std::string_view symbol);

}  // namespace healthc::jit
