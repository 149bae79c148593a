// What scoring a data file with a card shows about the card: how accounts spread over segments
// and bands, how often each measure goes unscored and what scores it gives, how often each
// override fires. Built block by block from BlockScores (with detail), so memory stays flat
// however large the data; the data rules (data_rules.cpp, W6xx) and `healthc lint --data`'s
// summary read it.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/scorecard.h"
#include "runtime/io/record_reader.h"

namespace healthc::lint {

// The data rules' thresholds; docs/lint.md ("Data-aware lint") gives the reasons.
// A rule stays silent when the accounts it counts over (all of them, a measure's model's, an
// override's segments') are fewer than this: a share of a handful of accounts says nothing.
inline constexpr uint64_t kMinAccounts = 20;
// W602 unscored-measure: unscored for more than this share of the accounts whose model uses it.
inline constexpr double kUnscoredShare = 0.30;
// W605 dominant-override: fires for more than this share of the accounts it can apply to.
inline constexpr double kDominantOverrideShare = 0.25;
// W606 small-segment: gets some accounts, but less than this share of them.
inline constexpr double kSmallSegmentShare = 0.05;
// W609 rollup-weight-missing: the weight field is missing for more than this share of the
// accounts (they weigh 0: the group's score and band come from the others).
inline constexpr double kMissingWeightShare = 0.5;

struct MeasureProfile {
  bool in_some_model = false;  // some model's tree holds the measure (after `extends`)
  uint64_t in_model = 0;       // accounts whose model holds the measure
  uint64_t scored = 0;         // of those, the accounts with a score on it
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0;  // of the scores counted in `scored`
  uint64_t unscored() const { return in_model - scored; }
  double mean() const { return scored ? sum / static_cast<double>(scored) : std::numeric_limits<double>::quiet_NaN(); }
};

// One of the card's roll-ups over the data (W608, W609): its groups' keys counted, grouped as
// analysis::RollupBuilder groups (a few bytes a group, where the builder keeps every figure).
struct RollupProfile {
  uint64_t accounts = 0;
  uint64_t groups = 0;
  uint64_t largest_group = 0;   // accounts in the largest group
  uint64_t weight_missing = 0;  // accounts whose weight field is missing (0 without a weight)
};

struct OverrideProfile {
  uint64_t eligible = 0;  // accounts in a segment of its `for` list (every account without one)
  uint64_t fired = 0;     // accounts it applied to: the first override whose condition held
};

class DataProfile {
 public:
  explicit DataProfile(const ir::Program& program);

  // Counts every row of a block scored with detail (Scorecard::score(..., detail = true, ...)).
  void add(const BlockScores& scores);
  // The same rows' roll-up groups (`block` is what was scored; its by and weight fields are all
  // that is read); finish() once every block is in fills `rollups`.
  void add_rollups(const rt::ColumnBlock& block, const BlockScores& scores);
  void finish();
  void add_rejected(uint64_t n) { rejected += n; }

  uint64_t accepted = 0;  // rows read and scored (with or without a score)
  uint64_t rejected = 0;  // rows that could not be read
  uint64_t scored = 0;    // accepted rows with a score
  uint64_t unscored() const { return accepted - scored; }
  uint64_t read() const { return accepted + rejected; }

  std::vector<uint64_t> segments;  // [segment]; the last entry is `default`
  std::vector<uint64_t> bands;     // [band]; the last entry is `unscored`
  std::vector<MeasureProfile> measures;
  std::vector<OverrideProfile> overrides;
  std::vector<RollupProfile> rollups;  // [Program::rollups], after finish()

 private:
  const ir::Program* program_;
  std::vector<std::unordered_map<std::string, uint64_t>> rollup_groups_;  // [roll-up]: encoded key -> accounts
  std::vector<uint64_t> weight_missing_;
  std::vector<std::vector<uint8_t>> model_holds_;  // [model][measure]
  std::vector<int32_t> segment_model_;             // [segment, then default] -> model
  std::vector<std::vector<uint8_t>> eligible_;     // [override][segment, then default]
};

// Streams DATA through `card`: reads it block by block, scores each block with detail and adds
// it to `profile`. Rejected rows are counted (and passed to `on_reject`, in input order), not
// fatal. False with `error` set when the data cannot be read at all (a header without a field,
// a read error).
struct ProfileOptions {
  double as_of = 0;             // days since 1970-01-01
  size_t block_rows = 16384;
  std::function<void(const rt::Reject&)> on_reject;
};
bool profile_data(const Scorecard& card, rt::RecordReader& reader, const ProfileOptions& options,
                  DataProfile& profile, std::string& error);

}  // namespace healthc::lint
