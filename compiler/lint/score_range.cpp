// Interval arithmetic over scoring expressions, and the hull of what models and overrides make.
#include "compiler/lint/score_range.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stdlib/builtins.h"

namespace healthc::lint {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Bounds {
  double lo = -kInf, hi = kInf;
};
constexpr Bounds kAnything{};

Bounds checked_bounds(double lo, double hi) {
  if (std::isnan(lo) || std::isnan(hi) || lo > hi) return kAnything;
  return {lo, hi};
}

// A product where 0 times infinity is 0: a zero factor makes a zero term.
double times(double a, double b) { return a == 0 || b == 0 ? 0 : a * b; }

Bounds multiply(Bounds a, Bounds b) {
  const double p[] = {times(a.lo, b.lo), times(a.lo, b.hi), times(a.hi, b.lo), times(a.hi, b.hi)};
  return checked_bounds(*std::min_element(std::begin(p), std::end(p)), *std::max_element(std::begin(p), std::end(p)));
}

Bounds hull(Bounds a, Bounds b) { return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)}; }

Bounds eval(const ast::Scorecard& card, const ast::Expr& e, int32_t measure, int depth);

Bounds call(const ast::Scorecard& card, const ast::Expr& e, int32_t measure, int depth) {
  if (e.function < 0 || e.args.empty()) return kAnything;
  std::vector<Bounds> a;
  for (const ast::ExprPtr& x : e.args) a.push_back(eval(card, *x, measure, depth + 1));
  using stdlib::BuiltinId;
  switch (stdlib::builtins()[e.function].id) {
    case BuiltinId::Min: {
      Bounds r{kInf, kInf};
      for (const Bounds& b : a) r = {std::min(r.lo, b.lo), std::min(r.hi, b.hi)};
      return checked_bounds(r.lo, r.hi);
    }
    case BuiltinId::Max: {
      Bounds r{-kInf, -kInf};
      for (const Bounds& b : a) r = {std::max(r.lo, b.lo), std::max(r.hi, b.hi)};
      return checked_bounds(r.lo, r.hi);
    }
    case BuiltinId::Clamp: {
      if (a.size() != 3) return kAnything;
      const Bounds low{std::max(a[0].lo, a[1].lo), std::max(a[0].hi, a[1].hi)};
      return checked_bounds(std::min(low.lo, a[2].lo), std::min(low.hi, a[2].hi));
    }
    case BuiltinId::Abs:
      if (a[0].lo >= 0) return a[0];
      if (a[0].hi <= 0) return {-a[0].hi, -a[0].lo};
      return {0, std::max(-a[0].lo, a[0].hi)};
    case BuiltinId::Round: return checked_bounds(std::round(a[0].lo), std::round(a[0].hi));
    case BuiltinId::Sqrt:
      if (a[0].hi < 0) return kAnything;  // always missing: nothing to bound
      return {std::sqrt(std::max(a[0].lo, 0.0)), std::sqrt(a[0].hi)};
    case BuiltinId::Coalesce: {
      Bounds r = a[0];
      for (const Bounds& b : a) r = hull(r, b);
      return r;
    }
    default: return kAnything;
  }
}

Bounds eval(const ast::Scorecard& card, const ast::Expr& e, int32_t measure, int depth) {
  if (depth > 64) return kAnything;
  switch (e.kind) {
    case ast::ExprKind::Number: return checked_bounds(e.number, e.number);
    case ast::ExprKind::MeasureRef:
      return e.member_is_score ? Bounds{0, 100} : kAnything;
    case ast::ExprKind::ValueRef:
      if (measure >= 0 && card.measures[measure].value)
        return eval(card, *card.measures[measure].value, measure, depth + 1);
      return kAnything;
    case ast::ExprKind::Neg: {
      const Bounds a = eval(card, *e.args[0], measure, depth + 1);
      return {-a.hi, -a.lo};
    }
    case ast::ExprKind::Binary: {
      if (e.args.size() != 2) return kAnything;
      const Bounds a = eval(card, *e.args[0], measure, depth + 1);
      const Bounds b = eval(card, *e.args[1], measure, depth + 1);
      switch (e.op) {
        case ast::BinOp::Add: return checked_bounds(a.lo + b.lo, a.hi + b.hi);
        case ast::BinOp::Sub: return checked_bounds(a.lo - b.hi, a.hi - b.lo);
        case ast::BinOp::Mul: return multiply(a, b);
        case ast::BinOp::Div:
          if (b.lo <= 0 && b.hi >= 0) return kAnything;
          return multiply(a, {1 / b.hi, 1 / b.lo});
        default: return kAnything;
      }
    }
    case ast::ExprKind::If:
      if (e.args.size() != 3) return kAnything;
      return hull(eval(card, *e.args[1], measure, depth + 1), eval(card, *e.args[2], measure, depth + 1));
    case ast::ExprKind::Call: return call(card, e, measure, depth);
    default: return kAnything;  // fields, and params (the command line may set any value)
  }
}

