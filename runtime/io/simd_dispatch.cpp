// cpu_has_avx2 (simd_dispatch.h).
#include "runtime/io/simd_dispatch.h"

namespace healthc::rt {

bool cpu_has_avx2() {
#if defined(__x86_64__)
  static const bool yes = [] {
    __builtin_cpu_init();  // constructors may ask before the runtime's own init has run
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return yes;
#else
  return false;
#endif
}

bool cpu_has_avx2_fma() {
#if defined(__x86_64__)
  static const bool yes = cpu_has_avx2() && __builtin_cpu_supports("fma") != 0;
  return yes;
#else
  return false;
#endif
}

}  // namespace healthc::rt
