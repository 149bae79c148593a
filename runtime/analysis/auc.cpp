// AUC by the Mann-Whitney rank sum with midranks; DeLong's variance from the same ranks
// (DeLong, DeLong & Clarke-Pearson 1988; the rank form of Sun & Xu 2014).
#include "runtime/analysis/auc.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace healthc::analysis {

std::vector<double> midranks(std::span<const double> values) {
  const size_t n = values.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return values[a] < values[b]; });
  std::vector<double> rank(n);
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && values[order[j]] == values[order[i]]) ++j;
    const double mid = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;  // mean of ranks i+1..j
    for (size_t k = i; k < j; ++k) rank[order[k]] = mid;
    i = j;
  }
  return rank;
}

double auc_only(std::span<const double> value, std::span<const uint8_t> positive) {
  const std::vector<double> rank = midranks(value);
  double sum = 0;
  size_t m = 0;
  for (size_t i = 0; i < value.size(); ++i)
    if (positive[i]) sum += rank[i], ++m;
  const size_t n = value.size() - m;
  if (m == 0 || n == 0) return kNaN;
  const double md = static_cast<double>(m), nd = static_cast<double>(n);
  return (sum - md * (md + 1) / 2) / (md * nd);
}

Auc auc(std::span<const double> value, std::span<const uint8_t> positive, double z) {
  Auc out;
  std::vector<double> xs, ys;  // positives, negatives
  for (size_t i = 0; i < value.size(); ++i) (positive[i] ? xs : ys).push_back(value[i]);
  out.positives = xs.size();
  out.negatives = ys.size();
  if (!out.defined()) return out;
  const double m = static_cast<double>(xs.size()), n = static_cast<double>(ys.size());
  const std::vector<double> all = midranks(value);
  const std::vector<double> rx = midranks(xs), ry = midranks(ys);
  // Placement values: V10 = share of negatives below a positive, V01 = share of positives
  // above a negative, ties counting half.
  std::vector<double> v10, v01;
  v10.reserve(xs.size());
  v01.reserve(ys.size());
  size_t ix = 0, iy = 0;
  double rank_sum = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    if (positive[i]) {
      rank_sum += all[i];
      v10.push_back((all[i] - rx[ix++]) / n);
    } else {
      v01.push_back(1 - (all[i] - ry[iy++]) / m);
    }
  }
  out.auc = (rank_sum - m * (m + 1) / 2) / (m * n);
  if (xs.size() < 2 || ys.size() < 2) return out;
  double s10 = 0, s01 = 0;
  for (double v : v10) s10 += (v - out.auc) * (v - out.auc);
  for (double v : v01) s01 += (v - out.auc) * (v - out.auc);
  s10 /= m - 1;
  s01 /= n - 1;
  out.se = std::sqrt(s10 / m + s01 / n);
  out.lo = std::max(0.0, out.auc - z * out.se);
  out.hi = std::min(1.0, out.auc + z * out.se);
  return out;
}

}  // namespace healthc::analysis
