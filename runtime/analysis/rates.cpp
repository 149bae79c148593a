// Outcome rates, lift, and order checks.
#include "runtime/analysis/rates.h"

#include <limits>

namespace healthc::analysis {

double Rate::rate() const {
  return count ? static_cast<double>(positives) / static_cast<double>(count)
               : std::numeric_limits<double>::quiet_NaN();
}

double lift(const Rate& group, const Rate& base) {
  const double b = base.rate();
  if (group.count == 0 || base.count == 0 || b == 0) return std::numeric_limits<double>::quiet_NaN();
  return group.rate() / b;
}

std::vector<Rate> rates_by_group(std::span<const int32_t> group, std::span<const uint8_t> positive, size_t groups) {
  std::vector<Rate> out(groups);
  for (size_t i = 0; i < group.size(); ++i)
    if (group[i] >= 0 && static_cast<size_t>(group[i]) < groups) out[static_cast<size_t>(group[i])].add(positive[i] != 0);
  return out;
}

std::vector<size_t> out_of_order(std::span<const Rate> rates, bool descending) {
  std::vector<size_t> out;
  const Rate* prev = nullptr;
  for (size_t i = 0; i < rates.size(); ++i) {
    if (rates[i].count == 0) continue;
    if (prev && (descending ? rates[i].rate() > prev->rate() : rates[i].rate() < prev->rate())) out.push_back(i);
    prev = &rates[i];
  }
  return out;
}

}  // namespace healthc::analysis
