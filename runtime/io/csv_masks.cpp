// The CSV scanner's SIMD kernels (csv_masks.h). The AVX2 version is compiled for
// that instruction set through target attributes only, and called only after the CPU says it
// has it: the rest of the binary stays at the baseline x86-64 level.
#include "runtime/io/csv_masks.h"

#include "runtime/io/simd_dispatch.h"

#include <algorithm>

#if defined(__x86_64__) || defined(_M_X64)
#define HEALTHC_X86 1
#include <immintrin.h>
#endif

namespace healthc::rt::csv {
namespace {

uint64_t masks_scalar(const char* p, char delim) {
  uint64_t bits = 0;
  for (int i = 0; i < 64; ++i) {
    const char c = p[i];
    bits |= static_cast<uint64_t>(c == delim || c == '\n' || c == '"') << i;
  }
  return bits;
}

#ifdef HEALTHC_X86
uint64_t masks_sse2(const char* p, char delim) {
  const __m128i d = _mm_set1_epi8(delim), nl = _mm_set1_epi8('\n'), q = _mm_set1_epi8('"');
  uint64_t bits = 0;
  for (int i = 0; i < 4; ++i) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, nl)), _mm_cmpeq_epi8(v, q));
    bits |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(hit))) << (16 * i);
  }
  return bits;
}

__attribute__((target("avx2"))) uint64_t masks_avx2(const char* p, char delim) {
  const __m256i d = _mm256_set1_epi8(delim), nl = _mm256_set1_epi8('\n'), q = _mm256_set1_epi8('"');
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  const __m256i hit_lo =
      _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(lo, d), _mm256_cmpeq_epi8(lo, nl)), _mm256_cmpeq_epi8(lo, q));
  const __m256i hit_hi =
      _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(hi, d), _mm256_cmpeq_epi8(hi, nl)), _mm256_cmpeq_epi8(hi, q));
  return static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(hit_lo))) |
         static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(hit_hi))) << 32;
}

// Line feeds are counted a byte a lane (at most 255 rounds before the lanes are summed).
LineScan lines_sse2(const char* p, size_t n) {
  const __m128i nl = _mm_set1_epi8('\n'), q = _mm_set1_epi8('"'), zero = _mm_setzero_si128();
  __m128i quotes = zero;
  LineScan out;
  size_t i = 0;
  while (n - i >= 16) {
    __m128i acc = zero;
    for (const size_t stop = i + std::min<size_t>((n - i) / 16, 255) * 16; i < stop; i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
      quotes = _mm_or_si128(quotes, _mm_cmpeq_epi8(v, q));
    }
    const __m128i sums = _mm_sad_epu8(acc, zero);
    out.newlines += static_cast<uint64_t>(_mm_cvtsi128_si64(sums)) +
                    static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
  out.quote = _mm_movemask_epi8(quotes) != 0;
  for (; i < n; ++i) {
    out.newlines += p[i] == '\n';
    out.quote |= p[i] == '"';
  }
  return out;
}

__attribute__((target("avx2"))) LineScan lines_avx2(const char* p, size_t n) {
  const __m256i nl = _mm256_set1_epi8('\n'), q = _mm256_set1_epi8('"'), zero = _mm256_setzero_si256();
  __m256i quotes = zero;
  LineScan out;
  size_t i = 0;
  while (n - i >= 32) {
    __m256i acc = zero;
    for (const size_t stop = i + std::min<size_t>((n - i) / 32, 255) * 32; i < stop; i += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
      acc = _mm256_sub_epi8(acc, _mm256_cmpeq_epi8(v, nl));
      quotes = _mm256_or_si256(quotes, _mm256_cmpeq_epi8(v, q));
    }
    const __m256i sums = _mm256_sad_epu8(acc, zero);
    out.newlines += static_cast<uint64_t>(_mm256_extract_epi64(sums, 0)) + static_cast<uint64_t>(_mm256_extract_epi64(sums, 1)) +
                    static_cast<uint64_t>(_mm256_extract_epi64(sums, 2)) + static_cast<uint64_t>(_mm256_extract_epi64(sums, 3));
  }
  out.quote = !_mm256_testz_si256(quotes, quotes);
  for (; i < n; ++i) {
    out.newlines += p[i] == '\n';
    out.quote |= p[i] == '"';
  }
  return out;
}

#endif

LineScan lines_scalar(const char* p, size_t n) {
  LineScan out;
  for (size_t i = 0; i < n; ++i) {
    out.newlines += p[i] == '\n';
    out.quote |= p[i] == '"';
  }
  return out;
}

}  // namespace

LineScan scan_lines(const char* p, size_t n, ScanPath path) {
  switch (path) {
#ifdef HEALTHC_X86
    case ScanPath::Avx2:
      if (cpu_has_avx2()) return lines_avx2(p, n);
      return lines_sse2(p, n);
    case ScanPath::Sse2:
      return lines_sse2(p, n);
#else
    case ScanPath::Avx2:
    case ScanPath::Sse2:
#endif
    case ScanPath::Scalar:
      break;
  }
  return lines_scalar(p, n);
}

std::vector<ScanPath> available_scan_paths() {
  std::vector<ScanPath> out = {ScanPath::Scalar};
#ifdef HEALTHC_X86
  out.push_back(ScanPath::Sse2);  // part of x86-64 itself
  if (cpu_has_avx2()) out.push_back(ScanPath::Avx2);
#endif
  return out;
}

ScanPath best_scan_path() {
  static const ScanPath best = available_scan_paths().back();
  return best;
}

MaskFn mask_function(ScanPath path) {
  switch (path) {
#ifdef HEALTHC_X86
    case ScanPath::Avx2:
      if (cpu_has_avx2()) return masks_avx2;
      return masks_sse2;
    case ScanPath::Sse2:
      return masks_sse2;
#else
    case ScanPath::Avx2:
    case ScanPath::Sse2:
#endif
    case ScanPath::Scalar:
      break;
  }
  return masks_scalar;
}

const char* scan_path_name(ScanPath path) {
  switch (path) {
    case ScanPath::Avx2: return "avx2";
    case ScanPath::Sse2: return "sse2";
    case ScanPath::Scalar: break;
  }
  return "scalar";
}

}  // namespace healthc::rt::csv
