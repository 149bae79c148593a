// The figures of `healthc report` (report_model.h): headline, bands over time and per segment, the
// score histogram, fired alerts, movers with their attribution, roll-ups, stale inputs, outcome.
#include "runtime/analysis/report_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string_view>

#include "compiler/ir/conventions.h"
#include "runtime/analysis/changes.h"
#include "runtime/analysis/fired_alerts.h"

namespace healthc::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int32_t index_of(const std::vector<std::string>& names, std::string_view name) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int32_t>(i);
  return -1;
}

std::string_view name_at(const std::vector<std::string>& names, int32_t i) {
  return i >= 0 && static_cast<size_t>(i) < names.size() ? std::string_view(names[i]) : std::string_view("?");
}

// Accounts per band of a snapshot, in `bands` order (a band `bands` lacks is left out).
std::vector<int64_t> per_band(const history::Snapshot& s, const std::vector<std::string>& bands) {
  std::vector<int32_t> map(s.names.bands.size());
  for (size_t b = 0; b < map.size(); ++b) map[b] = index_of(bands, s.names.bands[b]);
  std::vector<int64_t> out(bands.size(), 0);
  for (const auto& a : s.accounts)
    if (a.band >= 0 && static_cast<size_t>(a.band) < map.size() && map[a.band] >= 0) ++out[map[a.band]];
  return out;
}

double mean_score(const history::Snapshot& s) {
  double sum = 0;
  int64_t n = 0;
  for (const auto& a : s.accounts)
    if (a.score >= 0) sum += a.score, ++n;
  return n ? sum / static_cast<double>(n) : kNaN;
}

const RollupTable* weighted_rollup(const std::vector<RollupTable>& tables, const std::string& name = {}) {
  for (const auto& t : tables)
    if (name.empty() ? !t.weight.empty() : t.name == name) return &t;
  return nullptr;
}

// Weight per band of `t` summed over its groups, in `bands` order; NaN where `t` has no such band.
std::vector<double> band_weights(const RollupTable& t, const std::vector<std::string>& bands) {
  std::vector<double> out(bands.size(), kNaN);
  for (size_t b = 0; b < bands.size(); ++b) {
    const int32_t at = index_of(t.bands, bands[b]);
    if (at < 0) continue;
    double sum = 0;
    for (const auto& g : t.groups)
      if (static_cast<size_t>(at) < g.band_weight.size()) sum += g.band_weight[at];
    out[b] = sum;
  }
  return out;
}

Headline headline(const ReportInputs& in, const ChangesResult* changes) {
  const auto& now = *in.latest;
  Headline h;
  h.accounts = static_cast<int64_t>(now.accounts.size());
  h.mean_score = mean_score(now);
  h.previous_mean_score = in.previous ? mean_score(*in.previous) : kNaN;
  const auto counts = per_band(now, now.names.bands);
  std::vector<int64_t> before;
  if (in.previous) {
    h.previous_accounts = static_cast<int64_t>(in.previous->accounts.size());
    before = per_band(*in.previous, now.names.bands);
    h.new_accounts = changes->only_after;
    h.gone_accounts = changes->only_before;
  }
  const RollupTable* w = in.rollups.empty() ? nullptr : weighted_rollup(in.rollups.back());
  std::vector<double> weight, previous_weight;
  if (w) {
    h.weight_field = w->weight;
    h.weight_rollup = w->name;
    weight = band_weights(*w, now.names.bands);
    if (in.rollups.size() >= 2 && in.previous)
      if (const RollupTable* pw = weighted_rollup(in.rollups[in.rollups.size() - 2], w->name)) {
        h.previous_weight = true;
        previous_weight = band_weights(*pw, now.names.bands);
      }
  }
  for (size_t b = 0; b < now.names.bands.size(); ++b) {
    BandFigure f;
    f.band = now.names.bands[b];
    f.accounts = counts[b];
    f.previous_accounts = in.previous ? before[b] : -1;
    f.weight = w ? weight[b] : static_cast<double>(counts[b]);
    f.previous_weight = !w ? (in.previous ? static_cast<double>(before[b]) : kNaN)
                           : h.previous_weight ? previous_weight[b] : kNaN;
    h.bands.push_back(std::move(f));
  }
  return h;
}

