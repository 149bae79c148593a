// What `healthc report` reads over every snapshot of a title: aggregates only (accounts per band
// and score sums per snapshot, SQL GROUP BY on the result table), so a year of snapshots costs
// one small query each, never a whole snapshot read (the latest two are read whole, by Store).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/history/store.h"

namespace healthc::history {

// One snapshot's accounts per band, in its card version's band order (`unscored` last).
struct BandCounts {
  int64_t snapshot_id = 0;
  std::string as_of;
  std::vector<std::string> bands;   // the version's band names
  std::vector<int64_t> accounts;    // [band]
  int64_t scored = 0;               // accounts with a final score
  double score_sum = 0;             // the sum of their final scores
};

// The band counts of each of `snapshots` (as Store::snapshots lists them), in that order. Opens
// its own read-only connection to `path`, all in one read transaction, which must see the store
// at `generation` (Store::generation of the listing's transaction): StoreChanged when a run
// recorded a snapshot since. Throws StoreError.
std::vector<BandCounts> band_counts(const std::string& path, const std::vector<SnapshotInfo>& snapshots,
                                    int64_t generation);

// The score of each of `groups` (their key cells; nullopt: a missing cell) in the roll-up `rollup`
// of each of `snapshot_ids`: [group][snapshot], -1 where that snapshot has no such group or it
// has no score. Reads only key cells and scores (the rollup_groups view), so a roll-up of many
// groups over a year of snapshots costs no memory beyond the answer. Its own connection, at
// `generation` as band_counts. Throws StoreError.
std::vector<std::vector<int32_t>> rollup_group_scores(const std::string& path, const std::vector<int64_t>& snapshot_ids,
                                                      const std::string& rollup,
                                                      const std::vector<std::vector<std::optional<std::string>>>& groups,
                                                      int64_t generation);

}  // namespace healthc::history
