// An exact sum of non-negative doubles and of products of two: a binary fixed-point integer
// that grows to the range of the terms added, so the total is the same whatever the order of
// the terms or how they were split into blocks and threads (the roll-ups' determinism), and
// reads back as the nearest double.
#pragma once

#include <cstdint>

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
  void add(double x);
  void add_product(double a, double b);
  void add(const ExactSum& other);

  bool is_zero() const { return size_ == 0; }
  // floor(log2(sum)); meaningless for a zero sum.
  int exponent() const;
  // The sum times 2^scale, rounded to the nearest double (ties to even; infinity past the
  // largest double).
  double value(int scale = 0) const;
  // num / den, each scaled by den's exponent first so neither overflows nor loses bits to
  // subnormals; NaN when den is zero.
  static double ratio(const ExactSum& num, const ExactSum& den);

 private:
  void add_bits(unsigned __int128 m, int e);  // m * 2^e
  void grow(uint32_t limbs, uint32_t shift_up);
  uint64_t* data() { return capacity_ > kInline ? heap_ : inline_; }
  const uint64_t* data() const { return capacity_ > kInline ? heap_ : inline_; }
  uint64_t bits_at(int lo) const;  // the 64 bits from absolute position lo up
  bool any_below(int pos) const;   // a bit set below absolute position pos

  static constexpr uint32_t kInline = 3;  // 192 bits: ARR x a measure score needs ~120
  int32_t base_ = 0;       // the absolute position of limb 0's lowest bit, a multiple of 64
  uint16_t size_ = 0;      // limbs in use; the top one is non-zero
  uint16_t capacity_ = kInline;
  union {
    uint64_t inline_[kInline] = {0, 0, 0};
    uint64_t* heap_;
  };
};

}  // namespace healthc::analysis