BandsOverTime over_time(const ReportInputs& in) {
  BandsOverTime t;
  t.bands = in.latest->names.bands;
  for (const auto& bc : in.over_time)
    for (const auto& b : bc.bands)
      if (index_of(t.bands, b) < 0) t.bands.push_back(b);
  for (const auto& bc : in.over_time) {
    t.dates.push_back(bc.as_of);
    std::vector<int64_t> row(t.bands.size(), 0);
    for (size_t b = 0; b < bc.bands.size() && b < bc.accounts.size(); ++b) row[index_of(t.bands, bc.bands[b])] += bc.accounts[b];
    t.accounts.push_back(std::move(row));
    t.mean_score.push_back(bc.scored ? bc.score_sum / static_cast<double>(bc.scored) : kNaN);
  }
  return t;
}

void segments(const ReportInputs& in, ReportModel& m) {
  const auto& now = *in.latest;
  const size_t bands = now.names.bands.size();
  std::vector<SegmentBands> all(now.names.segments.size());
  for (size_t s = 0; s < all.size(); ++s) all[s] = {now.names.segments[s], std::vector<int64_t>(bands, 0)};
  for (const auto& a : now.accounts)
    if (a.segment >= 0 && static_cast<size_t>(a.segment) < all.size() && a.band >= 0 &&
        static_cast<size_t>(a.band) < bands)
      ++all[a.segment].accounts[a.band];
  for (auto& s : all) {
    int64_t n = 0;
    for (int64_t c : s.accounts) n += c;
    if (n == 0) continue;
    ++m.segments_total;
    if (m.segments.size() < in.limits.segments) m.segments.push_back(std::move(s));
  }
}

ScoreHistogram histogram(const ReportInputs& in) {
  auto bins = [](const history::Snapshot& s) {
    std::vector<int64_t> out(10, 0);
    for (const auto& a : s.accounts)
      if (a.score >= 0) ++out[std::min(a.score / 10, 9)];
    return out;
  };
  ScoreHistogram h;
  h.now = bins(*in.latest);
  if (in.previous) h.previous = bins(*in.previous);
  return h;
}

AlertsSection alerts(const ReportInputs& in) {
  const auto& now = *in.latest;
  AlertsSection s;
  s.by_severity.assign(ir::kSeverityNames.size(), 0);
  const auto fired = fired_alerts(now, in.previous, ir::Severity::Info);
  s.total = static_cast<int64_t>(fired.size());
  for (size_t a = 0; a < now.names.alerts.size(); ++a)
    s.by_alert.push_back({now.names.alerts[a], std::string(name_at(now.names.alert_titles, static_cast<int32_t>(a))),
                          std::string(ir::severity_name(a < now.names.alert_severities.size()
                                                            ? now.names.alert_severities[a]
                                                            : ir::Severity::Medium)),
                          0});
  for (const auto& f : fired) {
    const auto sev = static_cast<size_t>(f.alert) < now.names.alert_severities.size()
                         ? now.names.alert_severities[f.alert]
                         : ir::Severity::Medium;
    ++s.by_severity[static_cast<size_t>(sev)];
    ++s.by_alert[f.alert].fired;
    if (s.shown.size() >= in.limits.alerts) continue;
    const auto& a = now.accounts[f.account];
    AlertRow row;
    row.severity = ir::severity_name(sev);
    row.alert = now.names.alerts[f.alert];
    row.title = name_at(now.names.alert_titles, f.alert);
    row.account = a.key;
    row.segment = name_at(now.names.segments, a.segment);
    row.band = name_at(now.names.bands, a.band);
    row.score = a.score;
    if (f.previous >= 0) {
      const auto& p = in.previous->accounts[static_cast<size_t>(f.previous)];
      row.previous_score = p.score;
      row.previous_band = name_at(in.previous->names.bands, p.band);
    }
    if (in.reasons) row.reasons = in.reasons(a, now.names);
    s.shown.push_back(std::move(row));
  }
  return s;
}

// The account's change as `healthc changes` explains it.
ReportMover mover(const ChangesResult& r, const AccountPair& p) {
  const AccountChange c = r.change(p);
  ReportMover m;
  m.account = std::string(c.key);
  m.segment = std::string(c.after.segment());
  m.band_before = std::string(c.before.band());
  m.band_after = std::string(c.after.band());
  m.before = c.before.score;
  m.after = c.after.score;
  if (!c.attributed)
    m.note = c.before.weighted < 0 && c.after.weighted < 0 ? "no weighted score in either snapshot"
             : c.before.weighted < 0                       ? "no weighted score in the earlier snapshot"
                                                           : "no weighted score in the later snapshot";
  m.lines = attribution_lines(r.measures, c);
  return m;
}

