// The checker's driver and the declaration rules: names, fields, bands, measures, segments,
// overrides and labels. Expressions are in expr_check.cpp, weight trees in model_check.cpp.
#include <algorithm>
#include <cmath>

#include "compiler/check/checker.h"
#include "compiler/diag/suggest.h"
#include "compiler/syntax/parse.h"

namespace healthc::check {
namespace {

template <typename T>
void collect(std::unordered_map<std::string, int32_t>& table, const std::vector<T>& decls, const char* what,
             DiagnosticList& diags) {
  for (size_t i = 0; i < decls.size(); ++i) {
    const ast::Name& n = decls[i].name;
    auto [it, inserted] = table.emplace(n.text, static_cast<int32_t>(i));
    if (!inserted) {
      diags.report(DiagKind::DuplicateName, n.range, what, n.text);
      diags.note(DiagKind::NoteFirstDefined, decls[it->second].name.range);
    }
  }
}

bool is_whole(double v) { return std::isfinite(v) && v == std::floor(v); }

}  // namespace

std::string describe(const ast::Type& t, const ast::Scorecard& card) {
  switch (t.kind) {
    case ast::Type::Error: return "an invalid expression";
    case ast::Type::Number: return "a number";
    case ast::Type::Bool: return "a bool";
    case ast::Type::Text: return "a text";
    case ast::Type::Date: return "a date";
    case ast::Type::Enum:
      return t.index >= 0 && static_cast<size_t>(t.index) < card.fields.size()
                 ? "an enum of `" + card.fields[t.index].name.text + "`"
                 : "an enum";
    case ast::Type::BandSet: return "a band";
    case ast::Type::SegmentSet: return "a segment";
    case ast::Type::LabelSet: return "a label";
    case ast::Type::OverrideSet: return "an override";
  }
  return "?";
}

CheckResult Checker::run() {
  if (!card_.has_header) diags_.report(DiagKind::MissingScorecard, SourceRange{0, 0});
  collect_names();
  check_fields();
  check_bands();
  check_measures();
  check_models();
  check_segments_overrides_labels();
  check_alerts();
  check_stale_rules();
  check_rollups();
  CheckResult r;
  r.ok = !diags_.has_errors();
  r.checked = std::move(out_);
  return r;
}

void Checker::collect_names() {
  auto add_value = [&](const ast::Name& n, ast::Resolution res, SourceRange first_hint) {
    auto [it, inserted] = values_.emplace(n.text, res);
    if (!inserted) {
      const ast::Resolution prev = it->second;
      const char* what = res.kind == ast::Resolution::Field   ? "field"
                         : res.kind == ast::Resolution::Param ? "param"
                                                              : "measure";
      diags_.report(DiagKind::DuplicateName, n.range, what, n.text);
      SourceRange first = first_hint;
      if (prev.kind == ast::Resolution::Field) first = card_.fields[prev.index].name.range;
      else if (prev.kind == ast::Resolution::Param) first = card_.params[prev.index].name.range;
      else if (prev.kind == ast::Resolution::Measure) first = card_.measures[prev.index].name.range;
      diags_.note(DiagKind::NoteFirstDefined, first);
    }
  };
  for (size_t i = 0; i < card_.fields.size(); ++i)
    add_value(card_.fields[i].name, {ast::Resolution::Field, static_cast<int32_t>(i)}, {});
  for (size_t i = 0; i < card_.params.size(); ++i)
    add_value(card_.params[i].name, {ast::Resolution::Param, static_cast<int32_t>(i)}, {});
  for (size_t i = 0; i < card_.measures.size(); ++i)
    add_value(card_.measures[i].name, {ast::Resolution::Measure, static_cast<int32_t>(i)}, {});
  collect(models_, card_.models, "model", diags_);
  collect(segments_, card_.segments, "segment", diags_);
  collect(bands_, card_.bands, "band", diags_);
  std::unordered_map<std::string, int32_t> overrides, labels, alerts;
  collect(overrides, card_.overrides, "override", diags_);
  collect(labels, card_.labels, "label", diags_);
  collect(alerts, card_.alerts, "alert", diags_);
}

void Checker::check_fields() {
  if (card_.fields_block.end == 0 && card_.fields.empty()) {
    diags_.report(DiagKind::NoFields, card_.title_range);
    return;
  }
  for (size_t i = 0; i < card_.fields.size(); ++i) {
    ast::Field& f = card_.fields[i];
    if (f.key) {
      if (out_.key_field >= 0) {
        diags_.report(DiagKind::TwoKeyFields, f.key_range, f.name.text);
        diags_.note(DiagKind::NoteFirstDefined, card_.fields[out_.key_field].key_range);
      } else {
        out_.key_field = static_cast<int32_t>(i);
      }
      if (f.type != ast::FieldType::Text) diags_.report(DiagKind::KeyNotText, f.type_range, f.name.text);
      if (f.optional) diags_.report(DiagKind::KeyOptional, f.optional_range, f.name.text);
    }
    std::unordered_map<std::string, size_t> members;
    for (size_t m = 0; m < f.members.size(); ++m) {
      auto [it, inserted] = members.emplace(f.members[m].text, m);
      if (!inserted) {
        diags_.report(DiagKind::DuplicateName, f.members[m].range, "enum member", f.members[m].text);
        diags_.note(DiagKind::NoteFirstDefined, f.members[it->second].range);
      }
    }
    check_spellings(f);
  }
  if (out_.key_field < 0) diags_.report(DiagKind::NoKeyField, card_.fields_block);
}

// The data text of each member (its `= "..."`, else its name) names one member, and is never
// empty (an empty cell is missing). Two members of the same name were reported as such.
void Checker::check_spellings(const ast::Field& f) {
  std::unordered_map<std::string, size_t> seen;
  for (size_t m = 0; m < f.members.size(); ++m) {
    const bool spelled = m < f.spellings.size() && f.spellings[m].range.end > f.spellings[m].range.begin;
    const ast::Name& shown = spelled ? f.spellings[m] : f.members[m];
    // Blank counts as empty: the readers trim a cell's spaces before calling it missing.
    if (spelled && shown.text.find_first_not_of(" \t") == std::string::npos) {
      diags_.report(DiagKind::EmptySpelling, shown.range, f.members[m].text);
      continue;
    }
    auto [it, inserted] = seen.emplace(shown.text, m);
    if (inserted || f.members[it->second].text == f.members[m].text) continue;
    diags_.report(DiagKind::DuplicateSpelling, shown.range, f.members[it->second].text, f.members[m].text, shown.text);
    const size_t first = it->second;
    const bool first_spelled = first < f.spellings.size() && f.spellings[first].range.end > f.spellings[first].range.begin;
    diags_.note(DiagKind::NoteFirstDefined, first_spelled ? f.spellings[first].range : f.members[first].range);
  }
}

void Checker::check_bands() {
  if (card_.bands.empty()) {
    diags_.report(DiagKind::NoBands, card_.bands_block.end ? card_.bands_block : card_.title_range);
    return;
  }
  static const char* kColors[] = {"red", "yellow", "green", "grey", "blue"};
  for (size_t i = 0; i < card_.bands.size(); ++i) {
    const ast::Band& b = card_.bands[i];
    if (std::none_of(std::begin(kColors), std::end(kColors), [&](const char* c) { return b.color.text == c; }))
    {
      diags_.report(DiagKind::UnknownColor, b.color.range, b.color.text);
      const std::string best = nearest_name(b.color.text, {std::begin(kColors), std::end(kColors)});
      if (!best.empty()) {
        diags_.items().back().message = fmt::format("unknown color `{}`; did you mean `{}`", b.color.text, best);
        diags_.fixit(b.color.range, best);
      }
    }
    if (!is_whole(b.from) || b.from < 0 || b.from > 100) {
      diags_.report(DiagKind::BandStartInvalid, b.from_range, fmt::format("{}", b.from));
      continue;
    }
    if (i == 0 && b.from != 0) diags_.report(DiagKind::FirstBandNotZero, b.from_range, fmt::format("{}", b.from));
    // A second `bands` block is E0011 already: its bands are not compared with the first's.
    const auto in_first_block = [&](const ast::Band& x) {
      return x.range.begin >= card_.bands_block.begin && x.range.end <= card_.bands_block.end;
    };
    if (i > 0 && b.from <= card_.bands[i - 1].from && in_first_block(b) == in_first_block(card_.bands[i - 1])) {
      diags_.report(DiagKind::BandsNotAscending, b.from_range, b.name.text, fmt::format("{}", b.from),
                    fmt::format("{}", card_.bands[i - 1].from));
      diags_.note(DiagKind::NotePreviousBand, card_.bands[i - 1].range);
    }
  }
}

// Appends the measures `e` reads (as `name.value` or `name.score`), in the order the checker
// meets them. Expression depth is bounded by the parser's nesting screen.
void Checker::collect_measure_reads(const ast::Expr& e, std::vector<int32_t>& out) const {
  // `previous.M.value` needs M's value type, so M is checked first; a past score is a number.
  const bool past_value = e.kind == ast::ExprKind::Previous && e.past == ast::PastKind::MeasureValue;
  if (e.kind == ast::ExprKind::MeasureRef || past_value) {
    auto it = values_.find(e.text);
    if (it != values_.end() && it->second.kind == ast::Resolution::Measure) out.push_back(it->second.index);
  }
  for (const ast::ExprPtr& a : e.args)
    if (a) collect_measure_reads(*a, out);
}

// Checks every measure after the measures it reads, so their value types are known when a
// reader is checked. The order is a depth-first post-order over the reads graph, walked with
// an explicit stack: a chain of 100,000 measures must not be bounded by the C++ stack. A read
// of a measure that is not yet checked when its reader is checked closes a cycle.
void Checker::check_measures() {
  const size_t n = card_.measures.size();
  measure_value_type_.assign(n, ast::Type::error());
  measure_state_.assign(n, State::Todo);
  std::vector<std::vector<int32_t>> reads(n);
  for (size_t i = 0; i < n; ++i) {
    const ast::Measure& m = card_.measures[i];
    if (m.value) collect_measure_reads(*m.value, reads[i]);
    if (m.score && m.score->subject) collect_measure_reads(*m.score->subject, reads[i]);
  }
  std::vector<State> visit(n, State::Todo);
  struct Frame {
    int32_t measure;
    size_t next_read;
  };
  std::vector<Frame> stack;
  for (size_t root = 0; root < n; ++root) {
    if (visit[root] != State::Todo) continue;
    visit[root] = State::Active;
    stack.push_back({static_cast<int32_t>(root), 0});
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next_read < reads[top.measure].size()) {
        const int32_t d = reads[top.measure][top.next_read++];
        if (visit[d] == State::Todo) {
          visit[d] = State::Active;
          stack.push_back({d, 0});
        }
        continue;
      }
      const int32_t done = top.measure;
      stack.pop_back();
      visit[done] = State::Done;
      check_measure(done);
    }
  }
}

