// The compiled-code cache's key, computed without LLVM, so that a run whose card is cached
// finds (and loads: cached_code.h) its code before, and without, loading the JIT plugin.
#pragma once

#include <nettle/sha2.h>

#include <string>
#include <string_view>

#include "compiler/ir/ir.h"
#include "compiler/jit/jit.h"

namespace healthc::jit {

// Bump when generated code changes for the same IR, so old cached objects are not reused (also
// recorded in ahead-of-time artefacts).
inline constexpr const char* kCodegenVersion = "healthc-codegen-7";

// What the JIT's code depends on besides the program: the CPU as the host reports it. On
// x86-64, the CPUID leaves LLVM reads to choose the CPU and its features (vendor, family,
// model, stepping, feature bits; not the core's APIC id) and the OS's enabled register state
// (XCR0); elsewhere /proc/cpuinfo without its changing lines. Equal signatures: equal code.
std::string host_signature();

// SHA-256 over parts each prefixed by its length (so no two different inputs run together
// alike), as lower-case hex: the keys of the code cache and of the program cache.
class KeyHasher {
 public:
  KeyHasher() { sha256_init(&sha_); }
  void update(std::string_view part);
  std::string hex();

 private:
  sha256_ctx sha_;
};

// Hex SHA-256 of the code generator's version, the variant, LLVM's version, the host signature
// and the program's binary form.
std::string cache_key(const ir::Program& program, Variant variant);

}  // namespace healthc::jit