ReportMovers movers(const ReportInputs& in, const ChangesResult& r) {
  ReportMovers s;
  s.in_both = r.in_both;
  // r.accounts: the largest drop first, the accounts unscored on a side last.
  std::vector<AccountPair> up;
  for (const auto& p : r.accounts) {
    const auto& b = r.before->accounts[p.before];
    const auto& a = r.after->accounts[p.after];
    if (b.score < 0 || a.score < 0) continue;
    if (a.score < b.score) {
      ++s.down_total;
      if (s.down.size() < in.limits.movers) s.down.push_back(mover(r, p));
    } else if (a.score > b.score) {
      up.push_back(p);
    }
  }
  s.up_total = static_cast<int64_t>(up.size());
  // Rising the most first; ties in the later snapshot's row order, as the drops.
  std::stable_sort(up.begin(), up.end(), [&](const AccountPair& x, const AccountPair& y) {
    const int32_t dx = r.after->accounts[x.after].score - r.before->accounts[x.before].score;
    const int32_t dy = r.after->accounts[y.after].score - r.before->accounts[y.before].score;
    if (dx != dy) return dx > dy;
    return r.after->accounts[x.after].row < r.after->accounts[y.after].row;
  });
  for (size_t i = 0; i < up.size() && i < in.limits.movers; ++i) s.up.push_back(mover(r, up[i]));
  return s;
}

std::string group_text(const RollupGroup& g) {
  std::string out;
  for (size_t i = 0; i < g.key.size(); ++i) out += (i ? " / " : "") + (g.key[i] ? *g.key[i] : std::string("(missing)"));
  return out;
}

// A group's identity across snapshots: its values, a missing value distinct from any text.
std::string group_id(const RollupGroup& g) {
  std::string out;
  for (const auto& k : g.key) out += k ? "v" + *k + '\x1f' : std::string("m\x1f");
  return out;
}

std::vector<RollupSection> rollups(const ReportInputs& in) {
  std::vector<RollupSection> out;
  if (in.rollups.empty()) return out;
  for (const auto& t : in.rollups.back()) {
    RollupSection s;
    s.name = t.name;
    s.title = t.title;
    s.weight = t.weight;
    s.by = t.by;
    s.low_band = t.bands.empty() ? std::string() : t.bands.front();
    s.groups_total = static_cast<int64_t>(t.groups.size());
    std::vector<size_t> order(t.groups.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      const int32_t a = t.groups[x].score, b = t.groups[y].score;
      if ((a < 0) != (b < 0)) return b < 0;
      return a < b;
    });
    order.resize(std::min(order.size(), in.limits.groups));
    // The shown groups' score in each snapshot's roll-up of the same name.
    std::vector<std::vector<int32_t>> trends;
    if (in.trends) {
      trends = in.trends(t, order);
    } else {
      trends.assign(order.size(), std::vector<int32_t>(in.rollups.size(), -1));
      for (size_t k = 0; k < in.rollups.size(); ++k)
        if (const RollupTable* pt = weighted_rollup(in.rollups[k], t.name)) {
          std::unordered_map<std::string, int32_t> scores;
          for (const auto& g : pt->groups) scores.emplace(group_id(g), g.score);
          for (size_t i = 0; i < order.size(); ++i)
            if (const auto it = scores.find(group_id(t.groups[order[i]])); it != scores.end()) trends[i][k] = it->second;
        }
    }
    for (size_t i = 0; i < order.size(); ++i) {
      const auto& g = t.groups[order[i]];
      RollupRow row;
      row.group = group_text(g);
      row.accounts = g.accounts;
      row.scored = g.scored;
      row.score = g.score;
      row.band = g.band >= 0 && static_cast<size_t>(g.band) < t.bands.size() ? t.bands[g.band] : "unscored";
      row.min_score = g.min_score;
      row.min_account = g.min_account;
      for (double w : g.band_weight) row.weight += w;
      if (t.weight.empty()) row.weight = static_cast<double>(g.scored);
      row.low_weight = g.band_weight.empty() ? 0 : g.band_weight.front();
      row.change = g.score_change;
      if (i < trends.size()) row.trend = trends[i];
      s.shown.push_back(std::move(row));
    }
    out.push_back(std::move(s));
  }
  return out;
}

