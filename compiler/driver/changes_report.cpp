// `healthc changes` output: the band transitions and each moved account's attribution (text,
// Markdown), the per-account CSV of issue 14 item 6, and JSON.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <thread>

#include "compiler/driver/history_report.h"
#include "compiler/driver/history_report_cells.h"
#include "compiler/driver/report.h"
#include "runtime/output.h"

namespace healthc::driver {
namespace {

constexpr size_t kFlushAt = 1 << 20;

void maybe_flush(std::string& out, const Flush& flush) {
  if (flush && out.size() >= kFlushAt) {
    flush(out);
    out.clear();
  }
}

std::string side_score(const analysis::SideSummary& s) { return s.score < 0 ? "unscored" : std::to_string(s.score); }

std::string or_none(std::string_view s) { return s.empty() ? "none" : std::string(s); }

// "acme: 72 -> 58 (-14); band healthy -> at_risk; segment ..." — what changed, named.
std::string account_line(const analysis::AccountChange& c) {
  std::string line = fmt::format("{}: {} -> {}", c.key, side_score(c.before), side_score(c.after));
  if (c.scored_both()) line += fmt::format(" ({:+d})", c.score_change());
  if (c.band_changed()) line += fmt::format("; band {} -> {}", c.before.band(), c.after.band());
  if (c.segment_changed()) line += fmt::format("; segment {} -> {}", c.before.segment(), c.after.segment());
  if (c.model_changed()) line += fmt::format("; model {} -> {}", c.before.model(), c.after.model());
  if (c.label_changed()) line += fmt::format("; label {} -> {}", or_none(c.before.label()), or_none(c.after.label()));
  if (c.override_changed())
    line += fmt::format("; override {} -> {}", or_none(c.before.override_name()), or_none(c.after.override_name()));
  return line;
}

// Why the account is not attributed (spec: "an account unscored on either side ... says so").
std::string unattributed_reason(const analysis::AccountChange& c) {
  const bool b = c.before.weighted < 0, a = c.after.weighted < 0;
  if (b && a) return "no weighted score in either snapshot: no contributions";
  return fmt::format("no weighted score in the {} snapshot: no contributions", b ? "earlier" : "later");
}

Table attribution_table(const analysis::ChangesResult& r, const analysis::AccountChange& c) {
  Table t;
  t.header = {"", "change", "by score", "by weight"};
  for (const auto& l : analysis::attribution_lines(r.measures, c))
    t.rows.push_back({l.name, fmt_signed(l.change, 1), std::isnan(l.by_score) ? "" : fmt_signed(l.by_score, 1),
                      std::isnan(l.by_weight) ? "" : fmt_signed(l.by_weight, 1)});
  return t;
}

// Formatting a million accounts is most of the work: two threads render alternate slices of
// r.accounts, appended in order, so the output is the same and memory stays bounded.
template <typename Rows>
void in_slices(size_t n, std::string& out, const Flush& flush, const Rows& rows) {
  constexpr size_t kSlice = 32768;
  if (n <= kSlice) {
    rows(0, n, out);
    return;
  }
  std::string second;
  for (size_t at = 0; at < n; at += 2 * kSlice) {
    const size_t mid = std::min(n, at + kSlice), end = std::min(n, at + 2 * kSlice);
    second.clear();
    std::thread helper([&] { rows(mid, end, second); });
    rows(at, mid, out);
    helper.join();
    out += second;
    maybe_flush(out, flush);
  }
}

void render_readable(const analysis::ChangesResult& r, bool markdown, std::string& out, const Flush& flush) {
  const ReportFormat rf = markdown ? ReportFormat::Markdown : ReportFormat::Text;
  const auto& from = r.before->info;
  const auto& to = r.after->info;
  out += markdown ? fmt::format("## Changes in \"{}\": {} to {}\n\n", to.title, from.as_of, to.as_of)
                  : fmt::format("changes in \"{}\": {} -> {}\n", to.title, from.as_of, to.as_of);
  out += fmt::format("accounts: {} in both, {} new, {} gone{}\n", r.in_both, r.only_after,
                     r.only_before, r.card_changed ? "; the card changed between the snapshots" : "");
  out += heading("band transitions", rf);
  Table t;
  t.header = {"from", "to", "accounts"};
  t.align = "llr";
  for (const auto& bt : r.transitions) t.rows.push_back({bt.from, bt.to, std::to_string(bt.accounts)});
  out += render_table(t, rf, 2);
  size_t moved = 0;
  for (const auto& p : r.accounts) moved += r.moved(p);
  out += heading(fmt::format("accounts that moved: {}", moved), rf);
  in_slices(r.accounts.size(), out, flush, [&](size_t begin, size_t end, std::string& piece) {
    analysis::AccountChange c;
    for (size_t k = begin; k < end; ++k) {
      if (!r.moved(r.accounts[k])) continue;
      r.change(r.accounts[k], c);
      piece += markdown ? fmt::format("**{}**\n\n", account_line(c)) : fmt::format("  {}\n", account_line(c));
      if (!c.attributed) {
        piece += markdown ? fmt::format("{}\n\n", unattributed_reason(c))
                          : fmt::format("    {}\n", unattributed_reason(c));
      } else {
        const Table at = attribution_table(r, c);
        if (!at.rows.empty()) piece += render_table(at, rf, 4) + (markdown ? "\n" : "");
      }
    }
  });
}

// CSV rows [begin, end) of r.accounts into `out`.
void csv_rows(const analysis::ChangesResult& r, size_t begin, size_t end, std::string& out) {
  auto number = [&](double v) {
    out += ',';
    if (!std::isnan(v)) rt::append_number(out, v == 0 ? 0.0 : v);  // no "-0"
  };
  auto score = [&](int32_t s) {
    out += ',';
    if (s >= 0) fmt::format_to(std::back_inserter(out), "{}", s);
  };
  auto text = [&](std::string_view s) {
    out += ',';
    cells::csv(out, s);
  };
  analysis::AccountChange c;
  for (size_t k = begin; k < end; ++k) {
    r.change(r.accounts[k], c);
    cells::csv(out, c.key);
    score(c.before.score);
    score(c.after.score);
    text(c.before.band());
    text(c.after.band());
    text(c.before.segment());
    text(c.after.segment());
    for (size_t i = 0; i < r.measures.names.size(); ++i) {
      if (!c.attributed) {
        out += ",,,";
        continue;
      }
      number(c.contribution[i]);
      number(c.by_score[i]);
      number(c.by_weight[i]);
    }
    number(c.before.rounding);
    number(c.after.rounding);
    number(c.before.override_effect);
    number(c.after.override_effect);
    text(c.before.override_name());
    text(c.after.override_name());
    out += '\n';
  }
}

void render_csv(const analysis::ChangesResult& r, std::string& out, const Flush& flush) {
  const std::string& key = r.after->names.key_field;
  cells::csv(out, key.empty() ? "key" : key);
  out += ",score1,score2,band1,band2,segment1,segment2";
  for (const auto& m : r.measures.names)
    for (const char* part : {".contribution", ".by_score", ".by_weight"}) out += ",", cells::csv(out, m + part);
  out += ",rounding1,rounding2,override1,override2,override_name1,override_name2\n";
  in_slices(r.accounts.size(), out, flush,
            [&](size_t begin, size_t end, std::string& piece) { csv_rows(r, begin, end, piece); });
}

void json_side(std::string& out, const analysis::SideSummary& s) {
  out += "{\"score\":";
  cells::json_score(out, s.score);
  out += ",\"weighted\":";
  cells::json_score(out, s.weighted);
  out += ",\"segment\":";
  rt::append_json_string(out, s.segment());
  out += ",\"model\":";
  cells::json_string_or_null(out, s.model());
  out += ",\"band\":";
  rt::append_json_string(out, s.band());
  out += ",\"label\":";
  cells::json_string_or_null(out, s.label());
  out += ",\"override\":";
  cells::json_string_or_null(out, s.override_name());
  out += ",\"rounding\":";
  cells::json_number(out, s.rounding);
  out += ",\"override_effect\":";
  cells::json_number(out, s.override_effect);
  out += "}";
}

void render_json(const analysis::ChangesResult& r, std::string& out, const Flush& flush) {
  out += "{\"scorecard\":";
  rt::append_json_string(out, r.after->info.title);
  out += ",\"from\":";
  rt::append_json_string(out, r.before->info.as_of);
  out += ",\"to\":";
  rt::append_json_string(out, r.after->info.as_of);
  out += fmt::format(",\"in_both\":{},\"new\":{},\"gone\":{},\"card_changed\":{},\"transitions\":[", r.in_both,
                     r.only_after, r.only_before, r.card_changed);
  for (size_t i = 0; i < r.transitions.size(); ++i) {
    out += i ? ",{\"from\":" : "{\"from\":";
    rt::append_json_string(out, r.transitions[i].from);
    out += ",\"to\":";
    rt::append_json_string(out, r.transitions[i].to);
    out += fmt::format(",\"accounts\":{}}}", r.transitions[i].accounts);
  }
  out += "],\"accounts\":[";
  in_slices(r.accounts.size(), out, flush, [&](size_t begin, size_t end, std::string& piece) {
    analysis::AccountChange c;
    for (size_t k = begin; k < end; ++k) {
      r.change(r.accounts[k], c);
      piece += k ? ",\n{\"key\":" : "\n{\"key\":";
      rt::append_json_string(piece, c.key);
      piece += fmt::format(",\"moved\":{},\"change\":", c.moved());
      piece += c.scored_both() ? std::to_string(c.score_change()) : "null";
      piece += ",\"before\":";
      json_side(piece, c.before);
      piece += ",\"after\":";
      json_side(piece, c.after);
      piece += ",\"measures\":";
      if (!c.attributed) {
        piece += "null";
      } else {
        piece += "{";
        for (size_t i = 0; i < r.measures.names.size(); ++i) {
          piece += i ? "," : "";
          rt::append_json_string(piece, r.measures.names[i]);
          piece += ":{\"contribution\":";
          cells::json_number(piece, c.contribution[i]);
          piece += ",\"by_score\":";
          cells::json_number(piece, c.by_score[i]);
          piece += ",\"by_weight\":";
          cells::json_number(piece, c.by_weight[i]);
          piece += "}";
        }
        piece += "}";
      }
      piece += "}";
    }
  });
  out += "]}\n";
}

}  // namespace

void render_changes(const analysis::ChangesResult& r, HistoryFormat format, std::string& out, const Flush& flush) {
  switch (format) {
    case HistoryFormat::Csv: render_csv(r, out, flush); break;
    case HistoryFormat::Json: render_json(r, out, flush); break;
    case HistoryFormat::Text: render_readable(r, false, out, flush); break;
    case HistoryFormat::Markdown: render_readable(r, true, out, flush); break;
  }
}

}  // namespace healthc::driver
