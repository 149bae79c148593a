// Why a score changed (spec "Why a score changed"): one account's change between two snapshots
// split exactly into per-measure contributions (by score and by weight), rounding and override
// effects, with the segment, model, band, label and override changes named. Pure: records in, result out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/history/store.h"

namespace healthc::analysis {

// The measures of two card versions matched by name: the later card's in its file order, then
// the ones only the earlier card had, in its order. index1/index2: into each side's measure
// arrays, -1 where that side's card has no such measure.
struct MeasureMatch {
  std::vector<std::string> names;
  std::vector<int32_t> index1, index2;
};
MeasureMatch match_measures(const history::CardNames& before, const history::CardNames& after);

// One side of the change. Names are read through the side's CardNames (the card version that
// scored it), so two versions compare by name; label and override are "" where there is none.
struct SideSummary {
  const history::CardNames* names = nullptr;
  int32_t score = -1;     // final score, -1 unscored
  int32_t weighted = -1;  // rounded weighted score before overrides, -1 unscored
  int32_t segment_index = 0, band_index = 0, label_index = -1, override_index = -1;
  std::string_view segment() const;
  std::string_view model() const;  // "" where the store did not record the segment's model
  std::string_view band() const;
  std::string_view label() const;
  std::string_view override_name() const;
  double raw = 0;         // sum of w*s over the measures (0 where unscored)
  double rounding = 0;    // weighted - raw; NaN where there is no weighted score
  double override_effect = 0;  // score - weighted; NaN where there is no weighted score
};

struct AccountChange {
  std::string_view key;  // the later record's key (the records outlive the change)
  int64_t row1 = 0, row2 = 0;
  SideSummary before, after;
  // Both sides have a weighted score: the contributions below are filled (one per
  // MeasureMatch name); otherwise they are empty and the change is not attributed.
  bool attributed = false;
  std::vector<double> contribution, by_score, by_weight;

  bool scored_both() const { return before.score >= 0 && after.score >= 0; }
  int32_t score_change() const { return after.score - before.score; }  // only when scored_both()
  bool segment_changed() const { return before.segment() != after.segment(); }
  // The model changed (a new segment, or the card now scores the segment with another model);
  // never where a side's store did not record it.
  bool model_changed() const {
    return !before.model().empty() && !after.model().empty() && before.model() != after.model();
  }
  bool band_changed() const { return before.band() != after.band(); }
  bool label_changed() const { return before.label() != after.label(); }
  bool override_changed() const { return before.override_name() != after.override_name(); }
  // Anything a reader of `changes` should see: a score, band, segment, model, label or override change.
  bool moved() const;
};

// One line of a change's explanation as `healthc changes` and `healthc report` show it.
struct AttributionLine {
  std::string name;  // a measure, `rounding`, or `override A -> B` (`override A` when it stayed)
  double change = 0;
  double by_score = 0, by_weight = 0;  // NaN for rounding and override
};

// The lines worth showing of an attributed change: each measure of `match` whose contribution,
// by score or by weight is not zero (up to floating-point noise), in match order, then the
// rounding, then the override effect (also when only the override's name changed).
std::vector<AttributionLine> attribution_lines(const MeasureMatch& match, const AccountChange& c);

// The attribution of one account present in both snapshots.
AccountChange attribute(const history::AccountRecord& before, const history::CardNames& names1,
                        const history::AccountRecord& after, const history::CardNames& names2,
                        const MeasureMatch& match);
// The same into `out`, reusing its arrays (a million accounts, one allocation).
void attribute(const history::AccountRecord& before, const history::CardNames& names1,
               const history::AccountRecord& after, const history::CardNames& names2, const MeasureMatch& match,
               AccountChange& out);

}  // namespace healthc::analysis
