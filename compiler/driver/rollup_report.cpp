// Rendering one recorded roll-up (rollup_report.h).
#include "compiler/driver/rollup_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "compiler/driver/history_report_cells.h"
#include "compiler/driver/report.h"
#include "compiler/ir/conventions.h"
#include "runtime/output.h"

namespace healthc::driver {

namespace {

std::string key_cell(const std::optional<std::string>& cell) {
  if (!cell) return "(missing)";
  if (cell->empty()) return "\"\"";
  return *cell;
}

std::string change_cell(const std::optional<int32_t>& c) {
  if (!c) return "";
  return *c > 0 ? fmt::format("+{}", *c) : fmt::format("{}", *c);
}

std::string band_name(const analysis::RollupTable& t, int32_t band) {
  return std::string(band >= 0 && static_cast<size_t>(band) < t.bands.size()
                         ? std::string_view(t.bands[static_cast<size_t>(band)])
                         : ir::kUnscoredBandName);
}

// A weight as people read ARR: whole numbers without decimals, others to two places.
std::string weight_cell(double w) {
  if (std::isnan(w)) return "";
  if (w == std::floor(w) && std::fabs(w) < 1e15) return fmt::format("{:.0f}", w == 0 ? 0.0 : w);
  return fmt::format("{:.2f}", w);
}

void render_tables(const RollupView& v, ReportFormat format, std::string& out) {
  const analysis::RollupTable& t = v.table;
  const bool weighted = !t.weight.empty();
  const std::string name = t.title.empty() ? t.name : fmt::format("{} ({})", t.title, t.name);
  std::string by;
  for (const auto& f : t.by) by += (by.empty() ? "" : ", ") + f;
  std::string line = fmt::format("Roll-up {} of \"{}\" as of {}: by {}, {}", name, v.scorecard, v.as_of, by,
                                 weighted ? fmt::format("weighted by {}", t.weight) : "each account weighs 1");
  if (format == ReportFormat::Markdown) out += "### " + line + "\n\n";
  else out += line + "\n";
  std::string prev;
  if (!v.previous_as_of) prev = "no previous snapshot: no change";
  else if (!v.previous_has_rollup)
    prev = fmt::format("change since {}: that snapshot has no roll-up `{}` by the same fields", *v.previous_as_of, t.name);
  else prev = fmt::format("change since {}", *v.previous_as_of);
  out += fmt::format("{} groups, worst score first; {}\n\n", t.groups.size(), prev);

  Table table;
  for (const auto& f : t.by) table.header.push_back(f);
  for (const char* h : {"accounts", "scored", "score", "band", "change", "min_score", "min_account"})
    table.header.emplace_back(h);
  for (const auto& b : t.bands) {
    table.header.push_back(b + "_accounts");
    if (weighted) table.header.push_back(b + "_" + t.weight);
  }
  for (const auto& m : t.measures) table.header.push_back(m + "_score");
  table.align = std::string(t.by.size(), 'l') + "rrrlrrl" + std::string(table.header.size(), 'r');
  for (size_t gi : worst_first(t)) {
    const analysis::RollupGroup& g = t.groups[gi];
    std::vector<std::string> row;
    for (const auto& c : g.key) row.push_back(key_cell(c));
    row.push_back(std::to_string(g.accounts));
    row.push_back(std::to_string(g.scored));
    row.push_back(cells::score(g.score));
    row.push_back(band_name(t, g.band));
    row.push_back(change_cell(g.score_change));
    row.push_back(cells::score(g.min_score));
    row.push_back(g.min_account);
    for (size_t b = 0; b < t.bands.size(); ++b) {
      row.push_back(std::to_string(g.band_accounts[b]));
      if (weighted) row.push_back(weight_cell(g.band_weight[b]));
    }
    for (double m : g.measure_score) row.push_back(std::isnan(m) ? std::string() : fmt_fixed(m, 1));
    table.rows.push_back(std::move(row));
  }
  out += render_table(table, format, format == ReportFormat::Markdown ? 0 : 2);
}

void render_json(const RollupView& v, std::string& out) {
  const analysis::RollupTable& t = v.table;
  auto str = [&](std::string_view s) { rt::append_json_string(out, s); };
  auto names = [&](const std::vector<std::string>& list) {
    out += "[";
    for (size_t i = 0; i < list.size(); ++i) {
      if (i) out += ",";
      str(list[i]);
    }
    out += "]";
  };
  out += "{\"scorecard\":";
  str(v.scorecard);
  out += ",\"as_of\":";
  str(v.as_of);
  out += ",\"previous_as_of\":";
  if (v.previous_as_of) str(*v.previous_as_of);
  else out += "null";
  out += ",\"rollup\":";
  str(t.name);
  out += ",\"title\":";
  str(t.title);
  out += ",\"by\":";
  names(t.by);
  out += ",\"weight\":";
  cells::json_string_or_null(out, t.weight);
  out += ",\"bands\":";
  names(t.bands);
  out += ",\"measures\":";
  names(t.measures);
  out += ",\"groups\":[";
  for (size_t gi = 0; gi < t.groups.size(); ++gi) {
    const analysis::RollupGroup& g = t.groups[gi];
    out += gi ? ",{\"key\":{" : "{\"key\":{";
    for (size_t k = 0; k < t.by.size(); ++k) {
      if (k) out += ",";
      str(t.by[k]);
      out += ":";
      if (g.key[k]) str(*g.key[k]);
      else out += "null";
    }
    out += fmt::format("}},\"accounts\":{},\"scored\":{},\"unscored\":{},\"score\":", g.accounts, g.scored, g.unscored);
    cells::json_score(out, g.score);
    out += ",\"band\":";
    str(band_name(t, g.band));
    out += ",\"score_change\":";
    out += g.score_change ? std::to_string(*g.score_change) : "null";
    out += ",\"min_score\":";
    cells::json_score(out, g.min_score);
    out += ",\"min_account\":";
    cells::json_string_or_null(out, g.min_score < 0 ? std::string_view() : std::string_view(g.min_account));
    out += ",\"bands\":{";
    for (size_t b = 0; b < t.bands.size(); ++b) {
      if (b) out += ",";
      str(t.bands[b]);
      out += fmt::format(":{{\"accounts\":{},\"weight\":", g.band_accounts[b]);
      cells::json_number(out, g.band_weight[b]);
      out += "}";
    }
    out += "},\"measures\":{";
    for (size_t m = 0; m < t.measures.size(); ++m) {
      if (m) out += ",";
      str(t.measures[m]);
      out += ":";
      cells::json_number(out, g.measure_score[m]);
    }
    out += "}}";
  }
  out += "]}\n";
}

}  // namespace

std::vector<size_t> worst_first(const analysis::RollupTable& t) {
  std::vector<size_t> order(t.groups.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // A group without a score has nothing to rank by: after every scored one.
  auto rank = [&](size_t i) { return t.groups[i].score < 0 ? 1000 : t.groups[i].score; };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rank(a) < rank(b); });
  return order;
}

void render_rollup(const RollupView& v, HistoryFormat format, std::string& out) {
  switch (format) {
    case HistoryFormat::Text: render_tables(v, ReportFormat::Text, out); break;
    case HistoryFormat::Markdown: render_tables(v, ReportFormat::Markdown, out); break;
    case HistoryFormat::Csv: out += analysis::rollup_csv(v.table, true); break;
    case HistoryFormat::Json: render_json(v, out); break;
  }
}

}  // namespace healthc::driver
