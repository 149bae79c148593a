// Building the per-field perfect hash of enum members (cell_fast.h).
#include "runtime/io/cell_fast.h"

namespace healthc::rt {

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
