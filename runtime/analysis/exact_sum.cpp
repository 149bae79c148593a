// ExactSum (exact_sum.h): little-endian 64-bit limbs from a base position aligned to 64 bits.
// Every term is an integer mantissa times a power of two; adding it touches at most three limbs
// and a carry. At most ~4,200 bits are ever needed (products of the largest and the smallest
// doubles), so sizes fit in 16 bits.
#include "runtime/analysis/exact_sum.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

namespace healthc::analysis {

namespace {

// x = m * 2^e with m an integer below 2^53.
void decompose(double x, uint64_t& m, int& e) {
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

int floor64(int e) { return e >= 0 ? e / 64 * 64 : -((-e + 63) / 64) * 64; }

}  // namespace

ExactSum::~ExactSum() {
  if (capacity_ > kInline) delete[] heap_;
}

ExactSum::ExactSum(const ExactSum& o) : base_(o.base_), size_(o.size_), capacity_(kInline) {
  if (o.size_ > kInline) {
    capacity_ = o.size_;
    heap_ = new uint64_t[capacity_];
  }
  std::memcpy(data(), o.data(), sizeof(uint64_t) * size_);
  for (uint32_t i = size_; i < capacity_; ++i) data()[i] = 0;
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

// Room for `limbs` limbs, the existing ones moved up by `shift_up` limbs (new low limbs zero).
void ExactSum::grow(uint32_t limbs, uint32_t shift_up) {
  if (limbs <= capacity_ && shift_up == 0) return;
  if (limbs <= capacity_) {
    uint64_t* d = data();
    std::memmove(d + shift_up, d, sizeof(uint64_t) * size_);
    std::memset(d, 0, sizeof(uint64_t) * shift_up);
    return;
  }
  const uint32_t cap = std::max<uint32_t>(limbs, capacity_ * 2u);
  auto* fresh = new uint64_t[cap]();
  std::memcpy(fresh + shift_up, data(), sizeof(uint64_t) * size_);
  if (capacity_ > kInline) delete[] heap_;
  heap_ = fresh;
  capacity_ = static_cast<uint16_t>(cap);
}

void ExactSum::add_bits(unsigned __int128 m, int e) {
  if (m == 0) return;
  // Trailing zeros moved into the exponent keep integers (scores, counts) in few limbs.
  const auto low = static_cast<uint64_t>(m);
  const int tz = low ? std::countr_zero(low) : 64 + std::countr_zero(static_cast<uint64_t>(m >> 64));
  m >>= tz;
  e += tz;
  if (size_ == 0) {
    base_ = floor64(e);
  } else if (e < base_) {
    const int new_base = floor64(e);
    const auto up = static_cast<uint32_t>((base_ - new_base) / 64);
    grow(size_ + up, up);
    size_ = static_cast<uint16_t>(size_ + up);
    base_ = new_base;
  }
  const int off = e - base_;
  const auto at = static_cast<uint32_t>(off / 64);
  const int r = off % 64;
  const unsigned __int128 shifted = m << r;
  const uint64_t w[3] = {static_cast<uint64_t>(shifted), static_cast<uint64_t>(shifted >> 64),
                         r ? static_cast<uint64_t>(m >> (128 - r)) : 0};
  const uint32_t words = w[2] ? 3 : w[1] ? 2 : 1;
  if (at + words > size_) {
    grow(at + words, 0);
    std::memset(data() + size_, 0, sizeof(uint64_t) * (at + words - size_));
    size_ = static_cast<uint16_t>(at + words);
  }
  uint64_t* d = data();
  uint64_t carry = 0;
  uint32_t i = at;
  for (uint32_t k = 0; k < words; ++k, ++i) {
    const unsigned __int128 s = static_cast<unsigned __int128>(d[i]) + w[k] + carry;
    d[i] = static_cast<uint64_t>(s);
    carry = static_cast<uint64_t>(s >> 64);
  }
  for (; carry && i < size_; ++i) carry = ++d[i] == 0;
  if (carry) {
    grow(size_ + 1u, 0);
    data()[size_] = 1;
    ++size_;
  }
}

void ExactSum::add(double x) {
  uint64_t m;
  int e;
  decompose(x, m, e);
  add_bits(m, e);
}

void ExactSum::add_product(double a, double b) {
  uint64_t ma, mb;
  int ea, eb;
  decompose(a, ma, ea);
  decompose(b, mb, eb);
  add_bits(static_cast<unsigned __int128>(ma) * mb, ea + eb);
}

void ExactSum::add(const ExactSum& o) {
  const uint64_t* d = o.data();
  for (uint32_t i = 0; i < o.size_; ++i) add_bits(d[i], o.base_ + 64 * static_cast<int>(i));
}

int ExactSum::exponent() const {
  if (size_ == 0) return std::numeric_limits<int>::min();
  const uint64_t top = data()[size_ - 1];
  return base_ + 64 * (size_ - 1) + 63 - std::countl_zero(top);
}

uint64_t ExactSum::bits_at(int lo) const {
  const uint64_t* d = data();
  // Two limbs at most hold the 64 bits from lo.
  const int rel = lo - base_;
  const int limb = rel >= 0 ? rel / 64 : (rel - 63) / 64;
  const int r = rel - limb * 64;
  auto limb_at = [&](int i) -> uint64_t { return i >= 0 && i < size_ ? d[i] : 0; };
  uint64_t out = limb_at(limb) >> r;
  if (r) out |= limb_at(limb + 1) << (64 - r);
  return out;
}

bool ExactSum::any_below(int pos) const {
  const uint64_t* d = data();
  const int rel = pos - base_;
  if (rel <= 0) return false;
  const int full = std::min(rel / 64, static_cast<int>(size_));
  for (int i = 0; i < full; ++i)
    if (d[i]) return true;
  const int r = rel % 64;
  if (full < size_ && r && (d[full] & ((uint64_t{1} << r) - 1))) return true;
  return false;
}

double ExactSum::value(int scale) const {
  if (size_ == 0) return 0.0;
  const int msb = exponent();
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
