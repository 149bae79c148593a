// What an ahead-of-time artefact contains: the symbols `healthc compile --emit obj|shared`
// writes and runtime/aot/artefact.cpp reads. One place, so writer and reader cannot drift.
// Changing any of this incompatibly means bumping ir::kAbiVersion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace healthc::aot {

namespace symbol {
inline constexpr const char* kAbiVersion = "healthc_aot_abi_version";          // const uint32_t
inline constexpr const char* kHealthcVersion = "healthc_aot_healthc_version";  // const char[], NUL-ended
inline constexpr const char* kCodegenVersion = "healthc_aot_codegen_version";  // const char[]
inline constexpr const char* kCpu = "healthc_aot_cpu";                         // const char[]: --cpu's CPU name
inline constexpr const char* kCpuFeatures = "healthc_aot_cpu_features";        // const char[]: "avx,avx2,..."
inline constexpr const char* kIr = "healthc_aot_ir";                           // const uint8_t[]: ir::serialize
inline constexpr const char* kIrSize = "healthc_aot_ir_size";                  // const uint64_t
inline constexpr const char* kIrChecksum = "healthc_aot_ir_checksum";          // const uint64_t
// The batch functions (ir::BatchFn). Either may be absent: that variant is past the compile
// budget (jit::kCompileBudget) and the evaluator scores it from the IR.
inline constexpr const char* kBasic = "healthc_batch_basic";
inline constexpr const char* kDetail = "healthc_batch_detail";
}  // namespace symbol

// A shared artefact ends with a trailer after its ELF bytes (which the dynamic loader ignores):
// these 8 bytes, then the checksum below of everything before them, little-endian. Damaged
// native code would crash or score wrongly, so the loader refuses a file that does not match.
// A shared object linked by hand from `--emit obj` has no trailer and is allowed: every other
// check still runs before dlopen, but its native code is not covered by a checksum.
inline constexpr std::string_view kTrailerMagic{"HCAOTSUM", 8};
inline constexpr size_t kTrailerSize = 16;

// FNV-1a (64 bit): of the whole file (the trailer), and of the serialized IR on its own (a
// flipped bit in a weight would still deserialize and verify, and then score wrongly). Any
// single changed byte changes it.
inline uint64_t checksum(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace healthc::aot
