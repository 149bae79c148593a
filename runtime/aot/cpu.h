// The CPU features an artefact records and the loader checks against the running machine. One
// table: the emitter records the features of these its target has, the loader asks the CPU.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace healthc::aot {

// Feature names as LLVM and __builtin_cpu_supports both spell them: the ones generated
// numeric code can use (vector widths, rounding, bit manipulation). Crypto and the like are
// left out: scoring code never contains them.
inline constexpr std::array<std::string_view, 22> kCheckedFeatures = {
    "sse3",     "ssse3",    "sse4.1",     "sse4.2",     "popcnt",     "avx",        "avx2",          "fma",
    "bmi",      "bmi2",     "avx512f",    "avx512bw",   "avx512cd",   "avx512dq",   "avx512vl",      "avx512vbmi",
    "avx512ifma", "avx512vnni", "avx512bitalg", "avx512vpopcntdq", "avx512vbmi2", "avx512bf16"};

enum class FeatureCheck { Present, Missing, Unknown };
// Whether the running CPU has `name` (Unknown for a name not in kCheckedFeatures, or on a
// machine that is not x86-64).
FeatureCheck host_has(std::string_view name);

// Checks every feature of `features` (comma-separated, as an artefact records them) with
// `probe` (host_has, or a stand-in in tests). Empty when all are present; else a message for
// the user naming the artefact at `path`, compiled for `cpu`, and the first feature missing or
// unknown.
std::string check_features(const std::string& path, std::string_view cpu, std::string_view features,
                           FeatureCheck (*probe)(std::string_view));

}  // namespace healthc::aot