StaleSection stale(const ReportInputs& in, const ChangesResult* changes) {
  const auto& now = *in.latest;
  StaleSection s;
  s.present = !now.names.stale_measures.empty();
  if (!s.present) return s;
  s.measures = now.names.stale_measures;
  s.grouped_by = "segment";
  const size_t n = s.measures.size();
  s.now.assign(n, 0);
  std::vector<StaleRow> rows(now.names.segments.size());
  for (size_t g = 0; g < rows.size(); ++g) rows[g] = {now.names.segments[g], 0, std::vector<int64_t>(n, 0)};
  for (const auto& a : now.accounts) {
    const bool in_segment = a.segment >= 0 && static_cast<size_t>(a.segment) < rows.size();
    if (in_segment) ++rows[a.segment].accounts;
    if (!a.stale) continue;
    ++s.stale_accounts;
    std::string names;
    for (size_t i = 0; i < n && i < 64; ++i)
      if (a.stale >> i & 1) {
        ++s.now[i];
        if (in_segment) ++rows[a.segment].stale[i];
        names += (names.empty() ? "" : ";") + s.measures[i];
      }
    if (s.shown.size() < in.limits.stale_accounts)
      s.shown.push_back({a.key, std::string(name_at(now.names.segments, a.segment)), names});
  }
  for (auto& r : rows)
    if (r.accounts) s.rows.push_back(std::move(r));
  if (in.previous) {
    const auto& prev = in.previous->names.stale_measures;
    s.previous.assign(n, 0);
    std::vector<int32_t> map(prev.size());
    for (size_t i = 0; i < prev.size(); ++i) map[i] = index_of(s.measures, prev[i]);
    for (const auto& a : in.previous->accounts)
      for (size_t i = 0; i < prev.size() && i < 64; ++i)
        if ((a.stale >> i & 1) && map[i] >= 0) ++s.previous[map[i]];
    // Stale now, not stale (or absent) before: the pairs in both, plus new accounts already stale.
    std::vector<uint8_t> was_stale(now.accounts.size(), 0);
    for (const auto& p : changes->accounts) was_stale[p.after] = in.previous->accounts[p.before].stale != 0;
    for (size_t i = 0; i < now.accounts.size(); ++i) s.newly_stale += now.accounts[i].stale && !was_stale[i];
  } else {
    s.newly_stale = s.stale_accounts;
  }
  return s;
}

OutcomeSection outcome(const ReportInputs& in) {
  OutcomeSection s;
  if (!in.outcome) return s;
  s.present = true;
  s.file = in.outcome_file;
  s.column = in.outcome_column;
  const auto& now = *in.latest;
  const auto& outcomes = *in.outcome;
  std::vector<int32_t> group(now.accounts.size(), -1);
  std::vector<uint8_t> positive(now.accounts.size(), 0);
  std::unordered_map<std::string_view, bool> seen;
  for (size_t i = 0; i < now.accounts.size(); ++i) {
    const auto& a = now.accounts[i];
    const auto it = outcomes.find(a.key);
    if (it == outcomes.end()) {
      ++s.without_outcome;
      continue;
    }
    ++s.matched;
    group[i] = a.band;
    positive[i] = it->second;
    if (a.score >= 0) s.base.add(it->second);
  }
  s.not_in_snapshot = static_cast<int64_t>(outcomes.size()) - s.matched;
  const auto rates = rates_by_group(group, positive, now.names.bands.size());
  for (size_t b = 0; b < rates.size(); ++b) s.bands.push_back({now.names.bands[b], rates[b], lift(rates[b], s.base)});
  return s;
}

}  // namespace

ReportModel build_report(const ReportInputs& in) {
  if (!in.latest) throw std::invalid_argument("build_report: no latest snapshot");
  const auto& now = *in.latest;
  ReportModel m;
  m.title = now.info.title;
  m.as_of = now.info.as_of;
  m.card_hash = now.info.card_hash;
  m.previous_as_of = in.previous ? in.previous->info.as_of : std::string();
  m.snapshots = static_cast<int64_t>(in.over_time.size());
  std::optional<ChangesResult> changes;
  if (in.previous) changes = compute_changes(*in.previous, now, {});
  const ChangesResult* ch = changes ? &*changes : nullptr;
  m.headline = headline(in, ch);
  m.band_colors = now.names.band_colors;
  m.band_colors.resize(now.names.bands.size());
  m.over_time = over_time(in);
  segments(in, m);
  m.histogram = histogram(in);
  m.has_alerts = !now.names.alerts.empty();
  m.alerts = alerts(in);
  if (ch) m.movers = movers(in, *ch);
  m.rollups = rollups(in);
  m.stale = stale(in, ch);
  m.outcome = outcome(in);
  return m;
}

}  // namespace healthc::analysis
