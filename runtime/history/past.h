// What a run reads from the store before it scores (spec "Reading the past in expressions"):
// the previous snapshot of its title (for fired alerts and the previous_score column) and the
// snapshots its program's history inputs need, mapped by name onto the run's program. Loaded
// once, before the run's own snapshot is begun, so the snapshot being replaced is never read;
// afterwards read-only, so any number of workers may fill blocks at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/history/store.h"
#include "runtime/output.h"
#include "runtime/scorecard.h"

namespace healthc::history {

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class PastSnapshots final : public HistoryProvider, public rt::PreviousScores {
 public:
  // `store` null: a run without a store (every past value missing). The previous snapshot is
  // loaded when the program has alerts (firing is against it), reads the past, or
  // `want_previous` (the previous_score column). Throws StoreError.
  PastSnapshots(const Store* store, const std::string& title, int32_t as_of_days, const ir::Program& program,
                bool want_previous = false);

  bool has_previous() const { return previous_ >= 0; }
  // The previous snapshot's info whether or not it was loaded (nullopt: the first snapshot).
  const std::optional<SnapshotInfo>& previous_snapshot() const { return previous_snapshot_; }
  const SnapshotInfo& previous_info() const { return loaded_[static_cast<size_t>(previous_)].info; }

  // The account in the previous snapshot, or -1 when it is not there.
  int64_t previous_row(std::string_view key) const;
  int32_t previous_score(int64_t row) const;      // -1: unscored
  uint64_t previous_alerts(int64_t row) const;    // the alerts active then, as bits of this program's alerts
  std::string_view previous_band(int64_t row) const;

  void fill(const rt::ColumnBlock& block, HistoryColumns& out) const override;
  int32_t previous_score(std::string_view key) const override { return previous_score(previous_row(key)); }

 private:
  struct Loaded {
    SnapshotInfo info;
    std::unordered_map<std::string, uint32_t, KeyHash, std::equal_to<>> rows;  // key -> account
    std::vector<std::string> band_names;
    std::vector<int32_t> score, band;
    std::vector<uint64_t> alerts;  // mapped to this program's alert bits
  };
  struct Column {
    size_t snapshot = 0;
    std::vector<double> value;  // [account of that snapshot]
    std::vector<uint8_t> valid;
  };
  size_t load(const Store& store, const SnapshotInfo& info, const ir::Program& p, const std::vector<size_t>& inputs);

  int32_t key_field_ = -1;
  std::vector<Loaded> loaded_;
  int previous_ = -1;
  std::optional<SnapshotInfo> previous_snapshot_;
  std::vector<Column> columns_;  // [history input]; empty snapshot list: every value missing
  std::vector<bool> column_present_;
};

}  // namespace healthc::history
