// `healthc changes`: two snapshots of one scorecard joined by account key; which accounts are in
// both, the band transitions, and the accounts ordered largest drop first. Each account's
// explanation is attribute() (attribution.h), computed when it is rendered, so a million
// accounts cost two snapshots and one small entry each.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/analysis/attribution.h"
#include "runtime/history/store.h"

namespace healthc::analysis {

struct ChangesOptions {
  std::string segment;        // non-empty: accounts in this segment in either snapshot
  int32_t min_change = 0;     // |score2 - score1| at least this (a scored/unscored flip always passes)
  bool band_changes = false;  // only accounts whose band changed
};

struct BandTransition {
  std::string from, to;
  int64_t accounts = 0;
};

struct AccountPair {
  uint32_t before = 0, after = 0;  // indices into the snapshots' accounts
};

struct ChangesResult {
  const history::Snapshot* before = nullptr;
  const history::Snapshot* after = nullptr;
  MeasureMatch measures;
  bool card_changed = false;  // the two snapshots were scored with different card texts
  int64_t in_both = 0, only_before = 0, only_after = 0;  // before the filters
  // Over the accounts in both that pass the segment filter: every (band1, band2) pair met, in
  // the earlier card's band order, then the later's.
  std::vector<BandTransition> transitions;
  // The accounts in both that pass every filter: by score change, largest drop first, then the
  // accounts unscored on a side; ties in the later snapshot's row order.
  std::vector<AccountPair> accounts;

  AccountChange change(const AccountPair& p) const;
  void change(const AccountPair& p, AccountChange& out) const;  // reusing out's arrays
  // change(p).moved(), without the attribution.
  bool moved(const AccountPair& p) const;
};

// `before` and `after` must outlive the result.
ChangesResult compute_changes(const history::Snapshot& before, const history::Snapshot& after,
                              const ChangesOptions& options);

}  // namespace healthc::analysis
