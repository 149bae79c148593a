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

namespace {

using Limbs = std::vector<uint64_t>;

void trim(Limbs& a) {
  while (!a.empty() && a.back() == 0) a.pop_back();
}

int bit_length(const Limbs& a) {
  return a.empty() ? 0 : 64 * static_cast<int>(a.size() - 1) + 64 - std::countl_zero(a.back());
}

Limbs shifted_up(const Limbs& a, int n) {
  Limbs out(static_cast<size_t>(n / 64), 0);
  const int r = n % 64;
  uint64_t carry = 0;
  for (uint64_t x : a) {
    out.push_back(r ? (x << r) | carry : x);
    carry = r ? x >> (64 - r) : 0;
  }
  if (carry) out.push_back(carry);
  trim(out);
  return out;
}

void halve(Limbs& a) {
  for (size_t i = 0; i < a.size(); ++i) a[i] = (a[i] >> 1) | (i + 1 < a.size() ? a[i + 1] << 63 : 0);
  trim(a);
}

bool less(const Limbs& a, const Limbs& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  for (size_t i = a.size(); i-- > 0;)
    if (a[i] != b[i]) return a[i] < b[i];
  return false;
}

void subtract(Limbs& a, const Limbs& b) {  // a -= b, a >= b
  uint64_t borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const uint64_t bi = i < b.size() ? b[i] : 0;
    const uint64_t d = a[i] - bi - borrow;
    borrow = (a[i] < bi || (a[i] == bi && borrow)) ? 1 : 0;
    a[i] = d;
  }
  trim(a);
}

int width128(unsigned __int128 x) {
  const auto h = static_cast<uint64_t>(x >> 64);
  return h ? 128 - std::countl_zero(h) : 64 - std::countl_zero(static_cast<uint64_t>(x));
}

// a (limbs from 2^base) as m * 2^e with m odd, when its set bits span at most 128.
bool narrow(const Limbs& a, int base, unsigned __int128& m, int& e) {
  size_t lo = 0;
  while (a[lo] == 0) ++lo;
  const int tz = std::countr_zero(a[lo]);
  const int span = bit_length(a) - 64 * static_cast<int>(lo) - tz;
  if (span > 128) return false;
  m = 0;
  for (size_t i = lo; i < a.size(); ++i) {
    const int at = 64 * static_cast<int>(i - lo) - tz;  // where a[i]'s lowest bit lands in m
    if (at < 0) m |= a[i] >> -at;
    else if (at < 128) m |= static_cast<unsigned __int128>(a[i]) << at;
  }
  e = base + 64 * static_cast<int>(lo) + tz;
  return true;
}

}  // namespace

// The quotient to 55-56 bits by long division, the remainder folded into one more (sticky) bit
// below them, then rounded once as a sum is: the nearest double to the exact quotient.
double ExactSum::ratio(const ExactSum& num, const ExactSum& den) {
  Limbs n = num.limbs(), d = den.limbs();
  trim(n);
  trim(d);
  if (d.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (n.empty()) return 0.0;
  // Most quotients (weights of similar size) fit 128-bit integer division.
  unsigned __int128 mn, md;
  int en, ed;
  if (narrow(n, num.base_, mn, en) && narrow(d, den.base_, md, ed)) {
    const int bn = width128(mn), bd = width128(md), s = 55 + bd - bn;
    if (s < 0 || bd <= 73) {
      const unsigned __int128 a = s >= 0 ? mn << s : mn, b = s >= 0 ? md : md << -s;
      const unsigned __int128 q = a / b;
      ExactSum out;
      out.add_bits((q << 1) | (a % b ? 1 : 0), en - ed - s - 1);
      return out.value();
    }
  }
  // n 2^s / d lies in [2^54, 2^56).
  const int s = 55 + bit_length(d) - bit_length(n);
  if (s > 0) n = shifted_up(n, s);
  else if (s < 0) d = shifted_up(d, -s);
  Limbs step = shifted_up(d, 56);
  uint64_t q = 0;
  for (int i = 56; i >= 0; --i) {
    if (!less(n, step)) {
      subtract(n, step);
      q |= uint64_t{1} << i;
    }
    halve(step);
  }
  ExactSum out;
  out.add_bits((static_cast<unsigned __int128>(q) << 1) | (n.empty() ? 0 : 1), num.base_ - den.base_ - s - 1);
  return out.value();
}

void SumPool::spill(CompactSum& s) {
  ExactSum x;
  x.add_bits((static_cast<unsigned __int128>(s.hi) << 64) | s.lo, s.base);
  s.spill = static_cast<int32_t>(spilled_.size());
  spilled_.push_back(std::move(x));
  s.lo = s.hi = 0;
}

// Fits the term by shifting it (or the sum, when the term is lower) within 128 bits; a sum that
// cannot hold both spills. The base goes down to the term's own exponent where the sum has room
// (the term's trailing zeros are dropped only when it has not), so that the next terms of the
// same size land at or above the base: the inline path.
void SumPool::add_slow(CompactSum& s, unsigned __int128 m, int e) {
  if (m == 0) return;
  if (s.spill >= 0) {
    spilled_[s.spill].add_bits(m, e);
    return;
  }
  auto width = [](unsigned __int128 x) {
    const auto h = static_cast<uint64_t>(x >> 64);
    return h ? 128 - std::countl_zero(h) : 64 - std::countl_zero(static_cast<uint64_t>(x));
  };
  unsigned __int128 acc = (static_cast<unsigned __int128>(s.hi) << 64) | s.lo;
  if (acc == 0) {
    s.lo = static_cast<uint64_t>(m);
    s.hi = static_cast<uint64_t>(m >> 64);
    s.base = e;
    return;
  }
  int base = s.base;
  bool fits = true;
  if (e < base) {
    if (static_cast<int64_t>(base) - e + width(acc) > 127) {
      const int tz = (static_cast<uint64_t>(m) == 0 ? 64 + std::countr_zero(static_cast<uint64_t>(m >> 64))
                                                    : std::countr_zero(static_cast<uint64_t>(m)));
      m >>= tz;
      e += tz;
    }
    if (e < base) {
      const int64_t d = static_cast<int64_t>(base) - e;
      fits = d + width(acc) <= 127;
      if (fits) {
        acc <<= d;
        base = e;
      }
    }
  }
  if (fits) {
    const int64_t d = static_cast<int64_t>(e) - base;
    fits = d + width(m) <= 127;
    const unsigned __int128 term = fits ? m << d : 0;
    if (fits && acc + term >= acc) {
      acc += term;
      s.lo = static_cast<uint64_t>(acc);
      s.hi = static_cast<uint64_t>(acc >> 64);
      s.base = base;
      return;
    }
  }
  spill(s);
  spilled_[s.spill].add_bits(m, e);
}

void SumPool::add(CompactSum& s, const CompactSum& o, const SumPool& from) {
  if (o.spill < 0) {
    add_bits(s, (static_cast<unsigned __int128>(o.hi) << 64) | o.lo, o.base);
    return;
  }
  if (s.spill < 0) spill(s);
  spilled_[s.spill].add(from.spilled_[o.spill]);
}

ExactSum SumPool::exact(const CompactSum& s) const {
  if (s.spill >= 0) return spilled_[s.spill];
  ExactSum x;
  x.add_bits((static_cast<unsigned __int128>(s.hi) << 64) | s.lo, s.base);
  return x;
}

}  // namespace healthc::analysis
