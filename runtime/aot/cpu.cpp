// Asks the running CPU about the features an artefact needs (__builtin_cpu_supports takes
// only string literals, hence one line a feature).
#include "runtime/aot/cpu.h"

namespace healthc::aot {

FeatureCheck host_has(std::string_view name) {
#if defined(__x86_64__)
  __builtin_cpu_init();  // ifunc resolvers and constructors may run before the runtime's own init
  struct Probe {
    std::string_view name;
    bool present;
  };
  const Probe probes[] = {
      {"sse3", __builtin_cpu_supports("sse3") != 0},
      {"ssse3", __builtin_cpu_supports("ssse3") != 0},
      {"sse4.1", __builtin_cpu_supports("sse4.1") != 0},
      {"sse4.2", __builtin_cpu_supports("sse4.2") != 0},
      {"popcnt", __builtin_cpu_supports("popcnt") != 0},
      {"avx", __builtin_cpu_supports("avx") != 0},
      {"avx2", __builtin_cpu_supports("avx2") != 0},
      {"fma", __builtin_cpu_supports("fma") != 0},
      {"bmi", __builtin_cpu_supports("bmi") != 0},
      {"bmi2", __builtin_cpu_supports("bmi2") != 0},
      {"avx512f", __builtin_cpu_supports("avx512f") != 0},
      {"avx512bw", __builtin_cpu_supports("avx512bw") != 0},
      {"avx512cd", __builtin_cpu_supports("avx512cd") != 0},
      {"avx512dq", __builtin_cpu_supports("avx512dq") != 0},
      {"avx512vl", __builtin_cpu_supports("avx512vl") != 0},
      {"avx512vbmi", __builtin_cpu_supports("avx512vbmi") != 0},
      {"avx512ifma", __builtin_cpu_supports("avx512ifma") != 0},
      {"avx512vnni", __builtin_cpu_supports("avx512vnni") != 0},
      {"avx512bitalg", __builtin_cpu_supports("avx512bitalg") != 0},
      {"avx512vpopcntdq", __builtin_cpu_supports("avx512vpopcntdq") != 0},
      {"avx512vbmi2", __builtin_cpu_supports("avx512vbmi2") != 0},
      {"avx512bf16", __builtin_cpu_supports("avx512bf16") != 0},
  };
  static_assert(sizeof(probes) / sizeof(probes[0]) == kCheckedFeatures.size(), "one probe a checked feature");
  for (const Probe& p : probes)
    if (p.name == name) return p.present ? FeatureCheck::Present : FeatureCheck::Missing;
#else
  (void)name;
#endif
  return FeatureCheck::Unknown;
}

std::string check_features(const std::string& path, std::string_view cpu, std::string_view features,
                           FeatureCheck (*probe)(std::string_view)) {
  while (!features.empty()) {
    const size_t comma = features.find(',');
    const std::string_view f = features.substr(0, comma);
    features = comma == std::string_view::npos ? std::string_view() : features.substr(comma + 1);
    if (f.empty()) continue;
    const std::string head = "`" + path + "` was compiled for CPU `" + std::string(cpu) + "` and needs `" +
                             std::string(f) + "`, ";
    switch (probe(f)) {
      case FeatureCheck::Present: break;
      case FeatureCheck::Missing:
        return head +
               "which this machine does not have: recompile it with a lower --cpu level (x86-64-v2 runs on every "
               "x86-64 server of the last decade) or with --cpu native on this machine";
      case FeatureCheck::Unknown:
        return head +
               "a CPU feature this runtime cannot check: recompile it with a lower --cpu level, or load it with the "
               "healthc release that compiled it";
    }
  }
  return {};
}

}  // namespace healthc::aot
