// Is the score predictive? `healthc validate` as a library function: over a data set with a
// 0/1 outcome column, the AUC of the score with its confidence interval, outcome rates per band
// and per score decile, the worst band's lift, each measure's own AUC and missing rate, and the
// same per segment. The CLI renders the result as text, JSON or Markdown.
//
// Convention: a higher score means a healthier account. With `positive_low` (churned,
// downgraded) outcome 1 is expected at low scores; otherwise (renewed, expanded) at high ones.
#pragma once

#include <string>
#include <vector>

#include "runtime/analysis/auc.h"
#include "runtime/analysis/rates.h"
#include "runtime/pipeline/dataset.h"
#include "runtime/scorecard.h"

namespace healthc::analysis {

struct OutcomeGroup {
  std::string name, detail;  // detail: a band's score range, a decile's scores
  Rate rate;
  Auc auc;  // segments only
};

struct MeasureValidity {
  std::string name;
  Auc auc;
  double missing = 0;      // share of accounts (with an outcome) where the measure is unscored
  double mean_weight = 0;  // mean effective weight over scored accounts
};

struct Validation {
  std::string outcome;
  bool positive_low = true;
  size_t read = 0, rejected = 0, no_outcome = 0, unscored = 0;  // read: accepted rows
  Rate base;  // accounts with a score and an outcome
  Auc auc;
  std::vector<OutcomeGroup> bands;  // the card's bands, then `unscored`
  std::vector<size_t> out_of_order;  // bands whose rate breaks the expected order
  size_t worst_band = 0;
  std::vector<OutcomeGroup> deciles;  // those with accounts
  std::vector<MeasureValidity> measures;
  std::vector<OutcomeGroup> segments;  // the card's segments, then `default`
};

struct ValidateOptions {
  size_t outcome_column = 0;  // the data set's extra column holding the outcome
  std::string positive_value;  // the outcome text that means 1 (`--positive-value`); empty: bools
  bool positive_low = true;
  double as_of = 0;
  int threads = 1;
};

// False with `error` (a sentence naming the data) when the data cannot be validated against: no
// outcome column, an outcome that is not 0/1, no account with a score and an outcome, or only
// one outcome among them.
bool validate(const Scorecard& card, const rt::Dataset& data, const ValidateOptions& options, Validation& out,
              std::string& error);

}  // namespace healthc::analysis
