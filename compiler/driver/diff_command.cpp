// `healthc diff OLD.health NEW.health DATA`: what changing a scorecard does to real accounts
// before it ships. Both cards score the same rows through the embedding API; the report is the
// band transition matrix, segment changes, the distribution of score changes, the top movers
// with the measures that moved them, and which labels and overrides fire more or less.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "compiler/driver/dataset.h"
#include "compiler/driver/report.h"
#include "compiler/driver/scoring_options.h"
#include "runtime/analysis/distribution.h"

namespace healthc::driver {
namespace {

using nlohmann::json;

std::string type_name(const ir::Field& f) {
  static const char* kNames[] = {"number", "bool", "text", "date", "enum"};
  std::string s = kNames[static_cast<int>(f.type)];
  if (f.type == ir::FieldType::Enum) {
    s += "(";
    for (size_t i = 0; i < f.members.size(); ++i) s += (i ? ", " : "") + f.members[i];
    s += ")";
  }
  if (f.optional) s += " optional";
  return s;
}

// Every way the two cards' fields differ; empty when they read the same data the same way.
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
  RowScores rows;
  std::string band_name(int32_t b) const { return b < static_cast<int32_t>(p->bands.size()) ? p->bands[b].name : "unscored"; }
  std::string segment_name(int32_t s) const {
    return s < static_cast<int32_t>(p->segments.size()) ? p->segments[s].name : "default";
  }
  std::string label_name(int32_t l) const { return l < 0 ? "(none)" : p->labels[l].name; }
  std::string override_name(int32_t o) const { return o < 0 ? "(none)" : p->overrides[o].name; }
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

struct Mover {
  size_t row;
  std::string key;
  int32_t old_score, new_score;
  std::string old_band, new_band, old_override, new_override;
  std::vector<std::pair<std::string, double>> measures;  // largest contribution changes first
};

struct Count {
  std::string name;
  size_t old_count = 0, new_count = 0;
};

// Names in first-seen order, OLD's first.
std::vector<Count> tally(const std::vector<std::string>& old_names, const std::vector<std::string>& new_names,
                         const std::vector<int32_t>& old_idx, const std::vector<int32_t>& new_idx,
                         const Side& old_side, const Side& new_side, bool labels) {
  std::vector<Count> out;
  auto slot = [&](const std::string& n) -> Count& {
    for (Count& c : out)
      if (c.name == n) return c;
    out.push_back(Count{n});
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

int run_diff(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("old", po::value<std::string>()->required(), "the scorecard now in use (.health)")
      ("new", po::value<std::string>()->required(), "the changed scorecard (.health)")
      ("data", po::value<std::string>()->required(), "accounts: CSV or JSON Lines")
      ("format", po::value<std::string>()->default_value("text"), "`text`, `json` or `markdown` (for a pull request)")
      ("top", po::value<size_t>()->default_value(10), "how many top movers to list")
      ("threads", po::value<int>()->default_value(default_threads()), "threads to score with");
  add_scoring_options(opts);
  po::positional_options_description pos;
  pos.add("old", 1).add("new", 1).add("data", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("diff",
                     "OLD.health NEW.health DATA [options]\n\nScores DATA with both cards and shows what changes: band "
                     "transitions, segment changes, score\nchanges, top movers, labels and overrides. The cards must "
                     "declare the same fields.\nExit 0 on success, 1 on a card or data error, 2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  ReportFormat format;
  if (!parse_report_format(vm["format"].as<std::string>(), format))
    return usage_error("diff", "--format must be `text`, `json` or `markdown`");
  double as_of = 0;
  if (!as_of_days(vm, as_of)) return usage_error("diff", "--as-of must be a date YYYY-MM-DD");
  const int threads = vm["threads"].as<int>();
  if (threads < 1 || threads > 1024) return usage_error("diff", "--threads must be from 1 to 1024");
  const std::string old_path = vm["old"].as<std::string>(), new_path = vm["new"].as<std::string>();

  // load_scorecard reads the card from "card".
  po::variables_map vm_old = vm, vm_new = vm;
  vm_old.insert_or_assign("card", po::variable_value(old_path, false));
  vm_new.insert_or_assign("card", po::variable_value(new_path, false));
  auto old_card = load_scorecard("diff", vm_old, code, true);
  if (!old_card) return code;
  auto new_card = load_scorecard("diff", vm_new, code, true);
  if (!new_card) return code;
  const ir::Program& op = old_card->program();
  const ir::Program& np = new_card->program();
  if (auto diffs = field_differences(op, np, old_path, new_path); !diffs.empty()) {
    fmt::print(stderr, "healthc diff: the cards' fields differ, so they cannot score the same data:\n");
    for (const auto& d : diffs) fmt::print(stderr, "  {}\n", d);
    return kExitErrors;
  }

  Dataset data;
  std::string err;
  if (!load_dataset(*old_card, vm["data"].as<std::string>(), {}, data, err)) {
    fmt::print(stderr, "healthc diff: {}\n", err);
    return kExitErrors;
  }
  print_rejects(data);
  bool same_order = op.fields.size() == np.fields.size();
  for (size_t i = 0; same_order && i < op.fields.size(); ++i) same_order = op.fields[i].name == np.fields[i].name;
  const std::deque<rt::ColumnBlock> new_blocks = same_order ? std::deque<rt::ColumnBlock>{} : reorder(data.blocks, op, np);
  Side o{&op, score_blocks(*old_card, data.blocks, as_of, true, threads), {}};
  Side n{&np, score_blocks(*new_card, same_order ? data.blocks : new_blocks, as_of, true, threads), {}};
  o.rows = flatten(o.scores);
  n.rows = flatten(n.scores);
  const std::vector<std::string_view> keys = row_keys(*old_card, data.blocks);
  const size_t rows = data.rows;

  // Band transitions: OLD's bands (+ unscored) by NEW's bands (+ unscored).
  const size_t ob = op.bands.size(), nb = np.bands.size();
  std::vector<std::vector<size_t>> matrix(ob + 1, std::vector<size_t>(nb + 1, 0));
  size_t both = 0, band_changed = 0, up = 0, down = 0, same_score = 0, old_only = 0, new_only = 0, seg_changed = 0;
  bool same_bands = ob == nb;
  for (size_t b = 0; same_bands && b < ob; ++b) same_bands = op.bands[b].name == np.bands[b].name;
  std::map<std::pair<std::string, std::string>, size_t> seg_moves;
  std::vector<double> deltas;
  std::vector<size_t> delta_rows;
  for (size_t i = 0; i < rows; ++i) {
    ++matrix[o.rows.band[i]][n.rows.band[i]];
    const bool os = o.rows.score[i] >= 0, ns = n.rows.score[i] >= 0;
    if (os && ns) {
      ++both;
      deltas.push_back(n.rows.score[i] - o.rows.score[i]);
      delta_rows.push_back(i);
    } else if (os) {
      ++old_only;
    } else if (ns) {
      ++new_only;
    }
    if (o.band_name(o.rows.band[i]) != n.band_name(n.rows.band[i])) {
      ++band_changed;
      // Up or down by band order when both cards have the same bands, else by score.
      if (os && ns) {
        const bool higher = same_bands ? n.rows.band[i] > o.rows.band[i] : n.rows.score[i] > o.rows.score[i];
        ++(higher ? up : down);
        if (n.rows.score[i] == o.rows.score[i]) ++same_score;
      }
    }
    const std::string os_name = o.segment_name(o.rows.segment[i]), ns_name = n.segment_name(n.rows.segment[i]);
    if (os_name != ns_name) ++seg_changed, ++seg_moves[{os_name, ns_name}];
  }
  std::vector<std::string> row_bands, col_bands;
  for (size_t b = 0; b <= ob; ++b) row_bands.push_back(o.band_name(static_cast<int32_t>(b)));
  for (size_t b = 0; b <= nb; ++b) col_bands.push_back(n.band_name(static_cast<int32_t>(b)));
  const bool show_unscored_row = std::any_of(matrix[ob].begin(), matrix[ob].end(), [](size_t c) { return c > 0; });
  bool show_unscored_col = false;
  for (size_t b = 0; b <= ob; ++b) show_unscored_col |= matrix[b][nb] > 0;

  // Score changes.
  std::vector<double> sorted = deltas;
  std::sort(sorted.begin(), sorted.end());
  const double mean = analysis::mean(deltas);
  double abs_sum = 0;
  size_t changed = 0;
  for (double d : deltas) abs_sum += std::abs(d), changed += d != 0;
  const std::vector<std::pair<std::string, double>> quantiles = {
      {"min", 0.0}, {"p5", 0.05}, {"p25", 0.25}, {"median", 0.5}, {"p75", 0.75}, {"p95", 0.95}, {"max", 1.0}};
  // Histogram bins: unchanged accounts alone in the middle, then equal bins either side.
  struct Bin {
    std::string label;
    size_t count;
  };
  std::vector<Bin> bins;
  if (!sorted.empty()) {
    const double reach = std::max(-sorted.front(), sorted.back());
    const double width = std::max(1.0, std::ceil(reach / 7));
    std::vector<double> neg, pos;
    size_t zero = 0;
    for (double d : deltas) {
      if (d < 0) neg.push_back(d);
      else if (d > 0) pos.push_back(d);
      else ++zero;
    }
    if (!neg.empty()) {
      const size_t nbins = static_cast<size_t>(std::ceil(-sorted.front() / width));
      const auto h = analysis::histogram(neg, -width * static_cast<double>(nbins), width, nbins);
      for (size_t b = 0; b < h.counts.size(); ++b) bins.push_back({range_label(h.bin_lo(b), width), h.counts[b]});
    }
    bins.push_back({"0", zero});
    if (!pos.empty()) {
      const size_t nbins = static_cast<size_t>(std::ceil(sorted.back() / width));
      const auto h = analysis::histogram(pos, 1, width, nbins);
      for (size_t b = 0; b < h.counts.size(); ++b) bins.push_back({range_label(h.bin_lo(b), width), h.counts[b]});
    }
  }

  // Top movers: largest |change|, then file order.
  std::vector<size_t> order(delta_rows.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return std::abs(deltas[a]) > std::abs(deltas[b]); });
  std::vector<Mover> movers;
  std::vector<std::pair<size_t, size_t>> where(rows);  // row -> (block, index)
  {
    size_t i = 0;
    for (size_t b = 0; b < data.blocks.size(); ++b)
      for (size_t r = 0; r < data.blocks[b].rows; ++r) where[i++] = {b, r};
  }
  for (size_t k = 0; k < order.size() && movers.size() < vm["top"].as<size_t>(); ++k) {
    if (deltas[order[k]] == 0) break;
    const size_t i = delta_rows[order[k]];
    Mover m{i, std::string(keys[i]), o.rows.score[i], n.rows.score[i], o.band_name(o.rows.band[i]),
            n.band_name(n.rows.band[i]), o.override_name(o.rows.override_[i]), n.override_name(n.rows.override_[i]), {}};
    auto oc = o.contributions(where[i].first, where[i].second), nc = n.contributions(where[i].first, where[i].second);
    for (const auto& [name, v] : nc) oc.try_emplace(name, 0.0);
    for (const auto& [name, v] : oc) {
      const double d = (nc.count(name) ? nc[name] : 0.0) - v;
      if (std::abs(d) >= 0.05) m.measures.emplace_back(name, d);
    }
    std::stable_sort(m.measures.begin(), m.measures.end(),
                     [](const auto& a, const auto& b) { return std::abs(a.second) > std::abs(b.second); });
    if (m.measures.size() > 3) m.measures.resize(3);
    movers.push_back(std::move(m));
  }

  // Labels and overrides.
  std::vector<std::string> oln, nln, oon, non;
  for (const auto& l : op.labels) oln.push_back(l.name);
  for (const auto& l : np.labels) nln.push_back(l.name);
  for (const auto& x : op.overrides) oon.push_back(x.name);
  for (const auto& x : np.overrides) non.push_back(x.name);
  const auto labels = tally(oln, nln, o.rows.label, n.rows.label, o, n, true);
  const auto overrides = tally(oon, non, o.rows.override_, n.rows.override_, o, n, false);

  auto share = [&](size_t c, size_t of) { return of ? static_cast<double>(c) / static_cast<double>(of) : NAN; };
  auto moved_by = [](const Mover& m) {
    std::string s;
    for (const auto& [name, d] : m.measures) s += fmt::format("{}{} {}", s.empty() ? "" : "; ", name, fmt_signed(d, 1));
    if (m.old_override != m.new_override) s += fmt::format("{}override {} -> {}", s.empty() ? "" : "; ", m.old_override, m.new_override);
    return s.empty() ? std::string("-") : s;
  };

  if (format == ReportFormat::Json) {
    json j{{"old", old_path}, {"new", new_path}, {"data", data.display_name()}};
    j["accounts"] = {{"read", rows + data.rejects.size()}, {"rejected", data.rejects.size()}, {"scored_by_both", both},
                     {"scored_by_old_only", old_only}, {"scored_by_new_only", new_only},
                     {"band_changed", band_changed}, {"moved_up", up}, {"moved_down", down},
                     {"band_changed_same_score", same_score},
                     {"segment_changed", seg_changed}};
    json m = json::array();
    for (size_t b = 0; b <= ob; ++b) {
      size_t total = 0;
      for (size_t c : matrix[b]) total += c;
      json row{{"old_band", row_bands[b]}, {"accounts", total}, {"to", json::object()}};
      for (size_t c = 0; c <= nb; ++c)
        if (matrix[b][c]) row["to"][col_bands[c]] = {{"count", matrix[b][c]}, {"share", share(matrix[b][c], total)}};
      m.push_back(row);
    }
    j["band_transitions"] = m;
    json sm = json::array();
    for (const auto& [k, c] : seg_moves) sm.push_back({{"old_segment", k.first}, {"new_segment", k.second}, {"count", c}});
    j["segment_changes"] = sm;
    json q = json::object();
    for (const auto& [name, at] : quantiles) q[name] = analysis::quantile_sorted(sorted, at);
    json h = json::array();
    for (const Bin& b : bins) h.push_back({{"change", b.label}, {"count", b.count}});
    j["score_change"] = {{"mean", mean}, {"mean_abs", deltas.empty() ? NAN : abs_sum / deltas.size()},
                         {"changed", changed}, {"quantiles", q}, {"histogram", h}};
    json mv = json::array();
    for (const Mover& x : movers) {
      json ms = json::array();
      for (const auto& [name, d] : x.measures) ms.push_back({{"measure", name}, {"points", d}});
      mv.push_back({{"key", x.key}, {"old_score", x.old_score}, {"new_score", x.new_score},
                    {"change", x.new_score - x.old_score}, {"old_band", x.old_band}, {"new_band", x.new_band},
                    {"old_override", x.old_override}, {"new_override", x.new_override}, {"measures", ms}});
    }
    j["top_movers"] = mv;
    auto counts = [](const std::vector<Count>& cs) {
      json a = json::array();
      for (const Count& c : cs)
        a.push_back({{"name", c.name}, {"old", c.old_count}, {"new", c.new_count},
                     {"change", static_cast<int64_t>(c.new_count) - static_cast<int64_t>(c.old_count)}});
      return a;
    };
    j["labels"] = counts(labels);
    j["overrides"] = counts(overrides);
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return kExitOk;
  }

  const bool md = format == ReportFormat::Markdown;
  const std::string bullet = md ? "- " : "  ";
  std::string out;
  if (md) out += fmt::format("## Scorecard diff: `{}` -> `{}`\n\nOn `{}`, {} accounts.\n\n", old_path, new_path,
                             data.display_name(), rows);
  else out += fmt::format("diff {} -> {} on {} ({} accounts)\n", old_path, new_path, data.display_name(), rows);
  out += fmt::format("{}scored by both: {}; by the old card only: {}; by the new card only: {}{}\n", bullet, both,
                     old_only, new_only, data.rejects.empty() ? "" : fmt::format("; {} rows rejected", data.rejects.size()));
  out += fmt::format("{}band changed: {} ({}): {} up, {} down{}\n", bullet, band_changed,
                     fmt_pct(share(band_changed, rows)), up, down,
                     same_score ? fmt::format("; {} of them with the same score (the thresholds moved)", same_score) : "");
  out += fmt::format("{}segment changed: {} ({})\n", bullet, seg_changed, fmt_pct(share(seg_changed, rows)));

  auto band_table = [&](bool shares) {
    Table t;
    t.header.push_back("old \\ new");
    for (size_t c = 0; c <= nb; ++c)
      if (c < nb || show_unscored_col) t.header.push_back(col_bands[c]);
    t.header.push_back(shares ? "accounts" : "total");
    for (size_t b = 0; b <= ob; ++b) {
      if (b == ob && !show_unscored_row) continue;
      size_t total = 0;
      for (size_t c : matrix[b]) total += c;
      std::vector<std::string> r{row_bands[b]};
      for (size_t c = 0; c <= nb; ++c)
        if (c < nb || show_unscored_col)
          r.push_back(shares ? fmt_pct(share(matrix[b][c], total)) : fmt::format("{}", matrix[b][c]));
      r.push_back(fmt::format("{}", total));
      t.rows.push_back(r);
    }
    return t;
  };
  out += heading("Band transitions: accounts (rows: old band, columns: new band)", format);
  out += render_table(band_table(false), format);
  out += heading("Band transitions: share of each old band's accounts", format);
  out += render_table(band_table(true), format);

  out += heading("Segment changes", format);
  if (seg_moves.empty()) {
    out += fmt::format("{}no account changed segment\n", bullet);
  } else {
    Table t{{"old segment", "new segment", "accounts"}, {}, "llr"};
    for (const auto& [k, c] : seg_moves) t.rows.push_back({k.first, k.second, fmt::format("{}", c)});
    out += render_table(t, format);
  }

  out += heading("Score change (new - old), accounts scored by both", format);
  if (deltas.empty()) {
    out += fmt::format("{}no account is scored by both cards\n", bullet);
  } else {
    out += fmt::format("{}mean {}, mean absolute {}, changed {} ({})\n", bullet, fmt_signed(mean, 2),
                       fmt_fixed(abs_sum / deltas.size(), 2), changed, fmt_pct(share(changed, deltas.size())));
    std::string q;
    for (const auto& [name, at] : quantiles) {
      const double v = analysis::quantile_sorted(sorted, at);
      q += fmt::format("{}{} {}", q.empty() ? "" : ", ", name, v == std::round(v) ? fmt_signed(v, 0) : fmt_signed(v, 1));
    }
    out += bullet + q + "\n";
    if (md) out += "\n```\n";
    size_t max = 0, lw = 0;
    for (const Bin& b : bins) max = std::max(max, b.count), lw = std::max(lw, b.label.size());
    for (const Bin& b : bins) {
      std::string line = fmt::format("  {:>{}} {:>7}  {}", b.label, lw, b.count, analysis::text_bar(b.count, max, 40));
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    if (md) out += "```\n";
  }

  out += heading(movers.empty() ? std::string("Top movers")
                                : fmt::format("Top {} movers (the measures whose points changed most)", movers.size()),
                 format);
  if (movers.empty()) {
    out += fmt::format("{}no account's score changed\n", bullet);
  } else {
    Table t{{"account", "old", "new", "change", "band", "moved by"}, {}, "lrrrll"};
    for (const Mover& m : movers)
      t.rows.push_back({m.key, fmt::format("{}", m.old_score), fmt::format("{}", m.new_score),
                        fmt::format("{:+}", m.new_score - m.old_score),
                        m.old_band == m.new_band ? m.old_band : m.old_band + " -> " + m.new_band, moved_by(m)});
    out += render_table(t, format);
  }

  auto count_table = [&](const std::string& what, const std::vector<Count>& cs) {
    Table t{{what, "old", "new", "change"}, {}, ""};
    for (const Count& c : cs) {
      if (c.old_count == 0 && c.new_count == 0) continue;
      t.rows.push_back({c.name, fmt::format("{}", c.old_count), fmt::format("{}", c.new_count),
                        fmt::format("{:+}", static_cast<int64_t>(c.new_count) - static_cast<int64_t>(c.old_count))});
    }
    return t;
  };
  out += heading("Labels", format);
  out += render_table(count_table("label", labels), format);
  out += heading("Overrides (which applied)", format);
  out += render_table(count_table("override", overrides), format);
  fmt::print("{}", out);
  return kExitOk;
}

}  // namespace healthc::driver
