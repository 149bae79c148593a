// `healthc diff OLD.health NEW.health DATA`: what changing a scorecard does to real accounts
// before it ships. The library (runtime/analysis/diff.h) scores the same rows with both cards
// and compares them; this file parses the options and renders the result as text, JSON or
// Markdown: the band transition matrix, segment changes, the distribution of score changes,
// the top movers with the measures that moved them, and which labels and overrides fire more
// or less.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "compiler/driver/dataset.h"
#include "compiler/driver/report.h"
#include "compiler/driver/scoring_options.h"
#include "runtime/analysis/diff.h"
#include "runtime/analysis/distribution.h"

namespace healthc::driver {
namespace {

using nlohmann::json;
using analysis::ChangeBin;
using analysis::Mover;
using analysis::NameCount;

}  // namespace

int run_diff(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("old", po::value<std::string>()->required(), "the scorecard now in use (.health)")
      ("new", po::value<std::string>()->required(), "the changed scorecard (.health)")
      ("data", po::value<std::string>()->required(), "accounts: CSV or JSON Lines")
      ("top", po::value<size_t>()->default_value(10), "how many top movers to list")
      ("threads", po::value<int>()->default_value(default_threads(), "all cores"), "threads to score with");
  add_scoring_options(opts);
  add_data_options(opts);
  const std::vector<Format> formats{Format::Text, Format::Json, Format::Markdown};
  add_format_option(opts, formats, "markdown: for a pull request");
  po::positional_options_description pos;
  pos.add("old", 1).add("new", 1).add("data", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("diff",
                     "OLD.health NEW.health DATA [options]\n\nScores DATA with both cards and shows what changes: band "
                     "transitions, segment changes, score\nchanges, top movers, labels and overrides. The cards must "
                     "declare the same fields.\nExit 0 on success, 3 or 4 when some or all data rows were rejected, 1 on a card or data "
                     "error, 2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  Format chosen;
  if (!read_format("diff", vm, formats, chosen, code)) return code;
  const ReportFormat format = to_report_format(chosen);
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
  note_past_missing("diff", old_path, old_card->program());
  note_past_missing("diff", new_path, new_card->program());
  const ir::Program& op = old_card->program();
  const ir::Program& np = new_card->program();
  if (auto diffs = analysis::field_differences(op, np, old_path, new_path); !diffs.empty()) {
    fmt::print(stderr, "healthc diff: the cards' fields differ, so they cannot score the same data:\n");
    for (const auto& d : diffs) fmt::print(stderr, "  {}\n", d);
    return kExitErrors;
  }

  Dataset data;
  std::string err;
  rt::DataReading reading;
  if (!data_reading("diff", vm, reading, code)) return code;
  if (!load_dataset(*old_card, vm["data"].as<std::string>(), {}, data, err, 8192, reading)) {
    fmt::print(stderr, "healthc diff: {}\n", err);
    return kExitErrors;
  }
  print_rejects(data);
  analysis::DiffOptions options;
  options.as_of = as_of;
  options.threads = threads;
  options.top = vm["top"].as<size_t>();
  const analysis::CardDiff d = analysis::diff_cards(*old_card, *new_card, data, options);
  if (!d.error.empty()) {
    fmt::print(stderr, "healthc diff: {}: {}\n", data.display_name(), d.error);
    return kExitErrors;
  }
  const size_t rows = d.rows;
  const size_t ob = op.bands.size(), nb = np.bands.size();
  const auto& matrix = d.matrix;
  const auto& row_bands = d.old_bands;
  const auto& col_bands = d.new_bands;
  const bool show_unscored_row = d.unscored_row_used, show_unscored_col = d.unscored_column_used;
  const auto& seg_moves = d.segment_moves;
  const auto& bins = d.histogram;
  const auto& movers = d.movers;
  const size_t both = d.scored_by_both, old_only = d.old_only, new_only = d.new_only;
  const size_t band_changed = d.band_changed, up = d.moved_up, down = d.moved_down;
  const size_t same_score = d.band_changed_same_score, seg_changed = d.segment_changed;

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
    for (const auto& [name, v] : d.quantiles) q[name] = v;
    json h = json::array();
    for (const ChangeBin& b : bins) h.push_back({{"change", b.label}, {"count", b.count}});
    j["score_change"] = {{"mean", d.mean_change}, {"mean_abs", d.mean_abs_change},
                         {"changed", d.changed}, {"quantiles", q}, {"histogram", h}};
    json mv = json::array();
    for (const Mover& x : movers) {
      json ms = json::array();
      for (const auto& [name, d] : x.measures) ms.push_back({{"measure", name}, {"points", d}});
      mv.push_back({{"key", x.key}, {"old_score", x.old_score}, {"new_score", x.new_score},
                    {"change", x.new_score - x.old_score}, {"old_band", x.old_band}, {"new_band", x.new_band},
                    {"old_override", x.old_override}, {"new_override", x.new_override}, {"measures", ms}});
    }
    j["top_movers"] = mv;
    auto counts = [](const std::vector<NameCount>& cs) {
      json a = json::array();
      for (const NameCount& c : cs)
        a.push_back({{"name", c.name}, {"old", c.old_count}, {"new", c.new_count},
                     {"change", static_cast<int64_t>(c.new_count) - static_cast<int64_t>(c.old_count)}});
      return a;
    };
    j["labels"] = counts(d.labels);
    j["overrides"] = counts(d.overrides);
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return rows_exit_code(data);
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
  if (both == 0) {
    out += fmt::format("{}no account is scored by both cards\n", bullet);
  } else {
    out += fmt::format("{}mean {}, mean absolute {}, changed {} ({})\n", bullet, fmt_signed(d.mean_change, 2),
                       fmt_fixed(d.mean_abs_change, 2), d.changed, fmt_pct(share(d.changed, both)));
    std::string q;
    for (const auto& [name, v] : d.quantiles) {
      q += fmt::format("{}{} {}", q.empty() ? "" : ", ", name, v == std::round(v) ? fmt_signed(v, 0) : fmt_signed(v, 1));
    }
    out += bullet + q + "\n";
    if (md) out += "\n```\n";
    size_t max = 0, lw = 0;
    for (const ChangeBin& b : bins) max = std::max(max, b.count), lw = std::max(lw, b.label.size());
    for (const ChangeBin& b : bins) {
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

  auto count_table = [&](const std::string& what, const std::vector<NameCount>& cs) {
    Table t{{what, "old", "new", "change"}, {}, ""};
    for (const NameCount& c : cs) {
      if (c.old_count == 0 && c.new_count == 0) continue;
      t.rows.push_back({c.name, fmt::format("{}", c.old_count), fmt::format("{}", c.new_count),
                        fmt::format("{:+}", static_cast<int64_t>(c.new_count) - static_cast<int64_t>(c.old_count))});
    }
    return t;
  };
  out += heading("Labels", format);
  out += render_table(count_table("label", d.labels), format);
  out += heading("Overrides (which applied)", format);
  out += render_table(count_table("override", d.overrides), format);
  fmt::print("{}", out);
  return rows_exit_code(data);
}

}  // namespace healthc::driver
