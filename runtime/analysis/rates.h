// Outcome rates of groups of accounts (bands, deciles, segments), their lift over the base
// rate, and whether they fall in the order the bands promise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace healthc::analysis {

struct Rate {
  size_t count = 0, positives = 0;
  void add(bool positive) { ++count, positives += positive ? 1 : 0; }
  double rate() const;  // positives / count; NaN when empty
};

// rate / base rate: 2 means the group has the outcome twice as often as all accounts. NaN when
// either is empty or the base rate is 0.
double lift(const Rate& group, const Rate& base);

// Rates per group: `group[i]` in [0, groups) for each account, or negative to leave it out.
std::vector<Rate> rates_by_group(std::span<const int32_t> group, std::span<const uint8_t> positive, size_t groups);

// Indices i of non-empty groups whose rate breaks the expected order against the previous
// non-empty group: with `descending` (the outcome should get rarer from group to group, as
// churn should from band to better band) a rate above the previous one, else one below it.
std::vector<size_t> out_of_order(std::span<const Rate> rates, bool descending);

}  // namespace healthc::analysis
