// Means, quantiles, deciles and histograms.
#include "runtime/analysis/distribution.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace healthc::analysis {

double mean(std::span<const double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double quantile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  q = std::clamp(q, 0.0, 1.0);
  const double h = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return quantile_sorted(values, q);
}

std::vector<uint8_t> deciles(std::span<const double> values) {
  const size_t n = values.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return values[a] < values[b]; });
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && values[order[j]] == values[order[i]]) ++j;
    // The run covers positions [i, j) of [0, n); its middle is (i + j) / 2.
    const size_t d = std::min<size_t>(9, (10 * (i + j)) / (2 * n));
    for (size_t k = i; k < j; ++k) out[order[k]] = static_cast<uint8_t>(d);
    i = j;
  }
  return out;
}

Histogram histogram(std::span<const double> values, double lo, double width, size_t bins) {
  Histogram h{lo, width, std::vector<size_t>(std::max<size_t>(bins, 1), 0)};
  for (double v : values) {
    const double at = std::floor((v - lo) / width);
    const size_t i = at < 0 ? 0 : std::min(h.counts.size() - 1, static_cast<size_t>(at));
    ++h.counts[i];
  }
  return h;
}

std::string text_bar(size_t count, size_t max, size_t width) {
  if (count == 0 || max == 0) return {};
  const size_t len = std::max<size_t>(1, static_cast<size_t>(std::llround(static_cast<double>(count) *
                                                                           static_cast<double>(width) /
                                                                           static_cast<double>(max))));
  return std::string(len, '#');
}

}  // namespace healthc::analysis
