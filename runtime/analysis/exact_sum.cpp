// ExactSum (exact_sum.h): slots of 128 bits, slot i worth 2^(base + 64 i), so a term adds to
// three slots without carrying (the header's inline path; here placing, growing and reading).
// The carries are done only when the sum is read. At most ~4,200 bits are ever needed
// (products of the largest and the smallest doubles), so sizes fit in 16 bits.
#include "runtime/analysis/exact_sum.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

namespace healthc::analysis {

namespace {

int floor64(int e) { return e >= 0 ? e / 64 * 64 : -((-e + 63) / 64) * 64; }

constexpr size_t kSlot = sizeof(unsigned __int128);

}  // namespace

ExactSum::~ExactSum() {
  if (capacity_ > kInline) delete[] heap_;
}

ExactSum::ExactSum(const ExactSum& o) : base_(o.base_), size_(o.size_), capacity_(kInline) {
  if (o.size_ > kInline) {
    capacity_ = o.size_;
    heap_ = new unsigned __int128[capacity_]();
  }
  std::memcpy(slots(), o.slots(), kSlot * size_);
}

ExactSum& ExactSum::operator=(const ExactSum& o) {
  if (this != &o) {
    ExactSum copy(o);
    *this = std::move(copy);
  }
  return *this;
}

ExactSum::ExactSum(ExactSum&& o) noexcept : base_(o.base_), size_(o.size_), capacity_(o.capacity_) {
  if (o.capacity_ > kInline) {
    heap_ = o.heap_;
  } else {
    std::memcpy(inline_, o.inline_, sizeof inline_);
  }
  o.capacity_ = kInline;
  o.size_ = 0;
  std::memset(o.inline_, 0, sizeof o.inline_);
}

ExactSum& ExactSum::operator=(ExactSum&& o) noexcept {
  if (this != &o) {
    this->~ExactSum();
    new (this) ExactSum(std::move(o));
  }
  return *this;
}

// Room for `n` slots, the existing ones moved up by `shift_up` (new slots zero).
void ExactSum::grow(uint32_t n, uint32_t shift_up) {
  if (n <= capacity_) {
    unsigned __int128* s = slots();
    if (shift_up) {
      std::memmove(s + shift_up, s, kSlot * size_);
      std::memset(s, 0, kSlot * shift_up);
    }
    return;
  }
  const uint32_t cap = std::max<uint32_t>(n, capacity_ * 2u);
  auto* fresh = new unsigned __int128[cap]();
  std::memcpy(fresh + shift_up, slots(), kSlot * size_);
  if (capacity_ > kInline) delete[] heap_;
  heap_ = fresh;
  capacity_ = static_cast<uint16_t>(cap);
}

// Places (or moves) the slots so that the term's three fit; later terms of a similar size take
// the inline path.
void ExactSum::add_slow(unsigned __int128 m, int e) {
  if (m == 0) return;
  if (size_ == 0) {
    base_ = floor64(e);
  } else if (e < base_) {
    const int new_base = floor64(e);
    const auto up = static_cast<uint32_t>((base_ - new_base) / 64);
    grow(size_ + up, up);
    size_ = static_cast<uint16_t>(size_ + up);
    base_ = new_base;
  }
  const auto at = static_cast<uint32_t>((e - base_) / 64);
  if (at + 3 > size_) {
    grow(at + 3, 0);
    std::memset(slots() + size_, 0, kSlot * (at + 3 - size_));
    size_ = static_cast<uint16_t>(at + 3);
  }
  add_bits(m, e);
}

void ExactSum::add(const ExactSum& o) {
  const unsigned __int128* s = o.slots();
  for (uint32_t i = 0; i < o.size_; ++i)
    if (s[i]) add_bits(s[i], o.base_ + 64 * static_cast<int>(i));
}

bool ExactSum::is_zero() const {
  const unsigned __int128* s = slots();
  for (uint32_t i = 0; i < size_; ++i)
    if (s[i]) return false;
  return true;
}

std::vector<uint64_t> ExactSum::limbs() const {
  std::vector<uint64_t> out;
  out.reserve(size_ + 2u);
  const unsigned __int128* s = slots();
  unsigned __int128 carry = 0;
  for (uint32_t i = 0; i < size_; ++i) {
    // A slot is below 2^127 (2^64 terms never reach it), so slot + carry does not overflow.
    const unsigned __int128 t = s[i] + carry;
    out.push_back(static_cast<uint64_t>(t));
    carry = t >> 64;
  }
  while (carry) {
    out.push_back(static_cast<uint64_t>(carry));
    carry >>= 64;
  }
  return out;
}

int ExactSum::exponent() const {
  const std::vector<uint64_t> d = limbs();
  for (size_t i = d.size(); i-- > 0;)
    if (d[i]) return base_ + 64 * static_cast<int>(i) + 63 - std::countl_zero(d[i]);
  return std::numeric_limits<int>::min();
}

double ExactSum::value(int scale) const {
  const std::vector<uint64_t> d = limbs();
  int top = -1;
  for (size_t i = d.size(); i-- > 0;)
    if (d[i]) {
      top = static_cast<int>(i);
      break;
    }
  if (top < 0) return 0.0;
  // Bits by absolute position; the 64 from `lo` up, and whether any below `pos` is set.
  auto limb_at = [&](int i) -> uint64_t { return i >= 0 && i < static_cast<int>(d.size()) ? d[i] : 0; };
  auto bits_at = [&](int lo) {
    const int rel = lo - base_;
    const int limb = rel >= 0 ? rel / 64 : (rel - 63) / 64;
    const int r = rel - limb * 64;
    uint64_t out = limb_at(limb) >> r;
    if (r) out |= limb_at(limb + 1) << (64 - r);
    return out;
  };
  auto any_below = [&](int pos) {
    const int rel = pos - base_;
    if (rel <= 0) return false;
    const int full = std::min(rel / 64, static_cast<int>(d.size()));
    for (int i = 0; i < full; ++i)
      if (d[i]) return true;
    const int r = rel % 64;
    return full < static_cast<int>(d.size()) && r && (d[full] & ((uint64_t{1} << r) - 1)) != 0;
  };
  const int msb = base_ + 64 * top + 63 - std::countl_zero(d[top]);
  if (msb + scale > 1023) return std::numeric_limits<double>::infinity();
  // The lowest bit kept: 53 significant bits, or the subnormal grid's 2^-1074.
  const int keep = std::max(msb - 52, -1074 - scale);
  if (keep > msb + 1) return 0.0;  // below half the smallest subnormal
  const int count = msb - keep + 1;  // 0..53
  uint64_t q = count > 0 ? bits_at(keep) & ((uint64_t{1} << count) - 1) : 0;
  const bool guard = (bits_at(keep - 1) & 1) != 0;
  const bool sticky = any_below(keep - 1);
  if (guard && (sticky || (q & 1))) ++q;
  return std::ldexp(static_cast<double>(q), keep + scale);
}

double ExactSum::ratio(const ExactSum& num, const ExactSum& den) {
  if (den.is_zero()) return std::numeric_limits<double>::quiet_NaN();
  const int k = den.exponent();
  return num.value(-k) / den.value(-k);
}

}  // namespace healthc::analysis
