// `test`'s checks: each case row's segment, score, band, label and override against its
// expectations, with the account's breakdown for those that fail.
#include "runtime/analysis/test_cases.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "compiler/ir/conventions.h"
#include "runtime/analysis/explain.h"
#include "runtime/pipeline/dataset.h"

namespace healthc::analysis {

const std::vector<std::string> kExpectColumns = {"expect_segment", "expect_score",    "expect_band",
                                                 "expect_label",   "expect_override", "description"};

namespace {

enum Expect { kSegment, kScore, kBand, kLabel, kOverride, kDescription, kColumns };

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// `expect_score`: N, LO..HI (both ends included), ..HI, LO.., or `unscored`.
struct ScoreExpectation {
  bool unscored = false;
  int lo = 0, hi = 100;
};
std::optional<ScoreExpectation> parse_score_expectation(const std::string& s) {
  ScoreExpectation e;
  if (s == "unscored") {
    e.unscored = true;
    return e;
  }
  const size_t dots = s.find("..");
  if (dots == std::string::npos) {
    auto v = parse_int(s);
    if (!v) return std::nullopt;
    e.lo = e.hi = *v;
    return e;
  }
  const std::string a = trim(std::string_view(s).substr(0, dots)), b = trim(std::string_view(s).substr(dots + 2));
  if (a.empty() && b.empty()) return std::nullopt;
  if (!a.empty()) {
    auto v = parse_int(a);
    if (!v) return std::nullopt;
    e.lo = *v;
  }
  if (!b.empty()) {
    auto v = parse_int(b);
    if (!v) return std::nullopt;
    e.hi = *v;
  }
  if (e.lo > e.hi) return std::nullopt;
  return e;
}

// Checks one named expectation (segment, band, label, override) against the actual name.
void check_name(CaseResult& r, const char* what, const std::string& expected, const std::string& actual,
                const std::vector<std::string>& known, const char* none_word) {
  if (expected.empty()) return;
  const bool none_allowed = *none_word != '\0';
  if (!(none_allowed && expected == "-") && std::find(known.begin(), known.end(), expected) == known.end()) {
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    if (none_allowed) list += (list.empty() ? "" : ", or ") + std::string(none_word);
    r.failures.push_back(fmt::format("{}: expected `{}`, which is not {} {} of the card ({})", what, expected,
                                     what[0] == 'o' ? "an" : "a", what, list));
    return;
  }
  const std::string shown = actual.empty() ? "-" : actual;
  if (shown != expected)
    r.failures.push_back(fmt::format("{}: expected {}, got {}", what, expected == "-" ? std::string("none (-)") : expected,
                                     actual.empty() ? std::string("none") : actual));
}

}  // namespace

bool run_case_file(const Scorecard& card, const std::string& path, double as_of, std::vector<CaseResult>& out,
                   std::string& error, const rt::DataReading& how) {
  const ir::Program& p = card.program();
  rt::Dataset data;
  if (!rt::load_dataset(card, path, kExpectColumns, data, error, 8192, how)) return false;
  // A misspelt expectation column would silently check nothing.
  if (!data.header.empty()) {
    size_t start = 0;
    while (start <= data.header.size()) {
      size_t comma = data.header.find(',', start);
      if (comma == std::string::npos) comma = data.header.size();
      std::string col = trim(std::string_view(data.header).substr(start, comma - start));
      if (col.size() >= 2 && col.front() == '"' && col.back() == '"') col = col.substr(1, col.size() - 2);
      if (col.rfind("expect_", 0) == 0 &&
          std::find(kExpectColumns.begin(), kExpectColumns.end(), col) == kExpectColumns.end()) {
        error = fmt::format("{}: unknown column `{}`: expectations are expect_segment, expect_score, expect_band, "
                            "expect_label and expect_override",
                            data.display_name(), col);
        return false;
      }
      start = comma + 1;
    }
  }
  bool any_expectation = false;
  for (size_t e = 0; e < kDescription; ++e) any_expectation |= data.extra_present[e];
  if (!any_expectation && data.rows > 0) {
    error = fmt::format("{}: no expect_* column, so nothing would be checked", data.display_name());
    return false;
  }

  std::vector<std::string> segments, bands, labels, overrides;
  for (const auto& s : p.segments) segments.push_back(s.name);
  segments.emplace_back(ir::kDefaultSegmentName);
  for (const auto& b : p.bands) bands.push_back(b.name);
  bands.emplace_back(ir::kUnscoredBandName);
  for (const auto& l : p.labels) labels.push_back(l.name);
  for (const auto& o : p.overrides) overrides.push_back(o.name);

  // Rows that could not be read are failing cases, in line order with the others.
  std::vector<CaseResult> results;
  for (const rt::Reject& rj : data.rejects)
    results.push_back(CaseResult{data.display_name(), fmt::format("line {}", rj.line), "", rj.line,
                                 {"the row cannot be read: " + rj.reason}, ""});
  const int32_t kf = p.key_field;
  const std::vector<BlockScores> scores = rt::score_blocks(card, data.blocks, as_of, true, 1, error);
  if (!error.empty()) {
    error = fmt::format("{}: {}", data.display_name(), error);
    return false;
  }
  for (size_t b = 0; b < data.blocks.size(); ++b) {
    const rt::ColumnBlock& block = data.blocks[b];
    const BlockScores& s = scores[b];
    for (size_t r = 0; r < block.rows; ++r) {
      auto cell = [&](Expect e) { return trim(block.extra[e][r].view()); };
      CaseResult c{data.display_name(), std::string(block.text[kf][r].view()), cell(kDescription), block.line[r], {}, ""};
      const int32_t seg = s.segment[r], band = s.band[r];
      check_name(c, "segment", cell(kSegment), segments[seg], segments, "");
      if (const std::string e = cell(kScore); !e.empty()) {
        const bool unscored = ir::is_unscored_score(s.score[r]);
        const std::string actual = unscored ? "unscored" : fmt::format("{}", s.score[r]);
        if (auto x = parse_score_expectation(e); !x) {
          c.failures.push_back(fmt::format("score: expected `{}`, which is not a score (0-100), a range like 60..70, "
                                           "or `unscored`", e));
        } else if (x->unscored ? !unscored : (s.score[r] < x->lo || s.score[r] > x->hi)) {
          c.failures.push_back(fmt::format("score: expected {}, got {}", e, actual));
        }
      }
      check_name(c, "band", cell(kBand), bands[band], bands, "");
      check_name(c, "label", cell(kLabel), ir::has_label(s.label[r]) ? labels[s.label[r]] : "", labels, "- for none");
      check_name(c, "override", cell(kOverride), ir::has_override(s.override_[r]) ? overrides[s.override_[r]] : "",
                 overrides, "- for none");
      if (!c.passed()) c.breakdown = explain_row(p, s, r, c.key);
      results.push_back(std::move(c));
    }
  }
  std::stable_sort(results.begin(), results.end(), [](const CaseResult& a, const CaseResult& b) { return a.line < b.line; });
  out.insert(out.end(), std::make_move_iterator(results.begin()), std::make_move_iterator(results.end()));
  return true;
}

}  // namespace healthc::analysis
