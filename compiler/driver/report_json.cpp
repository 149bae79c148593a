// `healthc report --format json`: every figure of the page model (render_report_json in
// report_html.h), for scripts and for the golden check of the report's data.
#include <nlohmann/json.hpp>

#include <cmath>

#include "compiler/driver/report_html.h"
#include "compiler/ir/conventions.h"

namespace healthc::driver {
namespace {

using Json = nlohmann::ordered_json;

// Two decimals: the figures a reader compares, without floating-point noise in the golden files.
Json number(double v) {
  if (std::isnan(v)) return nullptr;
  const double r = std::round(v * 100) / 100;
  return r == 0 ? 0.0 : r;
}

Json score(int32_t s) { return s < 0 ? Json(nullptr) : Json(s); }

Json rate(const analysis::Rate& r) { return {{"accounts", r.count}, {"positives", r.positives}, {"rate", number(r.rate())}}; }

}  // namespace

std::string render_report_json(const analysis::ReportModel& m) {
  Json j;
  j["title"] = m.title;
  j["as_of"] = m.as_of;
  j["previous_as_of"] = m.previous_as_of.empty() ? Json(nullptr) : Json(m.previous_as_of);
  j["snapshots"] = m.snapshots;
  const auto& h = m.headline;
  Json bands = Json::array();
  for (const auto& b : h.bands)
    bands.push_back({{"band", b.band},
                     {"accounts", b.accounts},
                     {"previous_accounts", b.previous_accounts < 0 ? Json(nullptr) : Json(b.previous_accounts)},
                     {"weight", number(b.weight)},
                     {"previous_weight", number(b.previous_weight)}});
  j["headline"] = {{"accounts", h.accounts},
                   {"previous_accounts", h.previous_accounts < 0 ? Json(nullptr) : Json(h.previous_accounts)},
                   {"new", h.new_accounts},
                   {"gone", h.gone_accounts},
                   {"mean_score", number(h.mean_score)},
                   {"previous_mean_score", number(h.previous_mean_score)},
                   {"weight", h.weight_field.empty() ? Json("accounts") : Json(h.weight_field)},
                   {"weight_rollup", h.weight_rollup.empty() ? Json(nullptr) : Json(h.weight_rollup)},
                   {"bands", bands}};
  Json dates = Json::array();
  for (size_t i = 0; i < m.over_time.dates.size(); ++i)
    dates.push_back({{"as_of", m.over_time.dates[i]},
                     {"accounts", m.over_time.accounts[i]},
                     {"mean_score", number(m.over_time.mean_score[i])}});
  j["over_time"] = {{"bands", m.over_time.bands}, {"snapshots", dates}};
  Json segs = Json::array();
  for (const auto& s : m.segments) segs.push_back({{"segment", s.segment}, {"accounts", s.accounts}});
  j["segments"] = {{"total", m.segments_total}, {"shown", segs}};
  j["histogram"] = {{"now", m.histogram.now}, {"previous", m.histogram.previous}};
  Json sev = Json::object();
  for (size_t s = 0; s < m.alerts.by_severity.size(); ++s) sev[std::string(ir::kSeverityNames[s])] = m.alerts.by_severity[s];
  Json fired = Json::array();
  for (const auto& a : m.alerts.shown)
    fired.push_back({{"severity", a.severity}, {"alert", a.alert}, {"title", a.title}, {"account", a.account},
                     {"segment", a.segment}, {"score", score(a.score)}, {"previous_score", score(a.previous_score)},
                     {"band", a.band}, {"previous_band", a.previous_band.empty() ? Json(nullptr) : Json(a.previous_band)},
                     {"reasons", a.reasons}});
  Json by_alert = Json::array();
  for (const auto& c : m.alerts.by_alert)
    by_alert.push_back({{"alert", c.alert}, {"title", c.title}, {"severity", c.severity}, {"fired", c.fired}});
  j["alerts"] = {{"card_has_alerts", m.has_alerts}, {"total", m.alerts.total}, {"by_severity", sev},
                 {"by_alert", by_alert}, {"shown", fired}};
  auto movers = [](const std::vector<analysis::ReportMover>& list) {
    Json out = Json::array();
    for (const auto& mv : list) {
      Json lines = Json::array();
      for (const auto& l : mv.lines)
        lines.push_back({{"name", l.name}, {"change", number(l.change)}, {"by_score", number(l.by_score)},
                         {"by_weight", number(l.by_weight)}});
      out.push_back({{"account", mv.account}, {"segment", mv.segment}, {"before", score(mv.before)},
                     {"after", score(mv.after)}, {"band_before", mv.band_before}, {"band_after", mv.band_after},
                     {"attribution", lines}, {"note", mv.note}});
    }
    return out;
  };
  j["movers"] = {{"in_both", m.movers.in_both}, {"down_total", m.movers.down_total}, {"up_total", m.movers.up_total},
                 {"down", movers(m.movers.down)}, {"up", movers(m.movers.up)}};
  Json rollups = Json::array();
  for (const auto& r : m.rollups) {
    Json groups = Json::array();
    for (const auto& g : r.shown)
      groups.push_back({{"group", g.group}, {"accounts", g.accounts}, {"scored", g.scored}, {"score", score(g.score)},
                        {"band", g.band}, {"change", g.change ? Json(*g.change) : Json(nullptr)},
                        {"weight", number(g.weight)}, {"low_weight", number(g.low_weight)},
                        {"min_score", score(g.min_score)}, {"min_account", g.min_account}, {"trend", g.trend}});
    rollups.push_back({{"name", r.name}, {"title", r.title}, {"by", r.by}, {"weight", r.weight},
                       {"groups_total", r.groups_total}, {"shown", groups}});
  }
  j["rollups"] = rollups;
  const auto& s = m.stale;
  if (s.present) {
    Json rows = Json::array();
    for (const auto& r : s.rows) rows.push_back({{"group", r.group}, {"accounts", r.accounts}, {"stale", r.stale}});
    Json shown = Json::array();
    for (const auto& a : s.shown) shown.push_back({{"account", a.account}, {"segment", a.segment}, {"stale", a.measures}});
    j["stale"] = {{"measures", s.measures}, {"now", s.now}, {"previous", s.previous}, {"newly_stale", s.newly_stale},
                  {"stale_accounts", s.stale_accounts}, {"grouped_by", s.grouped_by}, {"groups", rows},
                  {"shown", shown}};
  } else {
    j["stale"] = nullptr;
  }
  const auto& o = m.outcome;
  if (o.present) {
    Json ob = Json::array();
    for (const auto& b : o.bands) ob.push_back({{"band", b.band}, {"rate", rate(b.rate)}, {"lift", number(b.lift)}});
    j["outcome"] = {{"file", o.file}, {"column", o.column}, {"matched", o.matched},
                    {"without_outcome", o.without_outcome}, {"not_in_snapshot", o.not_in_snapshot},
                    {"base", rate(o.base)}, {"bands", ob}};
  } else {
    j["outcome"] = nullptr;
  }
  return j.dump(1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace healthc::driver
