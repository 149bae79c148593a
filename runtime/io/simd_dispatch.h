// The one question every run-time SIMD dispatch asks the CPU (the CSV masks, the columnar call's
// value checks, the reasons' top three, the roll-ups' terms): each hand-written AVX2 path runs
// where these say yes and gives the scalar path's results. Asked once a process; false on a
// machine that is not x86-64. (Artefacts check their recorded features with aot::host_has.)
#pragma once

namespace healthc::rt {

bool cpu_has_avx2();
bool cpu_has_avx2_fma();  // AVX2 and FMA both

}  // namespace healthc::rt