void Checker::check_measure(int32_t i) {
  if (measure_state_[i] != State::Todo) return;
  measure_state_[i] = State::Active;
  ast::Measure& m = card_.measures[i];
  if (m.value) {
    const ast::Type t = check_expr(*m.value, {ExprScope::MeasureValue, i});
    if (t.kind == ast::Type::Text || t.kind == ast::Type::Date || t.kind == ast::Type::BandSet ||
        t.kind == ast::Type::SegmentSet || t.kind == ast::Type::LabelSet || t.kind == ast::Type::OverrideSet)
      diags_.report(DiagKind::MeasureValueType, m.value->range, describe(t, card_));
    else
      measure_value_type_[i] = t;
  }
  if (!m.score) {
    diags_.report(DiagKind::NoScore, m.name.range, m.name.text);
  } else {
    check_scoring(m, i);
  }
  if (m.missing == ast::Measure::Missing::Score && (m.missing_score < 0 || m.missing_score > 100))
    diags_.report(DiagKind::MissingScoreRange, m.missing_range, fmt::format("{}", m.missing_score));
  measure_state_[i] = State::Done;
  out_.measure_order.push_back(i);
}

void Checker::check_segments_overrides_labels() {
  for (ast::Segment& s : card_.segments) {
    if (s.name.text == "default") diags_.report(DiagKind::DefaultSegmentName, s.name.range);
    check_condition(s.condition.get(), {ExprScope::Segment, -1});
    auto it = models_.find(s.model.text);
    if (it == models_.end()) {
      if (!s.model.text.empty()) {
        diags_.report(DiagKind::UnknownModel, s.model.range, s.model.text);
        std::vector<std::string> names;
        for (const ast::Model& m : card_.models) names.push_back(m.name.text);
        suggest(s.model.range, s.model.text, names);
      }
      out_.segment_model.push_back(-1);
    } else {
      out_.segment_model.push_back(it->second);
    }
  }
  for (ast::Override& o : card_.overrides) {
    out_.override_segments.push_back(for_list(o.segments));
    check_condition(o.condition.get(), {ExprScope::Override, -1});
    int32_t band = -1;
    if (o.action == ast::ActionKind::Band) {
      if (auto it = bands_.find(o.band.text); it != bands_.end()) band = it->second;
      else if (!o.band.text.empty()) {
        diags_.report(DiagKind::UnknownBand, o.band.range, o.band.text);
        std::vector<std::string> names;
        for (const ast::Band& b : card_.bands) names.push_back(b.name.text);
        suggest(o.band.range, o.band.text, names);
      }
    } else if (o.amount_percent) {
      // `cap 50%` is a cap of 0.5 points (a percentage is a fraction), and `cap 100%` would be
      // a whole 1: points were meant either way.
      const double points = o.amount * 100;
      if (is_whole(points)) {
        diags_.report(DiagKind::OverrideAmount, o.amount_range,
                      fmt::format("{}% (the fraction {}): write the points, `{}`", points, o.amount, points));
        diags_.fixit(o.amount_range, fmt::format("{}", points));
      } else {
        diags_.report(DiagKind::OverrideAmount, o.amount_range, fmt::format("{}% (the fraction {})", points, o.amount));
      }
    } else if (!is_whole(o.amount)) {
      diags_.report(DiagKind::OverrideAmount, o.amount_range, fmt::format("{}", o.amount));
    }
    out_.override_band.push_back(band);
  }
  for (ast::Label& l : card_.labels)
    if (l.condition) check_condition(l.condition.get(), {ExprScope::Label, -1});
}

