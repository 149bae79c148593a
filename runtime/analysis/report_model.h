// `healthc report`: the figures of the morning report, apart from their rendering. Built from the
// latest and the previous snapshot (read whole), the band counts of every snapshot (aggregates),
// the roll-ups recorded with each snapshot and, optionally, an outcome per account. The driver
// renders the model as one HTML page or dumps it as JSON (the golden check tests the figures).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/analysis/attribution.h"
#include "runtime/analysis/rates.h"
#include "runtime/analysis/rollup.h"
#include "runtime/history/report_queries.h"
#include "runtime/history/store.h"

namespace healthc::analysis {

// How long each list may grow: a store of millions of accounts still gives a page people read.
struct ReportLimits {
  size_t alerts = 50;          // fired alerts listed (all are counted)
  size_t movers = 10;          // accounts each way
  size_t groups = 25;          // roll-up groups per table
  size_t segments = 30;        // segments in the per-segment chart
  size_t stale_accounts = 20;  // accounts with a stale input listed
};

struct ReportInputs {
  const history::Snapshot* latest = nullptr;    // required
  const history::Snapshot* previous = nullptr;  // the snapshot before it; null: none
  // Every snapshot of the title up to the latest, oldest first (history::band_counts).
  std::vector<history::BandCounts> over_time;
  // The roll-ups recorded with each snapshot of over_time, in the same order (Store::rollups);
  // empty, or all empty, when the store has none. Only the last two (the latest and previous
  // snapshots) are needed when `trends` is given.
  std::vector<std::vector<RollupTable>> rollups;
  // The score of each of a latest roll-up's `groups` (indices into table.groups) in every
  // snapshot of over_time: [group][snapshot], -1 where absent (history::rollup_group_scores).
  // Null: the trends are taken from `rollups`.
  std::function<std::vector<std::vector<int32_t>>(const RollupTable& table, const std::vector<size_t>& groups)> trends;
  // An account's reasons as `healthc score` prints them (the driver's record_reasons).
  std::function<std::string(const history::AccountRecord&, const history::CardNames&)> reasons;
  // --outcome FILE COL: the outcome per account key (true: positive); nullopt: no outcome.
  std::optional<std::unordered_map<std::string, bool>> outcome;
  std::string outcome_file, outcome_column;
  ReportLimits limits;
};

// A list cut at a limit: `total` says how many there were ("and 12,345 more").
struct BandFigure {
  std::string band;
  int64_t accounts = 0;
  int64_t previous_accounts = -1;  // -1: no previous snapshot
  double weight = 0, previous_weight = 0;  // with a weight (Headline::weight_field)
};

struct Headline {
  int64_t accounts = 0, previous_accounts = -1;
  int64_t new_accounts = 0, gone_accounts = 0;  // against the previous snapshot
  double mean_score = 0, previous_mean_score = 0;  // NaN: nothing scored
  // The weight per band: the first weighted roll-up's field (ARR) summed over its groups, else
  // empty (weights are counts of accounts).
  std::string weight_field, weight_rollup;
  bool previous_weight = false;  // the previous snapshot has that roll-up too
  std::vector<BandFigure> bands;  // the latest card's bands, `unscored` last
};

struct BandsOverTime {
  std::vector<std::string> bands;                // the latest card's, then any older name
  std::vector<std::string> dates;                // oldest first
  std::vector<std::vector<int64_t>> accounts;    // [date][band]
  std::vector<double> mean_score;                // [date]; NaN: nothing scored
};

struct SegmentBands {
  std::string segment;
  std::vector<int64_t> accounts;  // [band], Headline::bands order
};

struct ScoreHistogram {
  // Ten bins of ten points: [0,10), ..., [80,90), [90,100].
  std::vector<int64_t> now, previous;  // previous empty without a previous snapshot
};

struct AlertRow {
  std::string severity, alert, title, account, segment, band, previous_band, reasons;
  int32_t score = -1, previous_score = -1;  // -1: unscored or not there
};

struct AlertCount {
  std::string alert, title, severity;
  int64_t fired = 0;
};

struct AlertsSection {
  std::vector<int64_t> by_severity;  // [ir::Severity], info .. critical
  std::vector<AlertCount> by_alert;  // the card's alerts in file order
  int64_t total = 0;
  std::vector<AlertRow> shown;       // the spec's order, the first ReportLimits::alerts
};

struct ReportMover {
  std::string account, segment, band_before, band_after;
  int32_t before = -1, after = -1;
  std::vector<AttributionLine> lines;  // as `healthc changes` shows them; empty when not attributed
  std::string note;                    // why it is not attributed
};

struct ReportMovers {
  int64_t in_both = 0, down_total = 0, up_total = 0;
  std::vector<ReportMover> down, up;  // largest change first
};

struct RollupRow {
  std::string group;              // the `by` values, ` / `-joined; a missing value is `(missing)`
  int64_t accounts = 0, scored = 0;
  int32_t score = -1;             // -1: unscored
  std::string band, min_account;
  int32_t min_score = -1;
  double weight = 0;              // the sum of its accounts' weights (the count without a weight)
  double low_weight = 0;          // the weight in the lowest band
  std::optional<int32_t> change;  // since the previous snapshot's roll-up
  std::vector<int32_t> trend;     // its score per snapshot, oldest first; -1: no group or unscored
};

struct RollupSection {
  std::string name, title, weight;  // weight: the field, empty without one
  std::vector<std::string> by;
  std::string low_band;             // the lowest band's name
  int64_t groups_total = 0;
  std::vector<RollupRow> shown;     // worst first (lowest score; unscored groups last)
};

struct StaleRow {
  std::string group;               // a segment
  int64_t accounts = 0;
  std::vector<int64_t> stale;      // [stale measure]
};

struct StaleAccount {
  std::string account, segment, measures;  // measures `;`-separated, file order
};

struct StaleSection {
  bool present = false;            // the latest card has a `stale after` rule
  std::vector<std::string> measures;
  std::vector<int64_t> now, previous;  // [measure]; previous empty without a previous snapshot
  int64_t newly_stale = 0;         // accounts stale now that were not (or absent) before
  std::string grouped_by;          // "segment": the store records no per-account field values
  std::vector<StaleRow> rows;
  int64_t stale_accounts = 0;
  std::vector<StaleAccount> shown;
};

struct OutcomeBand {
  std::string band;
  Rate rate;
  double lift = 0;  // NaN when either rate is empty
};

struct OutcomeSection {
  bool present = false;
  std::string file, column;
  int64_t matched = 0, without_outcome = 0, not_in_snapshot = 0;
  Rate base;
  std::vector<OutcomeBand> bands;
};

struct ReportModel {
  std::string title, as_of, previous_as_of;  // previous_as_of empty: none
  std::string card_hash;
  int64_t snapshots = 0;
  Headline headline;
  std::vector<std::string> band_colors;  // the card's colour per Headline band ("" for none)
  BandsOverTime over_time;
  std::vector<SegmentBands> segments;
  int64_t segments_total = 0;
  ScoreHistogram histogram;
  AlertsSection alerts;
  bool has_alerts = false;  // the latest card has alerts
  ReportMovers movers;
  std::vector<RollupSection> rollups;
  StaleSection stale;
  OutcomeSection outcome;
};

// Throws std::invalid_argument when `in.latest` is null.
ReportModel build_report(const ReportInputs& in);

}  // namespace healthc::analysis
