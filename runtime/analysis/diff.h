// What changing a scorecard does to real accounts, as a library function: both cards score the
// same data set; the result is the band transition matrix, segment changes, the distribution
// of score changes, the top movers with the measures that moved them, and which labels and
// overrides fire more or less. `healthc diff` renders it as text, JSON or Markdown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runtime/pipeline/dataset.h"
#include "runtime/scorecard.h"

namespace healthc::analysis {

// Every way the two cards' fields differ (`old_name`/`new_name` name them in the sentences);
// empty when they read the same data the same way, which diff_cards needs.
std::vector<std::string> field_differences(const ir::Program& old_card, const ir::Program& new_card,
                                           const std::string& old_name, const std::string& new_name);

struct Mover {
  size_t row = 0;  // among the accepted rows
  std::string key;
  int32_t old_score = 0, new_score = 0;
  std::string old_band, new_band, old_override, new_override;  // "(none)" without an override
  std::vector<std::pair<std::string, double>> measures;  // largest contribution changes first, at most 3
};

struct NameCount {
  std::string name;
  size_t old_count = 0, new_count = 0;
};

struct ChangeBin {
  std::string label;  // "0", "+1..+5", "-10..-6"
  size_t count = 0;
};

struct CardDiff {
  std::string error;  // scoring failed (out of memory, a failed compile): nothing else is set
  size_t rows = 0, rejected = 0;  // accepted and rejected rows of the data set
  size_t scored_by_both = 0, old_only = 0, new_only = 0;
  size_t band_changed = 0, moved_up = 0, moved_down = 0, band_changed_same_score = 0, segment_changed = 0;
  // [OLD's band, then unscored][NEW's band, then unscored], with their names.
  std::vector<std::vector<size_t>> matrix;
  std::vector<std::string> old_bands, new_bands;
  bool unscored_row_used = false, unscored_column_used = false;
  std::map<std::pair<std::string, std::string>, size_t> segment_moves;  // (old, new) -> accounts
  // Score changes (new - old) over the accounts scored by both.
  double mean_change = 0, mean_abs_change = 0;
  size_t changed = 0;
  std::vector<std::pair<std::string, double>> quantiles;  // min, p5, p25, median, p75, p95, max
  std::vector<ChangeBin> histogram;  // unchanged accounts alone in the middle, equal bins either side
  std::vector<Mover> movers;         // largest |change| first, then file order
  std::vector<NameCount> labels, overrides;  // names in first-seen order, OLD's first, then "(none)"
};

struct DiffOptions {
  double as_of = 0;
  int threads = 1;
  size_t top = 10;  // movers to list
};

// `data` was read with `old_card`'s schema; the cards' fields must not differ
// (field_differences empty).
CardDiff diff_cards(const Scorecard& old_card, const Scorecard& new_card, const rt::Dataset& data,
                    const DiffOptions& options);

}  // namespace healthc::analysis
