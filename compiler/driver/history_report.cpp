// `healthc history` and `healthc alerts` output, and the cell helpers the three store readers
// share (changes_report.cpp renders `healthc changes`).
#include "compiler/driver/history_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "compiler/driver/cli.h"
#include "compiler/driver/history_report_cells.h"
#include "compiler/driver/report.h"
#include "runtime/history/snapshot_sink.h"
#include "runtime/output.h"

namespace healthc::driver {

HistoryFormat to_history_format(Format f) {
  switch (f) {
    case Format::Csv: return HistoryFormat::Csv;
    case Format::Json: return HistoryFormat::Json;
    case Format::Markdown: return HistoryFormat::Markdown;
    default: return HistoryFormat::Text;
  }
}

bool parse_history_format(const std::string& s, HistoryFormat& out) {
  if (s == "text") out = HistoryFormat::Text;
  else if (s == "csv") out = HistoryFormat::Csv;
  else if (s == "json") out = HistoryFormat::Json;
  else if (s == "markdown" || s == "md") out = HistoryFormat::Markdown;
  else return false;
  return true;
}

namespace cells {

void csv(std::string& out, std::string_view s) { rt::append_csv(out, s); }

std::string number(double v) {
  std::string s;
  if (!std::isnan(v)) rt::append_number(s, v == 0 ? 0.0 : v);  // no "-0"
  return s;
}

std::string score(int32_t s) { return s < 0 ? std::string() : std::to_string(s); }

void json_number(std::string& out, double v) {
  // JSON has no inf or NaN: missing (and, should one reach here, out of range) is null.
  if (!std::isfinite(v)) out += "null";
  else rt::append_number(out, v == 0 ? 0.0 : v);
}

void json_score(std::string& out, int32_t s) { out += s < 0 ? std::string("null") : std::to_string(s); }

void json_string_or_null(std::string& out, std::string_view s) {
  if (s.empty()) out += "null";
  else rt::append_json_string(out, s);
}

}  // namespace cells

std::string sparkline(const std::vector<int32_t>& scores) {
  static const char* kBlocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  std::string out;
  for (int32_t s : scores) out += s < 0 ? " " : kBlocks[std::min(s, 100) * 7 / 100];
  return out;
}

std::string record_reasons(const history::AccountRecord& r, const history::CardNames& names) {
  struct Lost {
    size_t measure;
    double points;
  };
  std::vector<Lost> lost;
  for (size_t m = 0; m < r.m_score.size() && m < r.m_weight.size(); ++m) {
    if (std::isnan(r.m_score[m]) || std::isnan(r.m_weight[m])) continue;
    const double points = r.m_weight[m] * (100.0 - r.m_score[m]);
    if (points > 0) lost.push_back({m, points});
  }
  std::stable_sort(lost.begin(), lost.end(), [](const Lost& a, const Lost& b) { return a.points > b.points; });
  std::string out;
  for (size_t i = 0; i < lost.size() && i < 3; ++i)
    out += fmt::format("{}{} -{:.1f}", i ? "; " : "", cells::name_at(names.measures, static_cast<int32_t>(lost[i].measure)),
                       lost[i].points);
  return out;
}

std::string render_history(const history::AccountHistory& h, const std::string& title, const std::string& key,
                           HistoryFormat format, const std::vector<std::string>& all_dates) {
  // Measures of every version met, by name: the latest version's order, then older ones'.
  std::vector<std::string> measures;
  std::unordered_map<std::string, size_t> column;
  for (auto it = h.entries.rbegin(); it != h.entries.rend(); ++it)
    for (const auto& m : it->names->measures)
      if (column.emplace(m, measures.size()).second) measures.push_back(m);
  // The alerts that fired and the stale measures, where a card version met has any.
  bool with_alerts = false, with_stale = false;
  for (const auto& n : h.names) with_alerts |= !n->alerts.empty(), with_stale |= !n->stale_measures.empty();
  auto mask_names = [](uint64_t mask, const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (size_t i = 0; i < names.size() && i < 64; ++i)
      if ((mask >> i) & 1) out.push_back(names[i]);
    return out;
  };
  auto joined = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ";") + x;
    return s;
  };
  struct Row {
    std::vector<std::string> cells;  // date, score, change, band, label, override
    std::vector<std::string> fired, stale;
    std::vector<double> m_score;     // by `measures`
  };
  std::vector<Row> rows;
  std::vector<int32_t> scores;
  // The change is against the previous snapshot (spec: score_change), so only where the
  // account's entry before is the store's snapshot just before this one.
  std::unordered_map<std::string, std::string> date_before;
  for (size_t i = 1; i < all_dates.size(); ++i) date_before[all_dates[i]] = all_dates[i - 1];
  int32_t last = -1;
  const std::string* last_date = nullptr;
  for (const auto& e : h.entries) {
    const auto& r = e.record;
    const auto& n = *e.names;
    Row row;
    std::string change;
    const auto before = date_before.find(e.info.as_of);
    const bool consecutive =
        last_date && (all_dates.empty() || (before != date_before.end() && before->second == *last_date));
    if (consecutive && last >= 0 && r.score >= 0) change = std::to_string(r.score - last);
    row.cells = {e.info.as_of,
                 cells::score(r.score),
                 change,
                 std::string(cells::name_at(n.bands, r.band)),
                 r.label < 0 ? "" : std::string(cells::name_at(n.labels, r.label)),
                 r.override_ < 0 ? "" : std::string(cells::name_at(n.overrides, r.override_))};
    row.fired = mask_names(r.alerts_fired, n.alerts);
    row.stale = mask_names(r.stale, n.stale_measures);
    row.m_score.assign(measures.size(), std::nan(""));
    for (size_t m = 0; m < n.measures.size() && m < r.m_score.size(); ++m) row.m_score[column[n.measures[m]]] = r.m_score[m];
    rows.push_back(std::move(row));
    scores.push_back(r.score);
    last = r.score;
    last_date = &e.info.as_of;
  }
  static const char* kHeader[] = {"as_of", "score", "change", "band", "label", "override"};
  std::string out;
  if (format == HistoryFormat::Csv) {
    for (size_t i = 0; i < 6; ++i) out += i ? std::string(",") + kHeader[i] : kHeader[i];
    if (with_alerts) out += ",alerts_fired";
    if (with_stale) out += ",stale";
    for (const auto& m : measures) out += ",", cells::csv(out, m + ".score");
    out += "\n";
    for (const auto& row : rows) {
      for (size_t i = 0; i < row.cells.size(); ++i) {
        if (i) out += ",";
        cells::csv(out, row.cells[i]);
      }
      if (with_alerts) out += ",", cells::csv(out, joined(row.fired));
      if (with_stale) out += ",", cells::csv(out, joined(row.stale));
      for (double s : row.m_score) out += "," + cells::number(s);
      out += "\n";
    }
    return out;
  }
  if (format == HistoryFormat::Json) {
    out += "{\"scorecard\":";
    rt::append_json_string(out, title);
    out += ",\"account\":";
    rt::append_json_string(out, key);
    out += ",\"snapshots\":[";
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& row = rows[i];
      out += i ? ",{" : "{";
      out += "\"as_of\":";
      rt::append_json_string(out, row.cells[0]);
      out += ",\"score\":";
      cells::json_score(out, scores[i]);
      out += ",\"change\":";
      out += row.cells[2].empty() ? "null" : std::to_string(std::stoi(row.cells[2]));
      for (size_t c = 3; c < 6; ++c) {
        out += ",\"", out += kHeader[c], out += "\":";
        cells::json_string_or_null(out, row.cells[c]);
      }
      for (const auto& [name, list] : {std::pair{"alerts_fired", &row.fired}, std::pair{"stale", &row.stale}}) {
        out += ",\"", out += name, out += "\":[";
        for (size_t k = 0; k < list->size(); ++k) {
          if (k) out += ",";
          rt::append_json_string(out, (*list)[k]);
        }
        out += "]";
      }
      out += ",\"measures\":{";
      bool first = true;
      for (size_t m = 0; m < measures.size(); ++m) {
        out += first ? "" : ",";
        first = false;
        rt::append_json_string(out, measures[m]);
        out += ":";
        cells::json_number(out, row.m_score[m]);
      }
      out += "}}";
    }
    out += "]}\n";
    return out;
  }
  // Text (Markdown is text here: a history is a short table either way).
  out += fmt::format("account {} in \"{}\": {} snapshot{}\n", key, title, rows.size(), rows.size() == 1 ? "" : "s");
  if (!rows.empty()) out += fmt::format("score {}\n", sparkline(scores));
  Table t;
  t.header.assign(std::begin(kHeader), std::end(kHeader));
  t.align = "lrrlll";
  if (with_alerts) t.header.push_back("fired"), t.align += 'l';
  if (with_stale) t.header.push_back("stale"), t.align += 'l';
  for (const auto& m : measures) t.header.push_back(m);
  t.align += std::string(measures.size(), 'r');
  for (const auto& row : rows) {
    std::vector<std::string> cellsv = row.cells;
    if (!cellsv[2].empty() && cellsv[2][0] != '-') cellsv[2].insert(0, "+");  // the text shows the sign
    for (size_t c = 1; c < 6; ++c)
      if (cellsv[c].empty()) cellsv[c] = c == 1 ? "unscored" : "-";
    if (with_alerts) cellsv.push_back(row.fired.empty() ? "-" : joined(row.fired));
    if (with_stale) cellsv.push_back(row.stale.empty() ? "-" : joined(row.stale));
    for (double s : row.m_score) cellsv.push_back(std::isnan(s) ? "-" : fmt_fixed(s, 1));
    t.rows.push_back(std::move(cellsv));
  }
  out += render_table(t, format == HistoryFormat::Markdown ? ReportFormat::Markdown : ReportFormat::Text, 2);
  return out;
}

