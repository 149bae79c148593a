// Whole numbers with a fixed total in proportion to given shares (largest remainder): how
// `tune` turns weights into readable ones that sum to 100 on each level.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace healthc::analysis {

// Non-negative integers summing to `total`, each the floor of its exact share plus one for the
// largest remainders (ties to the earlier entry). All-zero shares split `total` evenly the
// same way. Negative shares count as 0.
std::vector<int64_t> apportion(std::span<const double> shares, int64_t total);

}  // namespace healthc::analysis
