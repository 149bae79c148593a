// Largest-remainder apportionment.
#include "runtime/analysis/apportion.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace healthc::analysis {

std::vector<int64_t> apportion(std::span<const double> shares, int64_t total) {
  const size_t n = shares.size();
  std::vector<int64_t> out(n, 0);
  if (n == 0 || total <= 0) return out;
  std::vector<double> s(n);
  for (size_t i = 0; i < n; ++i) s[i] = std::isfinite(shares[i]) && shares[i] > 0 ? shares[i] : 0;
  double sum = std::accumulate(s.begin(), s.end(), 0.0);
  if (sum <= 0) std::fill(s.begin(), s.end(), 1.0), sum = static_cast<double>(n);
  std::vector<double> rem(n);
  int64_t given = 0;
  for (size_t i = 0; i < n; ++i) {
    const double exact = s[i] * static_cast<double>(total) / sum;
    out[i] = static_cast<int64_t>(std::floor(exact));
    rem[i] = exact - static_cast<double>(out[i]);
    given += out[i];
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rem[a] > rem[b]; });
  for (size_t k = 0; given < total; k = (k + 1) % n) ++out[order[k]], ++given;
  return out;
}

}  // namespace healthc::analysis