void render_alerts(const history::Snapshot& s, const history::Snapshot* previous,
                   const std::vector<analysis::FiredAlert>& alerts, HistoryFormat format, std::string& out,
                   ir::Severity at_least) {
  const auto& n = s.names;
  const std::string key_header = n.key_field.empty() ? "key" : n.key_field;
  std::vector<std::vector<std::string>> rows;
  rows.reserve(alerts.size());
  for (const auto& f : alerts) {
    const auto& r = s.accounts[f.account];
    const history::AccountRecord* p = previous && f.previous >= 0 ? &previous->accounts[f.previous] : nullptr;
    const auto severity = static_cast<size_t>(f.alert) < n.alert_severities.size() ? n.alert_severities[f.alert]
                                                                                   : ir::Severity::Medium;
    rows.push_back({s.info.as_of, r.key, std::string(cells::name_at(n.alerts, f.alert)),
                    static_cast<size_t>(f.alert) < n.alert_titles.size() ? n.alert_titles[f.alert] : "",
                    std::string(analysis::severity_name(severity)), std::string(cells::name_at(n.segments, r.segment)),
                    cells::score(r.score), p ? cells::score(p->score) : "",
                    std::string(cells::name_at(n.bands, r.band)),
                    p ? std::string(cells::name_at(previous->names.bands, p->band)) : "",
                    r.label < 0 ? "" : std::string(cells::name_at(n.labels, r.label)), record_reasons(r, n)});
  }
  if (format == HistoryFormat::Csv || format == HistoryFormat::Json) {  // as `healthc score --alerts` writes them
    const auto file_format = format == HistoryFormat::Csv ? rt::OutputFormat::Csv : rt::OutputFormat::JsonLines;
    if (format == HistoryFormat::Csv) out += history::alerts_csv_header(key_header);
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& row = rows[i];
      const auto& f = alerts[i];
      const history::AccountRecord* p = previous && f.previous >= 0 ? &previous->accounts[f.previous] : nullptr;
      history::AlertCells c;
      c.as_of = row[0];
      c.key = row[1];
      c.alert = row[2];
      c.title = row[3];
      c.severity = row[4];
      c.segment = row[5];
      c.score = s.accounts[f.account].score;
      c.previous_score = p ? p->score : -1;
      c.band = row[8];
      c.previous_band = row[9];
      c.label = row[10];
      c.reasons = row[11];
      history::append_alert(out, c, key_header, file_format);
    }
    return;
  }
  out += fmt::format("alerts fired in \"{}\" as of {}{}: {}\n", s.info.title, s.info.as_of,
                     at_least > ir::Severity::Info
                         ? fmt::format(" ({} and above)", analysis::severity_name(at_least))
                         : std::string(),
                     rows.size());
  if (rows.empty()) return;
  Table t;
  t.header = {key_header, "alert", "severity", "segment", "score", "previous", "band", "previous band", "label", "reasons"};
  t.align = "llllrrllll";
  for (const auto& row : rows)
    t.rows.push_back({row[1], row[3].empty() ? row[2] : row[2] + " \"" + row[3] + "\"", row[4], row[5],
                      row[6].empty() ? "unscored" : row[6], row[7].empty() ? "-" : row[7], row[8],
                      row[9].empty() ? "-" : row[9], row[10].empty() ? "-" : row[10],
                      row[11].empty() ? "-" : row[11]});
  out += render_table(t, format == HistoryFormat::Markdown ? ReportFormat::Markdown : ReportFormat::Text, 2);
}

}  // namespace healthc::driver
