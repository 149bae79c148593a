// The HTML page of `healthc report` (report_html.h): one section a figure, each with a heading;
// a Content-Security-Policy that forbids scripts and every fetch, so the page stays what it is
// when opened from an e-mail attachment.
#include "compiler/driver/report_html.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "compiler/driver/report.h"
#include "compiler/driver/report_svg.h"
#include "compiler/ir/conventions.h"

namespace healthc::driver {
namespace {

using svg::escape;
using svg::grouped;

constexpr const char* kStyle = R"css(
:root { color: #1a1a1a; background: #fff; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0 auto;
       max-width: 980px; padding: 16px 24px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 2px solid #0072B2; padding-bottom: 2px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
p.meta { color: #444; margin: 0 0 8px; }
nav ol { columns: 3; margin: 8px 0; padding-left: 20px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
td.n, th.n { text-align: right; }
td.down { color: #B33D00; } td.up { color: #006E50; } td.k { white-space: nowrap; }
div.pair { display: flex; gap: 32px; align-items: flex-start; flex-wrap: wrap; }
table.attr { margin: 2px 0 12px 16px; font-size: 13px; }
p.more { color: #444; font-style: italic; }
p.legend span { margin-right: 14px; white-space: nowrap; }
p.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px;
             border: 1px solid #555; }
svg { max-width: 100%; height: auto; }
svg.spark { vertical-align: middle; }
svg .grid { stroke: #e3e3e3; stroke-width: 1; }
svg .tick { font-size: 11px; fill: #333; }
svg .axis { font-size: 12px; fill: #111; }
.mover { margin: 8px 0 0; font-weight: 600; }
footer { margin-top: 32px; color: #666; font-size: 12px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav { display: none; }
  section + section { break-before: page; }
  tr, svg, .mover { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}
)css";

// +1,234 / -1,234 / 0.
std::string signed_grouped(double v) {
  std::string out = grouped(v);
  if (std::round(v) > 0) out.insert(out.begin(), '+');
  return out;
}

std::string signed_int(int64_t v) { return signed_grouped(static_cast<double>(v)); }

std::string signed_fixed(double v) {
  if (std::isnan(v)) return "";
  if (std::fabs(v) < 0.05) return "0.0";
  return fmt::format("{:+.1f}", v);
}

// A count's change is not good or bad in itself (more accounts in `critical` is worse): no colour.
std::string change_cell(double now, double before) {
  if (std::isnan(now) || std::isnan(before)) return "<td class=\"n\">-</td>";
  const double d = std::round(now) - std::round(before);
  return fmt::format("<td class=\"n\">{}</td>", signed_grouped(d));
}

std::string score_text(int32_t s) { return s < 0 ? "unscored" : std::to_string(s); }

std::string more(int64_t total, size_t shown, std::string_view what) {
  if (total <= static_cast<int64_t>(shown)) return "";
  return fmt::format("<p class=\"more\">and {} more {}</p>", grouped(static_cast<double>(total - static_cast<int64_t>(shown))), what);
}

std::vector<std::string> fills_for(const analysis::ReportModel& m, const std::vector<std::string>& bands) {
  std::vector<std::string> out;
  for (size_t b = 0; b < bands.size(); ++b) {
    std::string color;
    for (size_t i = 0; i < m.headline.bands.size(); ++i)
      if (m.headline.bands[i].band == bands[b] && i < m.band_colors.size()) color = m.band_colors[i];
    out.push_back(svg::band_fill(bands[b], color, b));
  }
  return out;
}

std::vector<std::string> headline_bands(const analysis::ReportModel& m) {
  std::vector<std::string> out;
  for (const auto& b : m.headline.bands) out.push_back(b.band);
  return out;
}

void headline(const analysis::ReportModel& m, std::string& out) {
  const auto& h = m.headline;
  out += "<section id=\"headline\"><h2>Headline</h2>";
  out += fmt::format("<p><b>{}</b> accounts", grouped(static_cast<double>(h.accounts)));
  if (h.previous_accounts >= 0)
    out += fmt::format(" ({} since {}: {} new, {} gone)", signed_int(h.accounts - h.previous_accounts),
                       escape(m.previous_as_of), grouped(static_cast<double>(h.new_accounts)),
                       grouped(static_cast<double>(h.gone_accounts)));
  if (!std::isnan(h.mean_score)) out += fmt::format("; mean score <b>{:.1f}</b>", h.mean_score);
  if (!std::isnan(h.mean_score) && !std::isnan(h.previous_mean_score))
    out += fmt::format(" ({})", signed_fixed(h.mean_score - h.previous_mean_score));
  out += ".</p>";
  const bool weighted = !h.weight_field.empty();
  out += weighted ? fmt::format("<p>Weight: <b>{}</b>, summed over the groups of the roll-up <code>{}</code>.</p>",
                                escape(h.weight_field), escape(h.weight_rollup))
                  : "<p>Weight: the count of accounts (no roll-up of this card has a <code>weight</code> field).</p>";
  out += fmt::format("<table><tr><th>band</th><th class=\"n\">accounts</th><th class=\"n\">share</th>"
                     "<th class=\"n\">change</th>{}</tr>",
                     weighted ? fmt::format("<th class=\"n\">{}</th><th class=\"n\">change</th>", escape(h.weight_field)) : "");
  for (const auto& b : h.bands) {
    out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1f}%</td>{}", escape(b.band),
                       grouped(static_cast<double>(b.accounts)),
                       h.accounts ? 100.0 * static_cast<double>(b.accounts) / static_cast<double>(h.accounts) : 0.0,
                       change_cell(static_cast<double>(b.accounts),
                                   b.previous_accounts < 0 ? NAN : static_cast<double>(b.previous_accounts)));
    if (weighted) out += fmt::format("<td class=\"n\">{}</td>{}", grouped(b.weight), change_cell(b.weight, b.previous_weight));
    out += "</tr>";
  }
  out += "</table>";
  if (h.previous_accounts < 0) out += "<p class=\"more\">No previous snapshot: no changes to show.</p>";
  out += "</section>";
}

void bands_sections(const analysis::ReportModel& m, std::string& out) {
  const auto& t = m.over_time;
  const auto fills = fills_for(m, t.bands);
  out += "<section id=\"bands-over-time\"><h2>Bands over time</h2>";
  out += fmt::format("<p>Accounts per band in each of the {} snapshots of the scorecard.", t.dates.size());
  std::vector<int32_t> means;
  for (double v : t.mean_score) means.push_back(std::isnan(v) ? -1 : static_cast<int32_t>(std::lround(v)));
  if (!means.empty() && !std::isnan(t.mean_score.front()) && !std::isnan(t.mean_score.back()))
    out += fmt::format(" Mean score {:.1f} on {}, {:.1f} on {} {}", t.mean_score.front(), escape(t.dates.front()),
                       t.mean_score.back(), escape(t.dates.back()), svg::sparkline(means, t.dates));
  out += "</p>";
  out += svg::bands_over_time(t, fills) + svg::legend(t.bands, fills);
  out += "<h3 id=\"segments\">Bands per segment</h3>";
  const auto bands = headline_bands(m);
  const auto seg_fills = fills_for(m, bands);
  out += fmt::format("<p>As of {}.</p>", escape(m.as_of));
  out += svg::segment_bars(m.segments, bands, seg_fills) + svg::legend(bands, seg_fills);
  out += more(m.segments_total, m.segments.size(), "segments");
  out += "</section>";
}

void histogram(const analysis::ReportModel& m, std::string& out) {
  out += "<section id=\"scores\"><h2>Score distribution</h2>";
  out += svg::score_histogram(m.histogram, m.as_of, m.previous_as_of);
  if (m.histogram.previous.empty())
    out += svg::legend({m.as_of}, {svg::kNowFill});
  else
    out += svg::legend({m.previous_as_of + " (previous)", m.as_of + " (now)"}, {svg::kPreviousFill, svg::kNowFill});
  out += "</section>";
}

void alerts(const analysis::ReportModel& m, std::string& out) {
  const auto& a = m.alerts;
  out += "<section id=\"alerts\"><h2>Alerts that fired</h2>";
  if (!m.has_alerts) {
    out += "<p>The card has no alerts.</p></section>";
    return;
  }
  out += fmt::format("<p>{} alerts fired as of {} (an alert fires on the day its condition starts to hold).</p>",
                     grouped(static_cast<double>(a.total)), escape(m.as_of));
  out += "<div class=\"pair\"><table><tr><th>severity</th><th class=\"n\">fired</th></tr>";
  for (size_t s = a.by_severity.size(); s-- > 0;)
    out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>", ir::kSeverityNames[s],
                       grouped(static_cast<double>(a.by_severity[s])));
  out += "</table><table><tr><th>alert</th><th>severity</th><th class=\"n\">fired</th></tr>";
  for (const auto& c : a.by_alert)
    out += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>", escape(c.title.empty() ? c.alert : c.title),
                       escape(c.severity), grouped(static_cast<double>(c.fired)));
  out += "</table></div>";
  if (a.shown.empty()) return void(out += "</section>");
  out += "<table><tr><th>severity</th><th>alert</th><th>account</th><th>segment</th><th class=\"n\">score</th>"
         "<th class=\"n\">change</th><th>band</th><th>reasons</th></tr>";
  for (const auto& r : a.shown) {
    const std::string change = r.score >= 0 && r.previous_score >= 0 ? signed_int(r.score - r.previous_score) : "-";
    out += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"k\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n{}\">{}</td>"
                       "<td class=\"k\">{}{}</td><td>{}</td></tr>",
                       escape(r.severity), escape(r.title.empty() ? r.alert : r.title), escape(r.account),
                       escape(r.segment), score_text(r.score),
                       r.score >= 0 && r.previous_score >= 0 && r.score < r.previous_score ? " down" : "", change,
                       r.previous_band.empty() || r.previous_band == r.band ? "" : escape(r.previous_band) + " &rarr; ",
                       escape(r.band), escape(r.reasons));
  }
  out += "</table>" + more(a.total, a.shown.size(), "alerts (healthc alerts --store ... lists them all)") + "</section>";
}

void mover_list(const std::vector<analysis::ReportMover>& list, std::string& out) {
  for (const auto& mv : list) {
    out += fmt::format("<p class=\"mover\">{}: {} &rarr; {} ({}){}</p>", escape(mv.account), score_text(mv.before),
                       score_text(mv.after), signed_int(mv.after - mv.before),
                       mv.band_before != mv.band_after
                           ? fmt::format("; band {} &rarr; {}", escape(mv.band_before), escape(mv.band_after))
                           : "");
    if (mv.lines.empty()) {
      out += fmt::format("<p>{}</p>", escape(mv.note.empty() ? "no change in any measure" : mv.note));
      continue;
    }
    out += "<table class=\"attr\"><tr><th></th><th class=\"n\">change</th><th class=\"n\">by score</th>"
           "<th class=\"n\">by weight</th></tr>";
    for (const auto& l : mv.lines)
      out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                         escape(l.name), fmt_signed(l.change, 1), std::isnan(l.by_score) ? "" : fmt_signed(l.by_score, 1),
                         std::isnan(l.by_weight) ? "" : fmt_signed(l.by_weight, 1));
    out += "</table>";
  }
}

void movers(const analysis::ReportModel& m, std::string& out) {
  const auto& s = m.movers;
  out += "<section id=\"movers\"><h2>Top movers</h2>";
  if (m.previous_as_of.empty()) {
    out += "<p>No previous snapshot: nothing to compare with.</p></section>";
    return;
  }
  out += fmt::format("<p>Between {} and {}: {} accounts in both; {} went down, {} went up. Each change is split into "
                     "what each measure contributed (by its own score, by its weight), rounding and overrides, as "
                     "<code>healthc changes</code> explains it.</p>",
                     escape(m.previous_as_of), escape(m.as_of), grouped(static_cast<double>(s.in_both)),
                     grouped(static_cast<double>(s.down_total)), grouped(static_cast<double>(s.up_total)));
  out += "<h3>Down</h3>";
  mover_list(s.down, out);
  out += more(s.down_total, s.down.size(), "accounts went down");
  out += "<h3>Up</h3>";
  mover_list(s.up, out);
  out += more(s.up_total, s.up.size(), "accounts went up");
  out += "</section>";
}

void rollups(const analysis::ReportModel& m, std::string& out) {
  out += "<section id=\"rollups\"><h2>Roll-ups</h2>";
  if (m.rollups.empty()) {
    out += "<p>The store has no roll-ups for this snapshot (a card's <code>rollup</code> declarations are recorded with "
           "each snapshot).</p></section>";
    return;
  }
  for (const auto& r : m.rollups) {
    std::string by;
    for (const auto& b : r.by) by += (by.empty() ? "" : ", ") + escape(b);
    out += fmt::format("<h3>{}</h3><p>By {}{}; {} groups, worst first.</p>", escape(r.title.empty() ? r.name : r.title), by,
                       r.weight.empty() ? "" : fmt::format(", weighted by {}", escape(r.weight)),
                       grouped(static_cast<double>(r.groups_total)));
    const std::string weight = r.weight.empty() ? "scored" : escape(r.weight);
    out += fmt::format("<table><tr><th>group</th><th class=\"n\">accounts</th><th class=\"n\">score</th><th>band</th>"
                       "<th class=\"n\">change</th><th class=\"n\">{}</th><th class=\"n\">{} in {}</th><th>lowest</th>"
                       "<th>trend</th></tr>",
                       weight, weight, escape(r.low_band));
    for (const auto& g : r.shown) {
      const std::string change = g.change ? signed_int(*g.change) : "-";
      out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n{}\">{}</td>"
                         "<td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
                         escape(g.group), grouped(static_cast<double>(g.accounts)), score_text(g.score), escape(g.band),
                         g.change && *g.change < 0 ? " down" : "", change, grouped(g.weight), grouped(g.low_weight),
                         g.min_score < 0 ? "-" : fmt::format("{} ({})", escape(g.min_account), g.min_score),
                         svg::sparkline(g.trend, m.over_time.dates));
    }
    out += "</table>" + more(r.groups_total, r.shown.size(), "groups");
  }
  out += "</section>";
}

void stale(const analysis::ReportModel& m, std::string& out) {
  const auto& s = m.stale;
  out += "<section id=\"stale\"><h2>Stale subjective inputs</h2>";
  if (!s.present) {
    out += "<p>The card has no <code>stale after</code> rule.</p></section>";
    return;
  }
  out += fmt::format("<p>{} accounts have a stale input as of {} ({} newly stale since the previous snapshot). A stale "
                     "input is unscored until it is entered again.</p>",
                     grouped(static_cast<double>(s.stale_accounts)), escape(m.as_of),
                     grouped(static_cast<double>(s.newly_stale)));
  out += "<table><tr><th>input</th><th class=\"n\">stale</th><th class=\"n\">change</th></tr>";
  for (size_t i = 0; i < s.measures.size(); ++i)
    out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td>{}</tr>", escape(s.measures[i]),
                       grouped(static_cast<double>(s.now[i])),
                       change_cell(static_cast<double>(s.now[i]), s.previous.empty() ? NAN : static_cast<double>(s.previous[i])));
  out += "</table>";
  out += fmt::format("<h3>By {}</h3><p>The store records no field values per account, so a CSM or owner field cannot "
                     "be grouped by here; the accounts are grouped by their segment.</p>",
                     escape(s.grouped_by));
  out += "<table><tr><th>segment</th><th class=\"n\">accounts</th>";
  for (const auto& name : s.measures) out += fmt::format("<th class=\"n\">{} stale</th>", escape(name));
  out += "</tr>";
  for (const auto& r : s.rows) {
    out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td>", escape(r.group), grouped(static_cast<double>(r.accounts)));
    for (int64_t c : r.stale) out += fmt::format("<td class=\"n\">{}</td>", grouped(static_cast<double>(c)));
    out += "</tr>";
  }
  out += "</table>";
  if (!s.shown.empty()) {
    out += "<h3>Accounts</h3><table><tr><th>account</th><th>segment</th><th>stale</th></tr>";
    for (const auto& a : s.shown)
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", escape(a.account), escape(a.segment),
                         escape(a.measures));
    out += "</table>" + more(s.stale_accounts, s.shown.size(), "accounts with a stale input");
  }
  out += "</section>";
}

void outcome(const analysis::ReportModel& m, std::string& out) {
  const auto& o = m.outcome;
  if (!o.present) return;
  out += "<section id=\"outcome\"><h2>Outcome per band</h2>";
  out += fmt::format("<p><code>{}</code> from <code>{}</code>: {} accounts of the snapshot matched ({} without an "
                     "outcome; {} keys of the file not in the snapshot); base rate {:.1f}% over the scored ones.</p>",
                     escape(o.column), escape(o.file), grouped(static_cast<double>(o.matched)),
                     grouped(static_cast<double>(o.without_outcome)), grouped(static_cast<double>(o.not_in_snapshot)),
                     std::isnan(o.base.rate()) ? 0.0 : 100 * o.base.rate());
  out += fmt::format("<table><tr><th>band</th><th class=\"n\">accounts</th><th class=\"n\">{}</th><th class=\"n\">rate</th>"
                     "<th class=\"n\">lift</th></tr>",
                     escape(o.column));
  for (const auto& b : o.bands)
    out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                       "<td class=\"n\">{}</td></tr>",
                       escape(b.band), grouped(static_cast<double>(b.rate.count)),
                       grouped(static_cast<double>(b.rate.positives)),
                       std::isnan(b.rate.rate()) ? "-" : fmt::format("{:.1f}%", 100 * b.rate.rate()),
                       std::isnan(b.lift) ? "-" : fmt::format("{:.2f}", b.lift));
  out += "</table></section>";
}

}  // namespace

