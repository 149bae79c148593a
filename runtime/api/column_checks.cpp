// The columnar call's checks. The quick pass reads values four at a time (AVX2, picked at run
// time) or two (SSE2) without looking at validity, so it costs little beside scoring; the exact
// pass is plain per-row code.
#include "runtime/api/column_checks.h"

#include "runtime/io/simd_dispatch.h"

#include <cfloat>
#include <cmath>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HEALTHC_CHECKS_AVX2 1
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace healthc::api {
namespace {

// True when `v` is a whole number, for |v| < 2^52: adding 2^52 rounds to a whole number, so
// taking it back off gives `v` exactly when it was whole.
inline bool whole(double v) {
  const double a = std::fabs(v);
  return (a + 0x1p52) - 0x1p52 == a;
}

// The days the date grammar can make: 0000-01-01 to 9999-12-31 (runtime/io/cell_parse.cpp).
constexpr double kFirstDay = -719528, kLastDay = 2932896;

// A value inside its type (`members`: an enum's member count).
inline bool value_ok(ir::FieldType type, double v, double members) {
  switch (type) {
    case ir::FieldType::Number: return std::fabs(v) <= DBL_MAX;  // false for NaN and infinities
    case ir::FieldType::Bool: return v == 0.0 || v == 1.0;
    case ir::FieldType::Date: return v >= kFirstDay && v <= kLastDay && whole(v);
    case ir::FieldType::Enum: return v >= 0.0 && v < members && whole(v);
    case ir::FieldType::Text: return true;
  }
  return false;
}

#if defined(__SSE2__)
// The lanes of `x` (two values) inside type T: all ones where they are.
template <ir::FieldType T>
inline __m128d lanes_ok(__m128d x, __m128d members) {
  const __m128d a = _mm_and_pd(x, _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL)));
  const __m128d big = _mm_set1_pd(0x1p52);
  if constexpr (T == ir::FieldType::Number) return _mm_cmple_pd(a, _mm_set1_pd(DBL_MAX));
  if constexpr (T == ir::FieldType::Bool)
    return _mm_or_pd(_mm_cmpeq_pd(x, _mm_setzero_pd()), _mm_cmpeq_pd(x, _mm_set1_pd(1.0)));
  if constexpr (T == ir::FieldType::Date)
    return _mm_and_pd(_mm_and_pd(_mm_cmpge_pd(x, _mm_set1_pd(kFirstDay)), _mm_cmple_pd(x, _mm_set1_pd(kLastDay))),
                      _mm_cmpeq_pd(_mm_sub_pd(_mm_add_pd(a, big), big), a));
  return _mm_and_pd(_mm_and_pd(_mm_cmpge_pd(x, _mm_setzero_pd()), _mm_cmplt_pd(x, members)),
                    _mm_cmpeq_pd(_mm_sub_pd(_mm_add_pd(a, big), big), a));
}
#endif

#if defined(HEALTHC_CHECKS_AVX2)
// Four values at a time, on CPUs that have AVX2 (picked at run time: the build targets plain
// x86-64). The same tests as lanes_ok.
template <ir::FieldType T>
__attribute__((target("avx2"), always_inline)) inline __m256d lanes_ok_avx2(__m256d x, __m256d members) {
  const __m256d a = _mm256_and_pd(x, _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL)));
  const __m256d big = _mm256_set1_pd(0x1p52), zero = _mm256_setzero_pd();
  if constexpr (T == ir::FieldType::Number) return _mm256_cmp_pd(a, _mm256_set1_pd(DBL_MAX), _CMP_LE_OQ);
  if constexpr (T == ir::FieldType::Bool)
    return _mm256_or_pd(_mm256_cmp_pd(x, zero, _CMP_EQ_OQ), _mm256_cmp_pd(x, _mm256_set1_pd(1.0), _CMP_EQ_OQ));
  const __m256d w = _mm256_cmp_pd(_mm256_sub_pd(_mm256_add_pd(a, big), big), a, _CMP_EQ_OQ);
  if constexpr (T == ir::FieldType::Date)
    return _mm256_and_pd(_mm256_and_pd(_mm256_cmp_pd(x, _mm256_set1_pd(kFirstDay), _CMP_GE_OQ),
                                       _mm256_cmp_pd(x, _mm256_set1_pd(kLastDay), _CMP_LE_OQ)),
                         w);
  return _mm256_and_pd(_mm256_and_pd(_mm256_cmp_pd(x, zero, _CMP_GE_OQ), _mm256_cmp_pd(x, members, _CMP_LT_OQ)), w);
}

