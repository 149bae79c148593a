// How `healthc rollup` lays out one recorded roll-up with its change since the previous
// snapshot: text and Markdown tables worst score first, the spec's CSV file, JSON. Rendering
// only: the command reads the store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/driver/history_report.h"
#include "runtime/analysis/rollup.h"

namespace healthc::driver {

struct RollupView {
  std::string scorecard;             // the card's title
  std::string as_of;                 // the snapshot's date
  std::optional<std::string> previous_as_of;  // the previous snapshot's date, if any
  bool previous_has_rollup = false;  // the previous snapshot recorded this roll-up
  analysis::RollupTable table;       // score_change set against the previous snapshot
};

// Text and Markdown: groups by score, lowest first (unscored groups last), ties in key order;
// a missing cell shows as `(missing)`, an empty one as `""`. CSV: analysis::rollup_csv with the
// score_change column. JSON: one object, groups in key order.
void render_rollup(const RollupView& v, HistoryFormat format, std::string& out);

// The groups' order in text and Markdown: indices into table.groups, worst score first.
std::vector<size_t> worst_first(const analysis::RollupTable& t);

}  // namespace healthc::driver