std::string render_report_html(const analysis::ReportModel& m) {
  std::string out;
  out.reserve(1 << 18);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out += fmt::format("<title>{} as of {}</title><style>{}</style></head><body>\n", escape(m.title), escape(m.as_of), kStyle);
  out += fmt::format("<header><h1>{}</h1><p class=\"meta\">Health report as of <b>{}</b>{}; {} snapshots in the store.</p>"
                     "</header>\n",
                     escape(m.title), escape(m.as_of),
                     m.previous_as_of.empty() ? "" : fmt::format(", compared with {}", escape(m.previous_as_of)), m.snapshots);
  out += "<nav><ol><li><a href=\"#headline\">Headline</a></li><li><a href=\"#bands-over-time\">Bands over time</a></li>"
         "<li><a href=\"#segments\">Bands per segment</a></li><li><a href=\"#scores\">Score distribution</a></li>"
         "<li><a href=\"#alerts\">Alerts that fired</a></li><li><a href=\"#movers\">Top movers</a></li>"
         "<li><a href=\"#rollups\">Roll-ups</a></li><li><a href=\"#stale\">Stale subjective inputs</a></li>";
  if (m.outcome.present) out += "<li><a href=\"#outcome\">Outcome per band</a></li>";
  out += "</ol></nav>\n";
  headline(m, out);
  bands_sections(m, out);
  histogram(m, out);
  alerts(m, out);
  movers(m, out);
  rollups(m, out);
  stale(m, out);
  outcome(m, out);
  out += fmt::format("\n<footer>Generated by <code>healthc report</code> from the history store; card {}. This page holds "
                     "no script and loads nothing.</footer></body></html>\n",
                     escape(m.card_hash.substr(0, 12)));
  return out;
}

}  // namespace healthc::driver