// Four values at a time, on CPUs that have AVX2 (picked at run time: the build targets plain
// x86-64). The same tests as lanes_ok. Advances `r` past what it checked.
template <ir::FieldType T>
__attribute__((target("avx2"))) bool values_ok_avx2(const double* v, size_t& r, size_t end, double members) {
  const __m256d m = _mm256_set1_pd(members);
  __m256d ok0 = _mm256_castsi256_pd(_mm256_set1_epi32(-1)), ok1 = ok0;
  for (; r + 8 <= end; r += 8) {
    ok0 = _mm256_and_pd(ok0, lanes_ok_avx2<T>(_mm256_loadu_pd(v + r), m));
    ok1 = _mm256_and_pd(ok1, lanes_ok_avx2<T>(_mm256_loadu_pd(v + r + 4), m));
  }
  return _mm256_movemask_pd(_mm256_and_pd(ok0, ok1)) == 15;
}

// No size 0 among the text cells [r, end), two cells (32 bytes: pointer, size, pointer,
// size) at a time. Advances `r` past what it checked.
__attribute__((target("avx2"))) bool sizes_nonzero_avx2(const hc_text* t, size_t& r, size_t end) {
  const __m256i size_lanes = _mm256_set_epi64x(-1, 0, -1, 0);
  __m256i zero_sizes = _mm256_setzero_si256();
  for (; r + 2 <= end; r += 2) {
    const __m256i cells = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + r));
    zero_sizes = _mm256_or_si256(zero_sizes, _mm256_cmpeq_epi64(cells, _mm256_setzero_si256()));
  }
  return _mm256_testz_si256(zero_sizes, size_lanes);
}

// Numbers only need to be finite, and `x * 0` is 0 exactly when x is finite (NaN for NaN and
// the infinities), so adding `x * 0` into an accumulator with one fused multiply-add leaves it
// 0 until a value that is not finite makes it NaN: one instruction per four values, where the
// compare-and-mask test takes three. Sixteen values an iteration keep the adds' latency hidden.
__attribute__((target("avx2,fma"))) bool numbers_finite_fma(const double* v, size_t& r, size_t end) {
  const __m256d zero = _mm256_setzero_pd();
  __m256d a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  for (; r + 16 <= end; r += 16) {
    a0 = _mm256_fmadd_pd(_mm256_loadu_pd(v + r), zero, a0);
    a1 = _mm256_fmadd_pd(_mm256_loadu_pd(v + r + 4), zero, a1);
    a2 = _mm256_fmadd_pd(_mm256_loadu_pd(v + r + 8), zero, a2);
    a3 = _mm256_fmadd_pd(_mm256_loadu_pd(v + r + 12), zero, a3);
  }
  const __m256d sum = _mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3));
  return _mm256_movemask_pd(_mm256_cmp_pd(sum, sum, _CMP_UNORD_Q)) == 0;
}

