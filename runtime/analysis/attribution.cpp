// The spec's attribution of a score change: contributions w2*s2 - w1*s1 split into by-score
// w1*(s2 - s1) and by-weight (w2 - w1)*s2, then rounding and override effects per side.
#include "runtime/analysis/attribution.h"

#include <cmath>
#include <limits>
#include <unordered_map>

namespace healthc::analysis {
namespace {

using history::name_at;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// (w, s) of measure `m` of a record: both 0 where the measure is not in the account's model or
// is unscored (the record has NaN there), or where the card has no such measure.
void weight_and_score(const history::AccountRecord& r, int32_t m, double& w, double& s) {
  w = s = 0;
  if (m < 0 || static_cast<size_t>(m) >= r.m_weight.size() || static_cast<size_t>(m) >= r.m_score.size()) return;
  const double rw = r.m_weight[m], rs = r.m_score[m];
  if (std::isnan(rw) || std::isnan(rs)) return;
  w = rw, s = rs;
}

// `raw`: the sum of w*s over the side's measures, computed by the caller.
SideSummary summarise(const history::AccountRecord& r, const history::CardNames& n, double raw) {
  SideSummary out;
  out.names = &n;
  out.score = r.score;
  out.weighted = r.weighted;
  out.segment_index = r.segment;
  out.band_index = r.band;
  out.label_index = r.label;
  out.override_index = r.override_;
  out.raw = raw;
  if (r.weighted >= 0) {
    out.rounding = r.weighted - out.raw;
    out.override_effect = r.score - r.weighted;
  } else {
    out.rounding = out.override_effect = kNaN;
  }
  return out;
}

double raw_of(const history::AccountRecord& r, const std::vector<int32_t>& idx) {
  double raw = 0;
  for (int32_t m : idx) {
    double w, s;
    weight_and_score(r, m, w, s);
    raw += w * s;
  }
  return raw;
}

}  // namespace

std::string_view SideSummary::segment() const { return name_at(names->segments, segment_index); }
std::string_view SideSummary::model() const {
  return names->segment_models.empty() ? std::string_view() : name_at(names->segment_models, segment_index);
}
std::string_view SideSummary::band() const { return name_at(names->bands, band_index); }
std::string_view SideSummary::label() const { return label_index < 0 ? "" : name_at(names->labels, label_index); }
std::string_view SideSummary::override_name() const {
  return override_index < 0 ? "" : name_at(names->overrides, override_index);
}

MeasureMatch match_measures(const history::CardNames& before, const history::CardNames& after) {
  MeasureMatch m;
  std::unordered_map<std::string, int32_t> in_before;
  for (size_t i = 0; i < before.measures.size(); ++i) in_before.emplace(before.measures[i], static_cast<int32_t>(i));
  std::unordered_map<std::string, int32_t> in_after;
  for (size_t i = 0; i < after.measures.size(); ++i) {
    in_after.emplace(after.measures[i], static_cast<int32_t>(i));
    m.names.push_back(after.measures[i]);
    auto it = in_before.find(after.measures[i]);
    m.index1.push_back(it == in_before.end() ? -1 : it->second);
    m.index2.push_back(static_cast<int32_t>(i));
  }
  for (size_t i = 0; i < before.measures.size(); ++i)
    if (!in_after.count(before.measures[i])) {
      m.names.push_back(before.measures[i]);
      m.index1.push_back(static_cast<int32_t>(i));
      m.index2.push_back(-1);
    }
  return m;
}

bool AccountChange::moved() const {
  return before.score != after.score || band_changed() || segment_changed() || model_changed() || label_changed() ||
         override_changed();
}

void attribute(const history::AccountRecord& r1, const history::CardNames& names1, const history::AccountRecord& r2,
               const history::CardNames& names2, const MeasureMatch& match, AccountChange& c) {
  c.key = r2.key;
  c.row1 = r1.row;
  c.row2 = r2.row;
  // "Unscored on either side" means no weighted score, even where `score N` gave a final one.
  c.attributed = r1.weighted >= 0 && r2.weighted >= 0;
  c.contribution.clear();
  c.by_score.clear();
  c.by_weight.clear();
  if (!c.attributed) {
    c.before = summarise(r1, names1, raw_of(r1, match.index1));
    c.after = summarise(r2, names2, raw_of(r2, match.index2));
    return;
  }
  const size_t n = match.names.size();
  c.contribution.resize(n);
  c.by_score.resize(n);
  c.by_weight.resize(n);
  // Every measure of either card is in the match once, so the raw scores are summed here too.
  double raw1 = 0, raw2 = 0;
  for (size_t i = 0; i < n; ++i) {
    double w1, s1, w2, s2;
    weight_and_score(r1, match.index1[i], w1, s1);
    weight_and_score(r2, match.index2[i], w2, s2);
    raw1 += w1 * s1;
    raw2 += w2 * s2;
    c.contribution[i] = w2 * s2 - w1 * s1;
    c.by_score[i] = w1 * (s2 - s1);
    c.by_weight[i] = (w2 - w1) * s2;
  }
  c.before = summarise(r1, names1, raw1);
  c.after = summarise(r2, names2, raw2);
}

AccountChange attribute(const history::AccountRecord& r1, const history::CardNames& names1,
                        const history::AccountRecord& r2, const history::CardNames& names2,
                        const MeasureMatch& match) {
  AccountChange c;
  attribute(r1, names1, r2, names2, match, c);
  return c;
}

std::vector<AttributionLine> attribution_lines(const MeasureMatch& match, const AccountChange& c) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  auto nonzero = [](double v) { return std::fabs(v) > 1e-9; };
  auto or_none = [](std::string_view s) { return s.empty() ? std::string("none") : std::string(s); };
  std::vector<AttributionLine> lines;
  if (!c.attributed) return lines;
  for (size_t i = 0; i < match.names.size() && i < c.contribution.size(); ++i)
    if (nonzero(c.contribution[i]) || nonzero(c.by_score[i]) || nonzero(c.by_weight[i]))
      lines.push_back({match.names[i], c.contribution[i], c.by_score[i], c.by_weight[i]});
  const double rounding = c.after.rounding - c.before.rounding;
  if (nonzero(rounding)) lines.push_back({"rounding", rounding, kNaN, kNaN});
  const double ov = c.after.override_effect - c.before.override_effect;
  if (nonzero(ov) || c.override_changed())
    lines.push_back({c.override_changed() ? "override " + or_none(c.before.override_name()) + " -> " +
                                                or_none(c.after.override_name())
                                          : "override " + std::string(c.after.override_name()),
                     ov, kNaN, kNaN});
  return lines;
}

}  // namespace healthc::analysis