// A `for` list's segments (an index, or -1 for `default`), each unknown or repeated one reported.
std::vector<int32_t> Checker::for_list(const std::vector<ast::Name>& names) {
  std::vector<int32_t> segs;
  for (const ast::Name& n : names) {
    int32_t idx = -2;
    if (n.text == "default") idx = -1;
    else if (auto it = segments_.find(n.text); it != segments_.end()) idx = it->second;
    if (idx == -2) {
      diags_.report(DiagKind::UnknownSegment, n.range, n.text);
      std::vector<std::string> names;
      for (const ast::Segment& s : card_.segments) names.push_back(s.name.text);
      names.push_back("default");
      suggest(n.range, n.text, names);
      continue;
    }
    if (std::find(segs.begin(), segs.end(), idx) != segs.end()) {
      diags_.report(DiagKind::DuplicateForSegment, n.range, n.text);
      continue;
    }
    segs.push_back(idx);
  }
  return segs;
}

void Checker::suggest(SourceRange at, const std::string& word, const std::vector<std::string>& candidates) {
  const std::string best = nearest_name(word, candidates);
  if (best.empty() || diags_.items().empty()) return;
  diags_.items().back().message += "; did you mean `" + best + "`";
  diags_.fixit(at, syntax::written_name(best));
}

std::vector<std::string> Checker::value_names() const {
  std::vector<std::string> out;
  for (const ast::Field& f : card_.fields) out.push_back(f.name.text);
  for (const ast::Param& p : card_.params) out.push_back(p.name.text);
  for (const ast::Measure& m : card_.measures) out.push_back(m.name.text);
  return out;
}

CheckResult check(ast::Scorecard& card, DiagnosticList& diags) {
  Checker checker(card, diags);
  return checker.run();
}

}  // namespace healthc::check