double clamp100(double v) { return std::clamp(v, 0.0, 100.0); }

void measures_of(const std::vector<check::WeightNode>& nodes, std::vector<int32_t>& out) {
  for (const check::WeightNode& n : nodes) {
    if (n.kind == check::WeightNode::Measure && n.measure >= 0) out.push_back(n.measure);
    measures_of(n.children, out);
  }
}

}  // namespace

ScoreRange measure_score_range(const ast::Scorecard& card, int32_t m) {
  const ast::Measure& measure = card.measures[m];
  Bounds b{0, 100};
  if (measure.score) {
    const ast::Scoring& s = *measure.score;
    auto over = [&](auto& items) {
      if (items.empty()) return;
      b = {kInf, -kInf};
      for (const auto& i : items) b = {std::min(b.lo, i.score), std::max(b.hi, i.score)};
    };
    switch (s.kind) {
      case ast::Scoring::Linear: over(s.points); break;
      case ast::Scoring::Ranges: over(s.ranges); break;
      case ast::Scoring::Match: over(s.arms); break;
      case ast::Scoring::Expr:
        if (s.subject) b = eval(card, *s.subject, m, 0);
        break;
    }
  }
  ScoreRange r{clamp100(b.lo), clamp100(b.hi)};
  if (measure.missing == ast::Measure::Missing::Score) {
    r.lo = std::min(r.lo, clamp100(measure.missing_score));
    r.hi = std::max(r.hi, clamp100(measure.missing_score));
  }
  return r;
}

ScoreRange band_scores(const ast::Scorecard& card, size_t b) {
  const double from = card.bands[b].from;
  const double to = b + 1 < card.bands.size() ? card.bands[b + 1].from - 1 : 100;
  return {from, to};
}

ScoreRange reachable_scores(const ast::Scorecard& card, const check::CheckedScorecard& checked) {
  std::vector<int32_t> models;
  if (checked.default_model >= 0) models.push_back(checked.default_model);
  for (int32_t m : checked.segment_model)
    if (m >= 0) models.push_back(m);
  double lo = kInf, hi = -kInf;
  for (int32_t model : models) {
    std::vector<int32_t> measures;
    measures_of(checked.models[model].roots, measures);
    for (int32_t m : measures) {
      const ScoreRange r = measure_score_range(card, m);
      lo = std::min(lo, r.lo);
      hi = std::max(hi, r.hi);
    }
  }
  if (lo > hi) return {0, 100};  // nothing to bound by
  // The weighted score is a weighted mean of measure scores, rounded half up.
  ScoreRange r{std::floor(lo + 0.5), std::floor(hi + 0.5)};
  for (size_t i = 0; i < card.overrides.size(); ++i) {
    const ast::Override& o = card.overrides[i];
    const double n = clamp100(o.amount);
    switch (o.action) {
      case ast::ActionKind::Score: r.lo = std::min(r.lo, n), r.hi = std::max(r.hi, n); break;
      case ast::ActionKind::Cap: r.lo = std::min(r.lo, n); break;
      case ast::ActionKind::Floor: r.hi = std::max(r.hi, n); break;
      case ast::ActionKind::Band: {
        const int32_t b = i < checked.override_band.size() ? checked.override_band[i] : -1;
        if (b < 0) return {0, 100};
        const ScoreRange s = band_scores(card, static_cast<size_t>(b));
        r.lo = std::min(r.lo, s.lo), r.hi = std::max(r.hi, s.hi);
        break;
      }
    }
  }
  return r;
}

}  // namespace healthc::lint
