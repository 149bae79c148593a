// A deterministic train / held-out split: each account goes to training with probability
// `train` by a hash of its key and the seed, so the split does not depend on row order.
#pragma once

#include <cstdint>
#include <string_view>

namespace healthc::analysis {

// A uniform number in [0, 1) from `key` and `seed` (FNV-1a, then SplitMix64's finaliser).
double unit_hash(std::string_view key, uint64_t seed);

inline bool in_training(std::string_view key, uint64_t seed, double train) { return unit_hash(key, seed) < train; }

}  // namespace healthc::analysis
