// An exact sum of non-negative doubles and of products of two: a binary fixed-point integer
// that grows to the range of the terms added, so the total is the same whatever the order of
// the terms or how they were split into blocks and threads (the roll-ups' determinism), and
// reads back as the nearest double.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace healthc::analysis {

class ExactSum {
 public:
  ExactSum() = default;
  ~ExactSum();
  ExactSum(const ExactSum& other);
  ExactSum& operator=(const ExactSum& other);
  ExactSum(ExactSum&& other) noexcept;
  ExactSum& operator=(ExactSum&& other) noexcept;

  // `x` and the factors must be finite and not negative (callers count a negative weight as 0).
  void add(double x) {
    uint64_t m;
    int e;
    decompose(x, m, e);
    add_bits(m, e);
  }
  void add_product(double a, double b) {
    uint64_t ma, mb;
    int ea, eb;
    decompose(a, ma, ea);
    decompose(b, mb, eb);
    add_bits(static_cast<unsigned __int128>(ma) * mb, ea + eb);
  }
  // m * 2^e, for callers that decompose a factor once and use it many times. Three slot
  // additions without a carry between them: the slots hold 64 bits more than a limb, which no
  // count of terms fills.
  void add_bits(unsigned __int128 m, int e) {
    const int off = e - base_;
    if (off >= 0 && static_cast<uint32_t>(off >> 6) + 3 <= size_) {
      unsigned __int128* s = slots() + (off >> 6);
      const int r = off & 63;
      const unsigned __int128 shifted = m << r;
      s[0] += static_cast<uint64_t>(shifted);
      s[1] += static_cast<uint64_t>(shifted >> 64);
      if (r) s[2] += static_cast<uint64_t>(m >> (128 - r));
      return;
    }
    add_slow(m, e);
  }
  void add(const ExactSum& other);

  // x = m * 2^e with m an integer below 2^53 (x finite, not negative).
  static void decompose(double x, uint64_t& m, int& e) {
    const uint64_t bits = std::bit_cast<uint64_t>(x);
    const int biased = static_cast<int>((bits >> 52) & 0x7FF);
    m = bits & ((uint64_t{1} << 52) - 1);
    if (biased == 0) {
      e = -1074;
    } else {
      m |= uint64_t{1} << 52;
      e = biased - 1075;
    }
  }

  bool is_zero() const;
  // floor(log2(sum)); meaningless for a zero sum.
  int exponent() const;
  // The sum times 2^scale, rounded to the nearest double (ties to even; infinity past the
  // largest double).
  double value(int scale = 0) const;
  // num / den correctly rounded (the nearest double to the exact quotient, ties to even); NaN
  // when den is zero.
  static double ratio(const ExactSum& num, const ExactSum& den);

 private:
  // The sum as little-endian 64-bit limbs from base_ (carries done).
  std::vector<uint64_t> limbs() const;
  void add_slow(unsigned __int128 m, int e);
  void grow(uint32_t slots, uint32_t shift_up);
  unsigned __int128* slots() { return capacity_ > kInline ? heap_ : inline_; }
  const unsigned __int128* slots() const { return capacity_ > kInline ? heap_ : inline_; }

  static constexpr uint32_t kInline = 3;  // 192 bits: ARR x a measure score needs ~120
  int32_t base_ = 0;       // the absolute position of slot 0's lowest bit, a multiple of 64
  uint16_t size_ = 0;      // slots in use
  uint16_t capacity_ = kInline;
  union {
    unsigned __int128 inline_[kInline] = {0, 0, 0};
    unsigned __int128* heap_;
  };
};

// Many small exact sums (a roll-up's figures per group): a sum is a 128-bit integer times
// 2^base in 24 bytes, and only a sum whose terms do not fit that window (exponents far apart, or
// a carry out of 128 bits) moves to an ExactSum kept by its pool. Exact either way, so a figure
// does not depend on which sums spilled.
struct CompactSum {
  uint64_t lo = 0, hi = 0;  // the integer, while not spilled
  int32_t base = 0;
  int32_t spill = -1;  // its ExactSum in the pool; -1: none
};

class SumPool {
 public:
  // s += m * 2^e. Inline where the term lands within 64 bits above the sum's base, fits 127 bits
  // there and adds without a carry out of 128 (a roll-up's terms, nearly always: the base settles
  // at the lowest term's); placing, rebasing and spilling out of line.
  void add_bits(CompactSum& s, unsigned __int128 m, int e) {
    const int d = e - s.base;
    if (s.spill < 0 && d >= 0 && d < 64) {
      const auto high = static_cast<uint64_t>(m >> 64);
      if ((high >> (63 - d)) == 0) {  // m's width + d <= 127: the shift loses nothing
        const unsigned __int128 term = m << d;
        const unsigned __int128 acc = (static_cast<unsigned __int128>(s.hi) << 64) | s.lo;
        const unsigned __int128 sum = acc + term;
        if (sum >= acc) {
          s.lo = static_cast<uint64_t>(sum);
          s.hi = static_cast<uint64_t>(sum >> 64);
          return;
        }
      }
    }
    add_slow(s, m, e);
  }
  // s += o, `o` held by `from` (this pool or another).
  void add(CompactSum& s, const CompactSum& o, const SumPool& from);
  ExactSum exact(const CompactSum& s) const;
  size_t spilled() const { return spilled_.size(); }

 private:
  void add_slow(CompactSum& s, unsigned __int128 m, int e);
  void spill(CompactSum& s);
  std::vector<ExactSum> spilled_;
};

}  // namespace healthc::analysis
