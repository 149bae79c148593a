// The CSV scanner's SIMD kernels: which of 64 bytes are a delimiter, a line feed or a quote, as
// one bitmask. AVX2, SSE2 and scalar
// versions give the same bits; the best one the running CPU has is chosen at run time, so the
// binary never needs a CPU it was not built for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace healthc::rt::csv {

enum class ScanPath : uint8_t { Scalar, Sse2, Avx2 };

// Bit i set where p[i] is `delim`, '\n' or '"'. Reads exactly 64 bytes at `p`.
using MaskFn = uint64_t (*)(const char* p, char delim);

// Every path this CPU can run, Scalar first (the tests run them all on the same inputs).
std::vector<ScanPath> available_scan_paths();
// The fastest of them (decided once per process).
ScanPath best_scan_path();
MaskFn mask_function(ScanPath path);
const char* scan_path_name(ScanPath path);

// What the span cutter needs of a run of bytes, found in one pass: its line feeds, and whether
// it holds a quote (without one, every line feed ends a record).
struct LineScan {
  uint64_t newlines = 0;
  bool quote = false;
};
LineScan scan_lines(const char* p, size_t n, ScanPath path = best_scan_path());

}  // namespace healthc::rt::csv