// Bools, dates and enum members are whole numbers within bounds: every value whole (rounding
// leaves it as it is, which NaN never is) and the smallest and largest within [lo, hi], in
// four instructions per four values where the per-value compare-and-mask test takes ten.
// `min(x, lo)` keeps `lo` when x is NaN, but NaN already failed the whole test.
__attribute__((target("avx2"))) bool whole_within_avx2(const double* v, size_t& r, size_t end, double lo, double hi) {
  const __m256d first = _mm256_loadu_pd(v + r);  // the caller gives at least 8 values
  __m256d lo0 = first, lo1 = first, hi0 = first, hi1 = first;
  __m256d bad0 = _mm256_setzero_pd(), bad1 = bad0;
  for (; r + 8 <= end; r += 8) {
    const __m256d x0 = _mm256_loadu_pd(v + r), x1 = _mm256_loadu_pd(v + r + 4);
    const __m256d t0 = _mm256_round_pd(x0, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256d t1 = _mm256_round_pd(x1, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    bad0 = _mm256_or_pd(bad0, _mm256_cmp_pd(t0, x0, _CMP_NEQ_UQ));
    bad1 = _mm256_or_pd(bad1, _mm256_cmp_pd(t1, x1, _CMP_NEQ_UQ));
    lo0 = _mm256_min_pd(x0, lo0);
    lo1 = _mm256_min_pd(x1, lo1);
    hi0 = _mm256_max_pd(x0, hi0);
    hi1 = _mm256_max_pd(x1, hi1);
  }
  const __m256d lows = _mm256_min_pd(lo0, lo1), highs = _mm256_max_pd(hi0, hi1);
  const __m256d out = _mm256_or_pd(_mm256_cmp_pd(lows, _mm256_set1_pd(lo), _CMP_LT_OQ),
                                   _mm256_cmp_pd(highs, _mm256_set1_pd(hi), _CMP_GT_OQ));
  return _mm256_movemask_pd(_mm256_or_pd(_mm256_or_pd(bad0, bad1), out)) == 0;
}

#endif

// Every value of [begin, end) inside type T, missing rows included.
template <ir::FieldType T>
bool values_ok(const double* v, size_t begin, size_t end, double members) {
  size_t r = begin;
#if defined(HEALTHC_CHECKS_AVX2)
  if constexpr (T == ir::FieldType::Number) {
    if (rt::cpu_has_avx2_fma() && !numbers_finite_fma(v, r, end)) return false;
  } else if (rt::cpu_has_avx2() && end - r >= 8) {
    const double lo = T == ir::FieldType::Date ? kFirstDay : 0.0;
    const double hi = T == ir::FieldType::Date ? kLastDay : T == ir::FieldType::Bool ? 1.0 : members - 1;
    if (!whole_within_avx2(v, r, end, lo, hi)) return false;
  }
  if (rt::cpu_has_avx2() && !values_ok_avx2<T>(v, r, end, members)) return false;
#endif
#if defined(__SSE2__)
  const __m128d m = _mm_set1_pd(members);
  __m128d ok0 = _mm_castsi128_pd(_mm_set1_epi32(-1)), ok1 = ok0;
  for (; r + 4 <= end; r += 4) {
    ok0 = _mm_and_pd(ok0, lanes_ok<T>(_mm_loadu_pd(v + r), m));
    ok1 = _mm_and_pd(ok1, lanes_ok<T>(_mm_loadu_pd(v + r + 2), m));
  }
  if (_mm_movemask_pd(_mm_and_pd(ok0, ok1)) != 3) return false;
#endif
  bool all = true;
  for (; r < end; ++r) all &= value_ok(T, v[r], members);
  return all;
}

bool values_ok(ir::FieldType type, const double* v, size_t begin, size_t end, double members) {
  switch (type) {
    case ir::FieldType::Number: return values_ok<ir::FieldType::Number>(v, begin, end, members);
    case ir::FieldType::Bool: return values_ok<ir::FieldType::Bool>(v, begin, end, members);
    case ir::FieldType::Date: return values_ok<ir::FieldType::Date>(v, begin, end, members);
    case ir::FieldType::Enum: return values_ok<ir::FieldType::Enum>(v, begin, end, members);
    case ir::FieldType::Text: return true;
  }
  return false;
}

}  // namespace

bool column_surely_clean(const ir::Field& field, const hc_column& c, const uint8_t* valid, size_t begin,
                         size_t end) {
  if (!field.optional && std::memchr(valid + begin, 0, end - begin)) return false;
  if (field.type != ir::FieldType::Text)
    return values_ok(field.type, c.values, begin, end, static_cast<double>(field.members.size()));
  // Text: a present cell of a required field is not empty. (Its bytes are the caller's
  // promise, as every pointer it passes is: `data` points to `size` bytes.)
  // Every row is present here (the memchr above), so only the sizes need looking at.
  if (field.optional) return true;
  size_t r = begin;
#if defined(HEALTHC_CHECKS_AVX2)
  if (rt::cpu_has_avx2() && !sizes_nonzero_avx2(c.text, r, end)) return false;
#endif
  uint64_t empty = 0;
  for (; r < end; ++r) empty |= c.text[r].size == 0;
  return empty == 0;
}

bool mark_bad_rows(const ir::Field& field, const hc_column& c, const uint8_t* valid, size_t begin, size_t end,
                   uint8_t* status) {
  const double members = static_cast<double>(field.members.size());
  bool any = false;
  for (size_t r = begin; r < end; ++r) {
    uint8_t st = HC_ROW_OK;
    if (!valid[r]) {
      st = field.optional ? HC_ROW_OK : HC_ROW_MISSING_REQUIRED;
    } else if (field.type == ir::FieldType::Text) {
      if (c.text[r].size == 0 && !field.optional) st = HC_ROW_MISSING_REQUIRED;
    } else if (!value_ok(field.type, c.values[r], members)) {
      st = HC_ROW_INVALID_VALUE;
    }
    if (st != HC_ROW_OK && status[r - begin] == HC_ROW_OK) {
      status[r - begin] = st;
      any = true;
    }
  }
  return any;
}

}  // namespace healthc::api
