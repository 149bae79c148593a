// `diff`'s computation: both cards score the data set with detail, then rows are compared.
#include "runtime/analysis/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "compiler/ir/conventions.h"
#include "runtime/analysis/distribution.h"

namespace healthc::analysis {
namespace {

std::string type_name(const ir::Field& f) {
  static const char* kNames[] = {"number", "bool", "text", "date", "enum"};
  std::string s = kNames[static_cast<int>(f.type)];
  if (f.type == ir::FieldType::Enum) {
    s += "(";
    // Spellings too: NEW reads the data with OLD's schema, so both must read each cell alike.
    for (size_t i = 0; i < f.members.size(); ++i) {
      s += (i ? ", " : "") + f.members[i];
      if (i < f.spellings.size()) s += " = \"" + f.spellings[i] + "\"";
    }
    s += ")";
  }
  if (f.optional) s += " optional";
  return s;
}

// NEW's view of blocks read with OLD's schema: its fields in its own order.
std::deque<rt::ColumnBlock> reorder(const std::deque<rt::ColumnBlock>& blocks, const ir::Program& from,
                                    const ir::Program& to) {
  std::vector<size_t> src(to.fields.size());
  for (size_t j = 0; j < to.fields.size(); ++j)
    for (size_t i = 0; i < from.fields.size(); ++i)
      if (from.fields[i].name == to.fields[j].name) src[j] = i;
  std::deque<rt::ColumnBlock> out;
  for (const rt::ColumnBlock& b : blocks) {
    rt::ColumnBlock c;
    c.rows = b.rows;
    c.line = b.line;
    c.first_row_index = b.first_row_index;
    for (size_t j = 0; j < src.size(); ++j) {
      c.num.push_back(b.num[src[j]]);
      c.valid.push_back(b.valid[src[j]]);
      c.text.push_back(b.text[src[j]]);
    }
    out.push_back(std::move(c));
  }
  return out;
}

struct Side {
  const ir::Program* p;
  std::vector<BlockScores> scores;
  rt::RowScores rows;
  std::string band_name(int32_t b) const { return std::string(ir::band_name(*p, b)); }
  std::string segment_name(int32_t s) const { return std::string(ir::segment_name(*p, s)); }
  std::string label_name(int32_t l) const { return ir::has_label(l) ? std::string(ir::label_name(*p, l)) : "(none)"; }
  std::string override_name(int32_t o) const {
    return ir::has_override(o) ? std::string(ir::override_name(*p, o)) : "(none)";
  }
  // Points a measure adds to the account's weighted score: effective weight x score.
  std::map<std::string, double> contributions(size_t block, size_t row) const {
    std::map<std::string, double> out;
    const BlockScores& s = scores[block];
    for (size_t m = 0; m < p->measures.size(); ++m) {
      const size_t at = m * s.rows + row;
      out[p->measures[m].name] = s.m_weight_valid[at] && s.m_score_valid[at] ? s.m_weight[at] * s.m_score[at] : 0.0;
    }
    return out;
  }
};

// Names in first-seen order, OLD's first.
std::vector<NameCount> tally(const std::vector<std::string>& old_names, const std::vector<std::string>& new_names,
                             const std::vector<int32_t>& old_idx, const std::vector<int32_t>& new_idx,
                             const Side& old_side, const Side& new_side, bool labels) {
  std::vector<NameCount> out;
  auto slot = [&](const std::string& n) -> NameCount& {
    for (NameCount& c : out)
      if (c.name == n) return c;
    out.push_back(NameCount{n});
    return out.back();
  };
  for (const auto& n : old_names) slot(n);
  for (const auto& n : new_names) slot(n);
  slot("(none)");
  for (int32_t i : old_idx) ++slot(labels ? old_side.label_name(i) : old_side.override_name(i)).old_count;
  for (int32_t i : new_idx) ++slot(labels ? new_side.label_name(i) : new_side.override_name(i)).new_count;
  return out;
}

std::string range_label(double lo, double width) {
  const long a = std::lround(lo), b = std::lround(lo + width - 1);
  return a == b ? fmt::format("{:+}", a) : fmt::format("{:+}..{:+}", a, b);
}

}  // namespace

std::vector<std::string> field_differences(const ir::Program& a, const ir::Program& b, const std::string& an,
                                           const std::string& bn) {
  std::vector<std::string> out;
  auto find = [](const ir::Program& p, const std::string& name) -> int32_t {
    for (size_t i = 0; i < p.fields.size(); ++i)
      if (p.fields[i].name == name) return static_cast<int32_t>(i);
    return -1;
  };
  for (size_t i = 0; i < a.fields.size(); ++i) {
    const ir::Field& fa = a.fields[i];
    const int32_t j = find(b, fa.name);
    if (j < 0) {
      out.push_back(fmt::format("field `{}` is in {} but not in {}", fa.name, an, bn));
      continue;
    }
    const ir::Field& fb = b.fields[j];
    if (type_name(fa) != type_name(fb))
      out.push_back(fmt::format("field `{}` is `{}` in {} but `{}` in {}", fa.name, type_name(fa), an, type_name(fb), bn));
    else if ((static_cast<int32_t>(i) == a.key_field) != (j == b.key_field))
      out.push_back(fmt::format("field `{}` is the key in {} only", fa.name,
                                static_cast<int32_t>(i) == a.key_field ? an : bn));
  }
  for (const ir::Field& fb : b.fields)
    if (find(a, fb.name) < 0) out.push_back(fmt::format("field `{}` is in {} but not in {}", fb.name, bn, an));
  return out;
}

CardDiff diff_cards(const Scorecard& old_card, const Scorecard& new_card, const rt::Dataset& data,
                    const DiffOptions& opt) {
  CardDiff d;
  const ir::Program& op = old_card.program();
  const ir::Program& np = new_card.program();
  bool same_order = op.fields.size() == np.fields.size();
  for (size_t i = 0; same_order && i < op.fields.size(); ++i) same_order = op.fields[i].name == np.fields[i].name;
  const std::deque<rt::ColumnBlock> new_blocks = same_order ? std::deque<rt::ColumnBlock>{} : reorder(data.blocks, op, np);
  Side o{&op, rt::score_blocks(old_card, data.blocks, opt.as_of, true, opt.threads, d.error), {}};
  if (!d.error.empty()) return d;
  Side n{&np, rt::score_blocks(new_card, same_order ? data.blocks : new_blocks, opt.as_of, true, opt.threads, d.error), {}};
  if (!d.error.empty()) return d;
  o.rows = rt::flatten(o.scores);
  n.rows = rt::flatten(n.scores);
  const std::vector<std::string_view> keys = rt::row_keys(old_card, data.blocks);
  const size_t rows = data.rows;
  d.rows = rows;
  d.rejected = data.rejects.size();

  // Band transitions: OLD's bands (+ unscored) by NEW's bands (+ unscored).
  const size_t ob = op.bands.size(), nb = np.bands.size();
  d.matrix.assign(ob + 1, std::vector<size_t>(nb + 1, 0));
  bool same_bands = ob == nb;
  for (size_t b = 0; same_bands && b < ob; ++b) same_bands = op.bands[b].name == np.bands[b].name;
  std::vector<double> deltas;
  std::vector<size_t> delta_rows;
  for (size_t i = 0; i < rows; ++i) {
    ++d.matrix[o.rows.band[i]][n.rows.band[i]];
    const bool os = !ir::is_unscored_score(o.rows.score[i]), ns = !ir::is_unscored_score(n.rows.score[i]);
    if (os && ns) {
      ++d.scored_by_both;
      deltas.push_back(n.rows.score[i] - o.rows.score[i]);
      delta_rows.push_back(i);
    } else if (os) {
      ++d.old_only;
    } else if (ns) {
      ++d.new_only;
    }
    if (o.band_name(o.rows.band[i]) != n.band_name(n.rows.band[i])) {
      ++d.band_changed;
      // Up or down by band order when both cards have the same bands, else by score.
      if (os && ns) {
        const bool higher = same_bands ? n.rows.band[i] > o.rows.band[i] : n.rows.score[i] > o.rows.score[i];
        ++(higher ? d.moved_up : d.moved_down);
        if (n.rows.score[i] == o.rows.score[i]) ++d.band_changed_same_score;
      }
    }
    const std::string os_name = o.segment_name(o.rows.segment[i]), ns_name = n.segment_name(n.rows.segment[i]);
    if (os_name != ns_name) ++d.segment_changed, ++d.segment_moves[{os_name, ns_name}];
  }
  for (size_t b = 0; b <= ob; ++b) d.old_bands.push_back(o.band_name(static_cast<int32_t>(b)));
  for (size_t b = 0; b <= nb; ++b) d.new_bands.push_back(n.band_name(static_cast<int32_t>(b)));
  d.unscored_row_used = std::any_of(d.matrix[ob].begin(), d.matrix[ob].end(), [](size_t c) { return c > 0; });
  for (size_t b = 0; b <= ob; ++b) d.unscored_column_used |= d.matrix[b][nb] > 0;

  // Score changes.
  std::vector<double> sorted = deltas;
  std::sort(sorted.begin(), sorted.end());
  d.mean_change = mean(deltas);
  double abs_sum = 0;
  for (double x : deltas) abs_sum += std::abs(x), d.changed += x != 0;
  d.mean_abs_change = deltas.empty() ? NAN : abs_sum / deltas.size();
  for (const auto& [name, at] : std::vector<std::pair<std::string, double>>{
           {"min", 0.0}, {"p5", 0.05}, {"p25", 0.25}, {"median", 0.5}, {"p75", 0.75}, {"p95", 0.95}, {"max", 1.0}})
    d.quantiles.emplace_back(name, quantile_sorted(sorted, at));
  if (!sorted.empty()) {
    const double reach = std::max(-sorted.front(), sorted.back());
    const double width = std::max(1.0, std::ceil(reach / 7));
    std::vector<double> neg, pos;
    size_t zero = 0;
    for (double x : deltas) {
      if (x < 0) neg.push_back(x);
      else if (x > 0) pos.push_back(x);
      else ++zero;
    }
    if (!neg.empty()) {
      const size_t nbins = static_cast<size_t>(std::ceil(-sorted.front() / width));
      const auto h = histogram(neg, -width * static_cast<double>(nbins), width, nbins);
      for (size_t b = 0; b < h.counts.size(); ++b) d.histogram.push_back({range_label(h.bin_lo(b), width), h.counts[b]});
    }
    d.histogram.push_back({"0", zero});
    if (!pos.empty()) {
      const size_t nbins = static_cast<size_t>(std::ceil(sorted.back() / width));
      const auto h = histogram(pos, 1, width, nbins);
      for (size_t b = 0; b < h.counts.size(); ++b) d.histogram.push_back({range_label(h.bin_lo(b), width), h.counts[b]});
    }
  }

  // Top movers: largest |change|, then file order.
  std::vector<size_t> order(delta_rows.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return std::abs(deltas[a]) > std::abs(deltas[b]); });
  std::vector<std::pair<size_t, size_t>> where(rows);  // row -> (block, index)
  {
    size_t i = 0;
    for (size_t b = 0; b < data.blocks.size(); ++b)
      for (size_t r = 0; r < data.blocks[b].rows; ++r) where[i++] = {b, r};
  }
  for (size_t k = 0; k < order.size() && d.movers.size() < opt.top; ++k) {
    if (deltas[order[k]] == 0) break;
    const size_t i = delta_rows[order[k]];
    Mover m{i, std::string(keys[i]), o.rows.score[i], n.rows.score[i], o.band_name(o.rows.band[i]),
            n.band_name(n.rows.band[i]), o.override_name(o.rows.override_[i]), n.override_name(n.rows.override_[i]), {}};
    auto oc = o.contributions(where[i].first, where[i].second), nc = n.contributions(where[i].first, where[i].second);
    for (const auto& [name, v] : nc) oc.try_emplace(name, 0.0);
    for (const auto& [name, v] : oc) {
      const double x = (nc.count(name) ? nc[name] : 0.0) - v;
      if (std::abs(x) >= 0.05) m.measures.emplace_back(name, x);
    }
    std::stable_sort(m.measures.begin(), m.measures.end(),
                     [](const auto& a, const auto& b) { return std::abs(a.second) > std::abs(b.second); });
    if (m.measures.size() > 3) m.measures.resize(3);
    d.movers.push_back(std::move(m));
  }

  // Labels and overrides.
  std::vector<std::string> oln, nln, oon, non;
  for (const auto& l : op.labels) oln.push_back(l.name);
  for (const auto& l : np.labels) nln.push_back(l.name);
  for (const auto& x : op.overrides) oon.push_back(x.name);
  for (const auto& x : np.overrides) non.push_back(x.name);
  d.labels = tally(oln, nln, o.rows.label, n.rows.label, o, n, true);
  d.overrides = tally(oon, non, o.rows.override_, n.rows.override_, o, n, false);
  return d;
}

}  // namespace healthc::analysis
