// The shapes most data cells have, read inline on the readers' hot path: a plain decimal, a
// YYYY-MM-DD date, an enum member matched by a perfect hash built per field. Each answers only
// when it is sure; anything else (spaces, exponents, a miss, `--null` cells) goes to parse_cell
// (cell_parse.h), which gives the same value or the reason the row is rejected.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/io/cell_parse.h"
#include "runtime/io/schema.h"

namespace healthc::rt {

// Digits eight at a time (SWAR, as simdjson's parse_eight_digits_unrolled), on words loaded in
// memory order from a little-endian machine: byte 0 of a word is the first, most significant
// digit. No branch depends on a digit or on the number's length, so cells of mixed lengths cost
// no mispredicted loop exit.
namespace swar {

constexpr uint64_t kOnes = 0x0101010101010101ULL;

inline uint64_t load8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// Every byte of `w` is an ASCII digit (simdjson's is_made_of_eight_digits_fast).
inline bool all_digits(uint64_t w) {
  return ((w & 0xF0 * kOnes) | (((w + 0x06 * kOnes) & 0xF0 * kOnes) >> 4)) == 0x33 * kOnes;
}

// 0x80 in each byte of `w` that is not an ASCII digit. A digit right after a byte of 0xFA or
// more may be marked too (the +6 carries into it); that byte is marked itself, so two marks
// show, and a caller that needs at most one sends the cell to the general grammar.
inline uint64_t non_digits(uint64_t w) {
  const uint64_t x = ((w & 0xF0 * kOnes) | (((w + 0x06 * kOnes) & 0xF0 * kOnes) >> 4)) ^ (0x33 * kOnes);
  return (((x & 0x7F * kOnes) + 0x7F * kOnes) | x) & 0x80 * kOnes;
}

// The value of eight ASCII digits.
inline uint32_t eight_digits(uint64_t w) {
  w = ((w & 0x0F * kOnes) * 2561) >> 8;
  w = ((w & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
  return static_cast<uint32_t>(((w & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32);
}

// The eight bytes that end at `end`, the first 8 - n of them (before the n wanted, 1 to 8)
// replaced by '0', so the word reads as those n bytes.
inline uint64_t tail_word(const char* end, size_t n) {
  const uint64_t keep = ~uint64_t{0} << (8 * (8 - n));
  return (load8(end - 8) & keep) | (0x30 * kOnes & ~keep);
}

// The value of the n (1 to 16) digits before `end`, when all are digits; the 16 bytes before
// `end` must be readable (8 when n <= 8).
inline bool digits_before(const char* end, size_t n, uint64_t& out) {
  const uint64_t lo = tail_word(end, n < 8 ? n : 8);
  if (n <= 8) {
    out = eight_digits(lo);
    return all_digits(lo);
  }
  const uint64_t hi = tail_word(end - 8, n - 8);
  out = uint64_t{eight_digits(hi)} * 100000000 + eight_digits(lo);
  return all_digits(lo) && all_digits(hi);
}

// Whether the n bytes at `a` and at `b` are equal, without a memcmp call for the short keys,
// members and names data has: 4 to 16 bytes as two overlapping loads from each (within the
// n bytes), fewer byte by byte, more by memcmp.
inline bool same_bytes(const char* a, const char* b, size_t n) {
  if (n >= 8 && n <= 16) return ((load8(a) ^ load8(b)) | (load8(a + n - 8) ^ load8(b + n - 8))) == 0;
  if (n >= 4 && n < 8) {
    uint32_t a0, a1, b0, b1;
    std::memcpy(&a0, a, 4);
    std::memcpy(&a1, a + n - 4, 4);
    std::memcpy(&b0, b, 4);
    std::memcpy(&b1, b + n - 4, 4);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n > 16) return std::memcmp(a, b, n) == 0;
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// Whether two texts are the same bytes (same_bytes, after their lengths).
inline bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && same_bytes(a.data(), b.data(), a.size());
}

}  // namespace swar

// fast_number's cells with one byte that is not a digit: digits `.` digits, 15 digits at most,
// the 32 bytes before `end` readable from `readable`. Out of line: integers are the hot case.
bool fast_decimal(const char* digits, const char* end, bool neg, const char* readable, double& out);

// The plain decimals most number cells are: `-`? then digits, or digits `.` digits, at most 16
// digits for an integer and 15 for a decimal, nothing else. The value is parse_number's bit
// for bit: an integer is converted once, correctly rounded (exact up to 2^53); a decimal's
// digits make an exact integer m below 2^53 and, with k digits after the point, m / 10^k is one
// correctly rounded division of two exact doubles (Clinger's fast path), as fast_float's is.
// -0 stays -0. Anything else (a '+', an exponent, ".5", "5.", spaces, more digits) is left to
// parse_cell. `readable` is the start of the buffer the cell lies in: the bytes before `end` are
// read eight at a time when enough of them are in it (16 for an integer, 32 for a decimal);
// else an integer is read a digit at a time and a decimal left to parse_cell.
inline bool fast_number(const char* p, const char* end, const char* readable, double& out) {
  const bool neg = p != end && *p == '-';
  const char* d = p + (neg ? 1 : 0);
  const size_t n = static_cast<size_t>(end - d);
  if (n - 1 >= 16) return false;  // none, or more than 16
  uint64_t v = 0;
  if (std::endian::native == std::endian::little && end - readable >= 16) {
    if (!swar::digits_before(end, n, v)) return fast_decimal(d, end, neg, readable, out);
  } else {
    for (const char* q = d; q < end; ++q) {
      const unsigned x = static_cast<unsigned>(static_cast<unsigned char>(*q)) - '0';
      if (x > 9) return false;
      v = v * 10 + x;
    }
  }
  // Below 2^63: the signed conversion is one instruction, the unsigned one a sequence. The
  // sign is set as a bit: a mispredicted branch on it would cost more than the whole cell.
  const double m = static_cast<double>(static_cast<int64_t>(v));
  out = std::bit_cast<double>(std::bit_cast<uint64_t>(m) | (uint64_t{neg} << 63));
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
    return swar::same_text(names_[static_cast<size_t>(m)], std::string_view(p, n)) ? m : -1;
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
