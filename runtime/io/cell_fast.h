// The shapes most data cells have, read inline on the readers' hot path: a plain integer, a
// YYYY-MM-DD date, an enum member matched by a perfect hash built per field. Each answers only
// when it is sure; anything else (spaces, decimals, a miss, `--null` cells) goes to parse_cell
// (cell_parse.h), which gives the same value or the reason the row is rejected.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/io/cell_parse.h"
#include "runtime/io/schema.h"

namespace healthc::rt {

// `-`? then 1 to 15 digits, nothing else: exact in a double, the value parse_number gives
// (including -0 for "-0").
inline bool fast_integer(const char* p, const char* end, double& out) {
  const bool neg = p != end && *p == '-';
  const char* d = p + (neg ? 1 : 0);
  const ptrdiff_t n = end - d;
  if (n < 1 || n > 15) return false;
  uint64_t v = 0;
  for (; d < end; ++d) {
    const unsigned x = static_cast<unsigned>(static_cast<unsigned char>(*d)) - '0';
    if (x > 9) return false;
    v = v * 10 + x;
  }
  out = neg ? -static_cast<double>(v) : static_cast<double>(v);
  return true;
}

// A valid YYYY-MM-DD as days since 1970-01-01 (parse_date, no library calls).
inline bool fast_date(const char* p, const char* end, double& out) {
  if (end - p != 10) return false;
  const auto days = parse_date(std::string_view(p, 10));
  if (!days) return false;
  out = static_cast<double>(*days);
  return true;
}

// A field's enum members by a perfect hash of the cell's length and three of its bytes, so a
// cell costs one table load and one compare, not a compare per member. Built only for fields
// without spelled members (whose cells are matched trimmed); `find` answers for a cell without
// spaces at either end.
class EnumMatcher {
 public:
  EnumMatcher() = default;
  explicit EnumMatcher(const FieldSpec& field);
  bool usable() const { return !slots_.empty(); }
  // The member index, or -1 when the cell is no member (or the matcher cannot say).
  int32_t find(const char* p, const char* end) const {
    const size_t n = static_cast<size_t>(end - p);
    if (n == 0 || slots_.empty()) return -1;
    const int32_t m = slots_[hash(p, n, seed_) >> shift_];
    if (m < 0) return -1;
    const std::string& name = names_[static_cast<size_t>(m)];
    return name.size() == n && std::memcmp(name.data(), p, n) == 0 ? m : -1;
  }

 private:
  static uint32_t hash(const char* p, size_t n, uint32_t seed) {
    const uint32_t a = static_cast<unsigned char>(p[0]), b = static_cast<unsigned char>(p[n - 1]),
                   c = static_cast<unsigned char>(p[n / 2]);
    return (static_cast<uint32_t>(n) * 0x9E3779B1u ^ a * 0x85EBCA77u ^ b * 0xC2B2AE3Du ^ c * 0x27D4EB2Fu) * seed;
  }
  std::vector<int32_t> slots_;  // 1 << (32 - shift_) slots: a member index or -1
  std::vector<std::string> names_;
  uint32_t seed_ = 1;
  int shift_ = 32;
};

}  // namespace healthc::rt
