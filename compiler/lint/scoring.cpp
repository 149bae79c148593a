// Scoring rules: the forms right of `score =`. `ranges` arms that leave gaps or overlap, a
// `match` that misses members, and written scores the clamp to 0-100 will change.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "compiler/lint/rules.h"

namespace healthc::lint {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Arm {
  double lo, hi;
  const ast::RangeArm* arm;
};

std::vector<Arm> arms_of(const ast::Scoring& s) {
  std::vector<Arm> arms;
  for (const ast::RangeArm& a : s.ranges) arms.push_back({a.lo.value_or(-kInf), a.hi.value_or(kInf), &a});
  return arms;
}

// A range as the language writes it: `1..3`, `..3`, `3..`.
std::string range_text(double lo, double hi) {
  return (std::isinf(lo) ? "" : number_text(lo)) + ".." + (std::isinf(hi) ? "" : number_text(hi));
}

template <typename F>
void each_scoring(const LintContext& cx, ast::Scoring::Kind kind, F&& f) {
  for (const ast::Measure& m : cx.card.measures)
    if (m.score && m.score->kind == kind) f(*m.score);
}

void out_of_range(const LintContext& cx, double score, SourceRange at) {
  if (score >= 0 && score <= 100) return;
  cx.out.report(DiagKind::LintScoreOutOfRange, at, number_text(score), score < 0 ? "0" : "100");
}

}  // namespace

void range_gap(const LintContext& cx) {
  each_scoring(cx, ast::Scoring::Ranges, [&](const ast::Scoring& s) {
    std::vector<Arm> arms = arms_of(s);
    if (arms.empty()) return;
    std::stable_sort(arms.begin(), arms.end(), [](const Arm& a, const Arm& b) { return a.lo < b.lo; });
    double covered = arms[0].hi;
    for (size_t i = 1; i < arms.size(); ++i) {
      // Below the lowest arm and above the highest are left to the author (counts are not
      // negative); a hole between arms is a slip.
      if (arms[i].lo > covered)
        cx.out.report(DiagKind::LintRangeGap, arms[i].arm->range, range_text(covered, arms[i].lo));
      covered = std::max(covered, arms[i].hi);
    }
  });
}

void range_overlap(const LintContext& cx) {
  each_scoring(cx, ast::Scoring::Ranges, [&](const ast::Scoring& s) {
    const std::vector<Arm> arms = arms_of(s);
    for (size_t i = 1; i < arms.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        const double lo = std::max(arms[i].lo, arms[j].lo), hi = std::min(arms[i].hi, arms[j].hi);
        if (!(lo < hi)) continue;
        cx.out.report(DiagKind::LintRangeOverlap, arms[i].arm->range, range_text(lo, hi));
        cx.out.note(DiagKind::NoteEarlierMatch, arms[j].arm->range, "range");
        break;
      }
    }
  });
}

void match_not_exhaustive(const LintContext& cx) {
  each_scoring(cx, ast::Scoring::Match, [&](const ast::Scoring& s) {
    if (!s.subject) return;
    const ast::Type& t = s.subject->type;
    std::vector<std::string> members;
    if (t.kind == ast::Type::Bool) members = {"false", "true"};
    else if (t.kind == ast::Type::Enum && t.index >= 0 && static_cast<size_t>(t.index) < cx.card.fields.size())
      for (const ast::Name& n : cx.card.fields[t.index].members) members.push_back(n.text);
    else return;  // text has no list of members to miss
    std::vector<bool> seen(members.size(), false);
    for (const ast::MatchArm& a : s.arms) {
      if (a.kind == ast::MatchArm::Wildcard) return;
      if (a.member >= 0 && static_cast<size_t>(a.member) < seen.size()) seen[a.member] = true;
    }
    std::string missing;
    size_t count = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      if (seen[i]) continue;
      missing += (count ? ", `" : "`") + members[i] + "`";
      ++count;
    }
    if (count) cx.out.report(DiagKind::LintMatchNotExhaustive, s.subject->range, missing);
  });
}

void score_out_of_range(const LintContext& cx) {
  for (const ast::Measure& m : cx.card.measures) {
    if (!m.score) continue;
    const ast::Scoring& s = *m.score;
    for (const ast::LinearPoint& p : s.points) out_of_range(cx, p.score, p.range);
    for (const ast::RangeArm& a : s.ranges) out_of_range(cx, a.score, a.range);
    for (const ast::MatchArm& a : s.arms) out_of_range(cx, a.score, a.range);
    if (s.kind == ast::Scoring::Expr && s.subject) {
      const ast::Expr* e = s.subject.get();
      double sign = 1;
      if (e->kind == ast::ExprKind::Neg && e->args.size() == 1) sign = -1, e = e->args[0].get();
      if (e->kind == ast::ExprKind::Number) out_of_range(cx, sign * e->number, s.subject->range);
    }
  }
}

}  // namespace healthc::lint
