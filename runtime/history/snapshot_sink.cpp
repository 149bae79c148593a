// Recording a run's accounts into the store, and the alerts that fired (snapshot_sink.h).
#include "runtime/history/snapshot_sink.h"
#include "runtime/history/snapshot_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>

namespace healthc::history {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();


}  // namespace

FiredAlerts::FiredAlerts(const ir::Program& program, std::string as_of, rt::OutputFormat format)
    : program_(program), as_of_(std::move(as_of)), format_(format), rows_(program.alerts.size()) {}

size_t FiredAlerts::count() const {
  size_t n = 0;
  for (const auto& r : rows_) n += r.size();
  return n;
}

std::string alerts_csv_header(std::string_view key_field) {
  std::string out = "as_of,";
  rt::append_csv(out, key_field);
  out += ",alert,title,severity,segment,score,previous_score,band,previous_band,label,reasons\n";
  return out;
}

void append_alert(std::string& out, const AlertCells& a, std::string_view key_field, rt::OutputFormat format) {
  if (format == rt::OutputFormat::Csv) {
    auto cell = [&](std::string_view v, bool last = false) {
      rt::append_csv(out, v);
      out.push_back(last ? '\n' : ',');
    };
    auto num = [&](int32_t v) {
      if (v >= 0) fmt::format_to(std::back_inserter(out), "{}", v);
      out.push_back(',');
    };
    cell(a.as_of);
    cell(a.key);
    cell(a.alert);
    cell(a.title);
    cell(a.severity);
    cell(a.segment);
    num(a.score);
    num(a.previous_score);
    cell(a.band);
    cell(a.previous_band);
    cell(a.label);
    cell(a.reasons, true);
    return;
  }
  bool first = true;
  auto str = [&](std::string_view name, std::string_view v, bool null_if_empty = false) {
    out += first ? "{" : ",";
    first = false;
    rt::append_json_string(out, name);
    out.push_back(':');
    if (null_if_empty && v.empty()) out += "null";
    else rt::append_json_string(out, v);
  };
  auto num = [&](std::string_view name, int32_t v) {
    out += ",";
    rt::append_json_string(out, name);
    if (v < 0) out += ":null";
    else fmt::format_to(std::back_inserter(out), ":{}", v);
  };
  str("as_of", a.as_of);
  str(key_field, a.key);
  str("alert", a.alert);
  str("title", a.title);
  str("severity", a.severity);
  str("segment", a.segment);
  num("score", a.score);
  num("previous_score", a.previous_score);
  str("band", a.band);
  str("previous_band", a.previous_band, true);
  str("label", a.label, true);
  str("reasons", a.reasons);
  out += "}\n";
}

bool FiredAlerts::write(std::FILE* out) const {
  if (format_ == rt::OutputFormat::Csv) {
    const std::string header = alerts_csv_header(program_.fields[static_cast<size_t>(program_.key_field)].name);
    if (std::fwrite(header.data(), 1, header.size(), out) != header.size()) return false;
  }
  // Critical first; within a severity, the alerts' order in the card.
  for (int sev = static_cast<int>(ir::Severity::Critical); sev >= 0; --sev)
    for (size_t a = 0; a < rows_.size(); ++a) {
      if (static_cast<int>(program_.alerts[a].severity) != sev) continue;
      for (const std::string& row : rows_[a])
        if (std::fwrite(row.data(), 1, row.size(), out) != row.size()) return false;
    }
  return std::fflush(out) == 0 && !std::ferror(out);
}

SnapshotSink::SnapshotSink(const ir::Program& program, SnapshotWriter& writer, const PastSnapshots& past,
                           FiredAlerts* alerts)
    : program_(program), writer_(writer), past_(past), alerts_(alerts) {
  const size_t m = program.measures.size();
  record_.m_value.resize(m);
  record_.m_score.resize(m);
  record_.m_weight.resize(m);
}

