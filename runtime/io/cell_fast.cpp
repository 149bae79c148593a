// The out-of-line parts of the inline cell readers (cell_fast.h): decimals, and building the
// per-field perfect hash of enum members.
#include "runtime/io/cell_fast.h"

namespace healthc::rt {

bool fast_decimal(const char* d, const char* end, bool neg, const char* readable, double& out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const size_t n = static_cast<size_t>(end - d);
  if (std::endian::native != std::endian::little || end - readable < 32 || n < 3 || n > 16) return false;
  const uint64_t lo = swar::tail_word(end, n < 8 ? n : 8);
  const uint64_t hi = n > 8 ? swar::tail_word(end - 8, n - 8) : 0x30 * swar::kOnes;
  const uint64_t bad_lo = swar::non_digits(lo), bad_hi = swar::non_digits(hi);
  // Exactly one byte is not a digit, a '.' with digits on both sides.
  const uint64_t bad = bad_lo != 0 ? bad_lo : bad_hi;
  if ((bad_lo != 0 && bad_hi != 0) || bad == 0 || (bad & (bad - 1)) != 0) return false;
  const char* at = end - (bad_lo != 0 ? 8 : 16) + (std::countr_zero(bad) >> 3);
  const size_t whole = static_cast<size_t>(at - d), frac = n - whole - 1;
  if (*at != '.' || whole == 0 || frac == 0) return false;
  uint64_t w = 0, f = 0;
  // `at` is at most 16 bytes before `end`, so the 16 before it are readable too.
  if (!swar::digits_before(at, whole, w) || !swar::digits_before(end, frac, f)) return false;
  const double m = static_cast<double>(static_cast<int64_t>(w * static_cast<uint64_t>(kPow10[frac]) + f));
  out = neg ? -(m / kPow10[frac]) : m / kPow10[frac];
  return true;
}

EnumMatcher::EnumMatcher(const FieldSpec& field) {
  if (field.exact_members || field.members.empty() || field.members.size() > 4096) return;
  for (const std::string& m : field.members)
    if (m.empty()) return;  // an empty cell is never a member: parse_cell decides it
  names_ = field.members;
  int bits = 1;
  while ((size_t{1} << bits) < names_.size() * 2) ++bits;
  // A few table sizes and seeds; a set of members that none separates keeps the linear match.
  for (int extra = 0; extra < 4; ++extra, ++bits) {
    for (uint32_t seed = 1; seed < 2000; seed += 2) {
      const int shift = 32 - bits;
      std::vector<int32_t> slots(size_t{1} << bits, -1);
      bool perfect = true;
      for (size_t i = 0; i < names_.size() && perfect; ++i) {
        int32_t& slot = slots[hash(names_[i].data(), names_[i].size(), seed * 0x2545F491u) >> shift];
        if (slot >= 0) perfect = false;
        slot = static_cast<int32_t>(i);
      }
      if (!perfect) continue;
      slots_ = std::move(slots);
      seed_ = seed * 0x2545F491u;
      shift_ = shift;
      return;
    }
  }
  names_.clear();
}

}  // namespace healthc::rt
