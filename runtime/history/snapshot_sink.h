// The pipeline's history sink (spec "Snapshots and the store", "Alerts"): records every scored
// account of a run into a SnapshotWriter in row order, marks the alerts that fired (active now,
// not active in the previous snapshot) and collects them for the alerts file. The snapshot is
// committed by the caller, only when the whole run succeeded; a failed run drops the writer,
// which rolls back.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/history/past.h"
#include "runtime/history/store.h"
#include "runtime/output.h"
#include "runtime/pipeline/pipeline.h"

namespace healthc::history {

// The alerts that fired in a run, in the spec's order (severity, critical first; then the
// alert's position in the card; then the account's row order), as CSV or JSON Lines rows:
// as_of, KEY, alert, title, severity, segment, score, previous_score, band, previous_band,
// label, reasons.
// One fired alert's cells as the alerts file holds them, from a scored block (the sink) or from the
// store (`healthc alerts --format csv|json`), so both write the same bytes.
struct AlertCells {
  std::string_view as_of, key, alert, title, severity, segment;
  int32_t score = -1, previous_score = -1;  // -1: none
  std::string_view band, previous_band, label, reasons;
};
// The alerts file's CSV header line, the key column named as the card's key field.
std::string alerts_csv_header(std::string_view key_field);
// Appends one alert as a CSV row or a JSON Lines object (its key under `key_field`).
void append_alert(std::string& out, const AlertCells& a, std::string_view key_field, rt::OutputFormat format);

class FiredAlerts {
 public:
  FiredAlerts(const ir::Program& program, std::string as_of, rt::OutputFormat format);
  void add(size_t alert, std::string row) { rows_[alert].push_back(std::move(row)); }
  rt::OutputFormat format() const { return format_; }
  const std::string& as_of() const { return as_of_; }
  size_t count() const;
  // Writes the header (CSV) and every row; false when a write failed.
  bool write(std::FILE* out) const;

 private:
  const ir::Program& program_;
  std::string as_of_;
  rt::OutputFormat format_;
  std::vector<std::vector<std::string>> rows_;  // [alert]
};

class SnapshotSink final : public rt::Sink {
 public:
  // `alerts` may be null (no --alerts file). `past` gives the previous snapshot.
  SnapshotSink(const ir::Program& program, SnapshotWriter& writer, const PastSnapshots& past, FiredAlerts* alerts);
  rt::SinkStatus consume(rt::ScoredBlock& block, std::string& scratch) override;
  std::string error() const override { return error_; }
  uint64_t fired() const { return fired_; }

 private:
  void alert_row(const rt::ScoredBlock& block, size_t row, size_t alert, int64_t prev);

  const ir::Program& program_;
  SnapshotWriter& writer_;
  const PastSnapshots& past_;
  FiredAlerts* alerts_;
  AccountRecord record_;
  uint64_t fired_ = 0;
  std::string error_;
};

}  // namespace healthc::history
