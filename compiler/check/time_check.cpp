// v2's checks (spec "Reading the past in expressions", "Alerts", "Subjective inputs that go
// stale"): `previous.X` and `change(X, N days)` in expressions, alert declarations and the
// `stale after` rules of subjective measures.
#include <algorithm>
#include <cmath>

#include "compiler/check/checker.h"
#include "compiler/ir/conventions.h"
#include "compiler/diag/suggest.h"

namespace healthc::check {

using ast::Expr;
using ast::ExprKind;
using ast::Type;

namespace {

bool whole_days(double v) { return std::isfinite(v) && v == std::floor(v) && v >= 0 && v <= kMaxDays; }

constexpr uint8_t kMediumSeverity = 2;

}  // namespace

Type Checker::check_previous(Expr& e, const ExprScope& scope) {
  // Reported, but typed as usual, so `previous.band == x` in a segment gives one error.
  if (scope.where == ExprScope::Segment) diags_.report(DiagKind::PastInSegment, e.range, "previous");
  switch (e.past) {
    case ast::PastKind::Score: return Type::number();
    case ast::PastKind::Band: return Type{Type::BandSet, -1};
    case ast::PastKind::Segment: return Type{Type::SegmentSet, -1};
    case ast::PastKind::Label: return Type{Type::LabelSet, -1};
    case ast::PastKind::Override: return Type{Type::OverrideSet, -1};
    case ast::PastKind::MeasureScore:
    case ast::PastKind::MeasureValue:
    case ast::PastKind::Unknown: break;
  }
  auto it = values_.find(e.text);
  if (it == values_.end() || it->second.kind != ast::Resolution::Measure) {
    std::vector<std::string> names;
    if (e.past == ast::PastKind::Unknown) names = {"score", "band", "label", "segment", "override"};
    for (const ast::Measure& m : card_.measures) names.push_back(m.name.text);
    diags_.report(DiagKind::UnknownPastName, e.name_range, e.text, did_you_mean(e.text, names));
    return Type::error();
  }
  const int32_t m = it->second.index;
  e.resolved = it->second;
  if (e.past == ast::PastKind::Unknown) {
    diags_.report(DiagKind::BareMeasure, e.range, "previous." + e.text);
    return Type::error();
  }
  if (e.past == ast::PastKind::MeasureScore) return Type::number();
  if (!card_.measures[m].value) {
    diags_.report(DiagKind::ValueWithoutValue, e.range, e.text);
    return Type::error();
  }
  // A measure's score may read its own past value: the value's type is known by then.
  if (m == scope.measure && scope.where == ExprScope::MeasureScore) return measure_value_type_[m];
  if (measure_state_[m] != State::Done) {
    diags_.report(DiagKind::MeasureCycle, e.range, e.text);
    return Type::error();
  }
  return measure_value_type_[m];
}

Type Checker::check_change(Expr& e, const ExprScope& scope) {
  if (scope.where == ExprScope::Segment) diags_.report(DiagKind::PastInSegment, e.range, "change");
  if (!whole_days(e.number)) diags_.report(DiagKind::ChangeWindow, e.window_range, fmt::format("{} days", e.number));
  Expr& x = *e.args[0];
  const Type t = check_expr(x, scope);
  if (t.is_error()) return Type::number();
  const bool score = x.kind == ExprKind::ScoreRef;
  const bool measure_score = x.kind == ExprKind::MeasureRef && x.member_is_score;
  const bool measure_value = (x.kind == ExprKind::MeasureRef || x.kind == ExprKind::ValueRef) && t.kind == Type::Number;
  if (!score && !measure_score && !measure_value) {
    std::string what = describe(t, card_);
    if (x.kind == ExprKind::NameRef && x.resolved.kind == ast::Resolution::Field)
      what = "field `" + x.text + "`";
    else if (x.kind == ExprKind::NameRef && x.resolved.kind == ast::Resolution::Param)
      what = "param `" + x.text + "`";
    else if (t.kind == Type::Number)
      what = "a computed number";
    diags_.report(DiagKind::ChangeSubject, x.range, what);
  }
  return Type::number();
}

void Checker::check_alerts() {
  for (size_t i = 0; i < card_.alerts.size(); ++i) {
    ast::Alert& a = card_.alerts[i];
    if (i == kMaxAlerts)
      diags_.report(DiagKind::TooManyAlerts, a.name.range, card_.alerts.size(), kMaxAlerts);
    out_.alert_segments.push_back(for_list(a.segments));
    check_condition(a.condition.get(), {ExprScope::Alert, -1});
    uint8_t severity = kMediumSeverity;
    if (!a.severity.text.empty()) {
      const std::vector<std::string> levels(ir::kSeverityNames.begin(), ir::kSeverityNames.end());
      auto it = std::find(levels.begin(), levels.end(), a.severity.text);
      if (it == levels.end()) {
        std::string hint = did_you_mean(a.severity.text, levels);
        if (hint.empty()) hint = "; use info, low, medium, high or critical";
        diags_.report(DiagKind::UnknownSeverity, a.severity.range, a.severity.text, hint);
      } else {
        severity = static_cast<uint8_t>(it - levels.begin());
      }
    }
    out_.alert_severity.push_back(severity);
  }
}

void Checker::check_stale_rules() {
  out_.stale_field.assign(card_.measures.size(), -1);
  size_t rules = 0;
  for (size_t i = 0; i < card_.measures.size(); ++i) {
    const ast::Measure& m = card_.measures[i];
    if (!m.stale) continue;
    if (++rules == kMaxStaleRules + 1) {
      size_t total = 0;
      for (const ast::Measure& other : card_.measures) total += other.stale.has_value();
      diags_.report(DiagKind::TooManyStaleRules, m.stale->range, total, kMaxStaleRules);
    }
    if (!whole_days(m.stale->days))
      diags_.report(DiagKind::StaleDays, m.stale->days_range, fmt::format("{} days", m.stale->days));
    const ast::Name& f = m.stale->field;
    auto it = values_.find(f.text);
    if (it == values_.end() || it->second.kind != ast::Resolution::Field) {
      std::vector<std::string> dates;
      for (const ast::Field& fd : card_.fields)
        if (fd.type == ast::FieldType::Date) dates.push_back(fd.name.text);
      const char* what = it == values_.end() ? "not a field" : it->second.kind == ast::Resolution::Param ? "a param" : "a measure";
      diags_.report(DiagKind::StaleFieldNotDate, f.range, f.text, what + did_you_mean(f.text, dates));
      continue;
    }
    const ast::Field& field = card_.fields[it->second.index];
    if (field.type != ast::FieldType::Date) {
      static const char* kTypes[] = {"a number field", "a bool field", "a text field", "a date field", "an enum field"};
      diags_.report(DiagKind::StaleFieldNotDate, f.range, f.text, kTypes[static_cast<int>(field.type)]);
      continue;
    }
    out_.stale_field[i] = it->second.index;
  }
}

}  // namespace healthc::check
