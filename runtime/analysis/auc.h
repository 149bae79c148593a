// The area under the ROC curve of a continuous predictor for a 0/1 outcome, with ties counted
// half (midranks), and DeLong's standard error and confidence interval. What `validate` and
// `tune` rank scores by.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace healthc::analysis {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kZ95 = 1.959963984540054;  // two-sided 95% normal quantile

struct Auc {
  double auc = kNaN;  // P(value of a random positive > value of a random negative), ties half
  double se = kNaN;   // DeLong's standard error; NaN with fewer than 2 of either class
  double lo = kNaN, hi = kNaN;  // auc -/+ z * se, clipped to [0, 1]
  size_t positives = 0, negatives = 0;
  bool defined() const { return positives > 0 && negatives > 0; }
};

// 1-based ranks of `values`, tied values sharing the mean of their ranks.
std::vector<double> midranks(std::span<const double> values);

// AUC of `value` for `positive` (nonzero = outcome 1): higher values are taken to predict the
// positive class. Negate the values to ask the other way round.
Auc auc(std::span<const double> value, std::span<const uint8_t> positive, double z = kZ95);

// The same AUC alone, without the standard error (the tuner's inner loop).
double auc_only(std::span<const double> value, std::span<const uint8_t> positive);

}  // namespace healthc::analysis