void SnapshotSink::alert_row(const rt::ScoredBlock& b, size_t row, size_t alert, int64_t prev) {
  const ir::Program& p = program_;
  const ir::Alert& a = p.alerts[alert];
  const BlockScores& s = b.scores;
  const std::string_view key = b.block.text[static_cast<size_t>(p.key_field)][row].view();
  const int32_t seg = s.segment[row];
  const std::string_view segment =
      seg < static_cast<int32_t>(p.segments.size()) ? std::string_view(p.segments[static_cast<size_t>(seg)].name) : "default";
  const int32_t bi = s.band[row];
  const std::string_view band =
      bi < static_cast<int32_t>(p.bands.size()) ? std::string_view(p.bands[static_cast<size_t>(bi)].name) : "unscored";
  const std::string_view label = s.label[row] < 0 ? std::string_view() : p.labels[static_cast<size_t>(s.label[row])].name;
  const int32_t prev_score = past_.previous_score(prev);
  const std::string_view prev_band = past_.previous_band(prev);
  const std::string reasons = rt::reasons_text(p, s, row);
  AlertCells cells;
  cells.as_of = alerts_->as_of();
  cells.key = key;
  cells.alert = a.name;
  cells.title = a.title;
  cells.severity = severity_name(a.severity);
  cells.segment = segment;
  cells.score = s.score[row];
  cells.previous_score = prev_score;
  cells.band = band;
  cells.previous_band = prev_band;
  cells.label = label;
  cells.reasons = reasons;
  std::string out;
  append_alert(out, cells, p.fields[static_cast<size_t>(p.key_field)].name, alerts_->format());
  alerts_->add(alert, std::move(out));
}

rt::SinkStatus SnapshotSink::consume(rt::ScoredBlock& b, std::string&) {
  const ir::Program& p = program_;
  const BlockScores& s = b.scores;
  const size_t rows = b.block.rows;
  const size_t measures = p.measures.size();
  const auto& keys = b.block.text[static_cast<size_t>(p.key_field)];
  // A card without alerts or stale rules leaves the masks unwritten (runtime/scorecard.h).
  const bool has_alerts = !p.alerts.empty(), has_stale = !p.stale_rules.empty();
  try {
    for (size_t r = 0; r < rows; ++r) {
      AccountRecord& a = record_;
      a.key.assign(keys[r].view());
      a.row = static_cast<int64_t>(b.first_row + r);
      a.segment = s.segment[r];
      a.score = s.score[r];
      a.weighted = s.weighted_score.size() > r ? s.weighted_score[r] : -1;
      a.band = s.band[r];
      a.label = s.label[r];
      a.override_ = s.override_[r];
      a.alerts_active = has_alerts && s.alerts_active.size() > r ? s.alerts_active[r] : 0;
      a.stale = has_stale && s.stale.size() > r ? s.stale[r] : 0;
      const int64_t prev = past_.previous_row(keys[r].view());
      a.alerts_fired = a.alerts_active & ~past_.previous_alerts(prev);
      for (size_t m = 0; m < measures; ++m) {
        const size_t at = m * s.rows + r;
        a.m_value[m] = s.detail && s.m_value_valid[at] ? s.m_value[at] : kNaN;
        a.m_score[m] = s.detail && s.m_score_valid[at] ? s.m_score[at] : kNaN;
        a.m_weight[m] = s.detail && s.m_weight_valid[at] ? s.m_weight[at] : kNaN;
      }
      writer_.add(a);
      if (a.alerts_fired) {
        for (size_t al = 0; al < p.alerts.size() && al < 64; ++al)
          if (a.alerts_fired >> al & 1) {
            ++fired_;
            if (alerts_) alert_row(b, r, al, prev);
          }
      }
    }
  } catch (const StoreError& e) {
    error_ = e.what();
    return rt::SinkStatus::Failed;
  }
  return rt::SinkStatus::Continue;
}

}  // namespace healthc::history
