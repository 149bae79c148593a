// Lowers v2's forms (common.md "Lowering conventions"): reads of the past become Op::History
// over distinct Program::history inputs, alerts a block after the labels with each `for` list
// folded into its condition, and a `stale after` rule an always-valid instruction of the
// measures block that unscores its measure. Roll-ups are metadata only: no engine computes them.
#include <tuple>

#include "compiler/ir/conventions.h"
#include "compiler/ir/lowerer.h"

namespace healthc::ir {

static_assert(check::kMaxAlerts == kMaxAlerts && check::kMaxStaleRules == kMaxStaleRules);

// Stale where the date is missing or `as_of - date > days` (known either way: always valid);
// a stale measure is unscored, after `missing = N` (stale wins), its value untouched.
uint32_t Lowerer::stale_rule(int32_t measure, int32_t field, int32_t days, uint32_t score) {
  const uint32_t date = emit(Op::Load, static_cast<uint32_t>(field));
  const uint32_t as_of = emit(Op::AsOf);
  const uint32_t age = emit(Op::Sub, as_of, date);
  const uint32_t limit = constant(days);
  const uint32_t too_old = emit(Op::Gt, age, limit);
  const uint32_t absent = emit(Op::IsMissing, date);
  const uint32_t stale = emit(Op::Or, absent, too_old);
  p_.stale_rules.push_back(StaleRule{measure, field, days, stale});
  const uint32_t unscored = emit(Op::Missing);
  return emit(Op::Select, stale, unscored, score);
}

// The index of a history input in Program::history, added the first time it is read (a map,
// so a card with many distinct reads is not quadratic).
uint32_t Lowerer::history(HistoryKind kind, int32_t measure, int32_t days_back) {
  const auto key = std::make_tuple(static_cast<uint8_t>(kind), measure, days_back);
  auto [it, added] = history_index_.emplace(key, static_cast<uint32_t>(p_.history.size()));
  if (added) p_.history.push_back(HistoryInput{kind, measure, days_back});
  return emit(Op::History, it->second);
}

uint32_t Lowerer::previous(const ast::Expr& e) {
  switch (e.past) {
    case ast::PastKind::Score: return history(HistoryKind::FinalScore, -1, -1);
    case ast::PastKind::Band: return history(HistoryKind::Band, -1, -1);
    case ast::PastKind::Segment: return history(HistoryKind::Segment, -1, -1);
    case ast::PastKind::Label: return history(HistoryKind::Label, -1, -1);
    case ast::PastKind::Override: return history(HistoryKind::Override, -1, -1);
    case ast::PastKind::MeasureScore: return history(HistoryKind::MeasureScore, e.resolved.index, -1);
    case ast::PastKind::MeasureValue: return history(HistoryKind::MeasureValue, e.resolved.index, -1);
    case ast::PastKind::Unknown: break;  // the checker reported it
  }
  return emit(Op::Missing);
}

// `change(X, N days)`: X now minus X in the snapshot N days back. `score` is the score the
// place reads: the weighted score in overrides, the final score in labels and alerts.
uint32_t Lowerer::change(const ast::Expr& e) {
  const ast::Expr& x = *e.args[0];
  const int32_t days = static_cast<int32_t>(e.number);
  uint32_t now = kNone, then = kNone;
  if (x.kind == ast::ExprKind::ScoreRef && score_ != kNone) {
    now = score_;
    then = history(score_kind_, -1, days);
  } else if (x.kind == ast::ExprKind::MeasureRef && x.member_is_score) {
    now = p_.measures[x.resolved.index].score;
    then = history(HistoryKind::MeasureScore, x.resolved.index, days);
  } else if (x.kind == ast::ExprKind::MeasureRef || x.kind == ast::ExprKind::ValueRef) {
    const int32_t m = x.kind == ast::ExprKind::ValueRef ? current_ : x.resolved.index;
    now = p_.measures[m].value;
    then = history(HistoryKind::MeasureValue, m, days);
  }
  if (now == kNone) return emit(Op::Missing);
  return emit(Op::Sub, now, then);
}

// Every alert's condition, its `for` list folded in; each lies in the alerts block, as the
// engines read alerts[i].condition there.
void Lowerer::alerts() {
  for (size_t i = 0; i < card_.alerts.size(); ++i) {
    const ast::Alert& a = card_.alerts[i];
    Alert out;
    out.name = a.name.text;
    out.title = a.title;
    out.segments = i < checked_.alert_segments.size() ? checked_.alert_segments[i] : std::vector<int32_t>{};
    out.severity = static_cast<Severity>(i < checked_.alert_severity.size() ? checked_.alert_severity[i] : 2);
    uint32_t hit = expr(*a.condition);
    if (!out.segments.empty()) {
      hit = emit(Op::And, hit, segment_in(out.segments));
    } else if (hit < p_.alerts_block.begin) {
      const uint32_t yes = constant(1);
      hit = emit(Op::And, hit, yes);  // Kleene: x and true is x
    }
    out.condition = hit;
    p_.alerts.push_back(std::move(out));
  }
}

void Lowerer::rollups() {
  for (size_t i = 0; i < card_.rollups.size() && i < checked_.rollups.size(); ++i) {
    const ast::Rollup& r = card_.rollups[i];
    p_.rollups.push_back(Rollup{r.name.text, r.title, checked_.rollups[i].by, checked_.rollups[i].weight});
  }
}

// Whether the account's segment is in a `for` list.
uint32_t Lowerer::segment_in(const std::vector<int32_t>& segments) {
  uint32_t in_list = kNone;
  for (int32_t s : segments) {
    const uint32_t index = constant(for_list_segment(p_, s));
    const uint32_t is = emit(Op::Eq, p_.results.segment, index);
    in_list = in_list == kNone ? is : emit(Op::Or, in_list, is);
  }
  return in_list;
}

}  // namespace healthc::ir
