// Describing a set of numbers: mean, quantiles, deciles that keep ties together, and a
// fixed-width histogram with text bars. Used by `diff` (score changes) and `validate` (score
// deciles).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace healthc::analysis {

double mean(std::span<const double> values);  // NaN when empty

// The q-quantile (0 <= q <= 1) of ascending `sorted`, interpolating linearly between order
// statistics (Hyndman & Fan type 7, numpy's default). NaN when empty.
double quantile_sorted(std::span<const double> sorted, double q);
double quantile(std::vector<double> values, double q);

// Each value's decile, 0 (lowest values) to 9. Equal values always share a decile: a run of
// ties goes to the decile that holds the middle of its run in sorted order, so deciles can be
// uneven (or empty) when a value repeats often.
std::vector<uint8_t> deciles(std::span<const double> values);

// Counts in `bins` equal bins of `width` starting at `lo`; values below or above the range go
// to the first or last bin.
struct Histogram {
  double lo = 0, width = 1;
  std::vector<size_t> counts;
  double bin_lo(size_t i) const { return lo + width * static_cast<double>(i); }
};
Histogram histogram(std::span<const double> values, double lo, double width, size_t bins);

// A bar of `count` scaled so that `max` fills `width` characters; a nonzero count gets at
// least one character.
std::string text_bar(size_t count, size_t max, size_t width);

}  // namespace healthc::analysis
