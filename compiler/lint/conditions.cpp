// The interval / member-set domain over conditions. Three-valued logic is kept by tracking
// where a condition is true and where it is false separately: `not` swaps the two, `and` meets
// the true sides and joins the false ones, `or` the reverse; a comparison with a missing
// operand is neither, so it lies in neither region.
#include "compiler/lint/conditions.h"

#include <algorithm>
#include <cmath>

#include "compiler/ir/conventions.h"

namespace healthc::lint {

// ---- Interval ----

Interval Interval::all(bool integral) {
  Interval i;
  i.integral = integral;
  return i;
}

Interval Interval::closed(double lo, double hi, bool integral) {
  Interval i{lo, hi, std::isinf(lo), std::isinf(hi), integral};
  return i.normalised();
}

Interval Interval::normalised() const {
  Interval i = *this;
  if (std::isinf(i.lo)) i.lo_open = true;
  if (std::isinf(i.hi)) i.hi_open = true;
  if (!integral) return i;
  if (!std::isinf(i.lo)) {
    i.lo = i.lo_open && i.lo == std::floor(i.lo) ? i.lo + 1 : std::ceil(i.lo);
    i.lo_open = false;
  }
  if (!std::isinf(i.hi)) {
    i.hi = i.hi_open && i.hi == std::ceil(i.hi) ? i.hi - 1 : std::floor(i.hi);
    i.hi_open = false;
  }
  return i;
}

bool Interval::empty() const {
  const Interval i = normalised();
  return i.lo > i.hi || (i.lo == i.hi && (i.lo_open || i.hi_open));
}

Interval Interval::meet(const Interval& o) const {
  Interval r;
  r.integral = integral || o.integral;
  if (lo > o.lo) r.lo = lo, r.lo_open = lo_open;
  else if (o.lo > lo) r.lo = o.lo, r.lo_open = o.lo_open;
  else r.lo = lo, r.lo_open = lo_open || o.lo_open;
  if (hi < o.hi) r.hi = hi, r.hi_open = hi_open;
  else if (o.hi < hi) r.hi = o.hi, r.hi_open = o.hi_open;
  else r.hi = hi, r.hi_open = hi_open || o.hi_open;
  return r.normalised();
}

bool Interval::contains(const Interval& other) const {
  if (other.empty()) return true;
  if (empty()) return false;
  const Interval a = normalised();
  Interval b = other;
  b.integral = b.integral || integral;
  b = b.normalised();
  const bool lo_ok = a.lo < b.lo || (a.lo == b.lo && (!a.lo_open || b.lo_open));
  const bool hi_ok = a.hi > b.hi || (a.hi == b.hi && (!a.hi_open || b.hi_open));
  return lo_ok && hi_ok;
}

// ---- VarSet ----

bool VarSet::present_empty() const {
  if (numeric) return range.empty();
  return std::none_of(members.begin(), members.end(), [](bool b) { return b; });
}

VarSet VarSet::meet(const VarSet& o) const {
  VarSet r = *this;
  r.missing = missing && o.missing;
  if (numeric) {
    r.range = range.meet(o.range);
  } else {
    for (size_t i = 0; i < r.members.size(); ++i) r.members[i] = r.members[i] && i < o.members.size() && o.members[i];
  }
  return r;
}

bool VarSet::contains(const VarSet& o) const {
  if (o.missing && !missing) return false;
  if (o.present_empty()) return true;
  if (numeric) return range.contains(o.range);
  for (size_t i = 0; i < o.members.size(); ++i)
    if (o.members[i] && (i >= members.size() || !members[i])) return false;
  return true;
}

// ---- ConditionDomain ----

namespace {

VarSet members_of(size_t n, bool missing) {
  VarSet s;
  s.numeric = false;
  s.members.assign(n, true);
  s.missing = missing;
  return s;
}

VarSet numbers(Interval range, bool missing) {
  VarSet s;
  s.range = range;
  s.missing = missing;
  return s;
}

// The category a type ranges over: how many members (0 when it is not a category).
size_t category_size(const ast::Type& t, const ast::Scorecard& card) {
  switch (t.kind) {
    case ast::Type::Bool: return 2;
    case ast::Type::Enum:
      return t.index >= 0 && static_cast<size_t>(t.index) < card.fields.size() ? card.fields[t.index].members.size()
                                                                                : 0;
    case ast::Type::BandSet: return ir::band_choices(card.bands.size());
    case ast::Type::SegmentSet: return ir::segment_choices(card.segments.size());
    default: return 0;
  }
}

bool constant(const ast::Expr& e, double& out) {
  if (e.kind == ast::ExprKind::Number) {
    out = e.number;
    return std::isfinite(out);
  }
  if (e.kind == ast::ExprKind::Neg && e.args.size() == 1 && constant(*e.args[0], out)) {
    out = -out;
    return true;
  }
  return false;
}

// A member named beside a category: an enum member, band, segment, or a bool literal.
bool member(const ast::Expr& e, int32_t& out) {
  if (e.kind == ast::ExprKind::Bool) {
    out = e.number != 0 ? 1 : 0;
    return true;
  }
  if (e.kind == ast::ExprKind::NameRef &&
      (e.resolved.kind == ast::Resolution::EnumMember || e.resolved.kind == ast::Resolution::Band ||
       e.resolved.kind == ast::Resolution::Segment) &&
      e.resolved.index >= 0) {
    out = e.resolved.index;
    return true;
  }
  return false;
}

ast::BinOp flipped(ast::BinOp op) {
  switch (op) {
    case ast::BinOp::Lt: return ast::BinOp::Gt;
    case ast::BinOp::Le: return ast::BinOp::Ge;
    case ast::BinOp::Gt: return ast::BinOp::Lt;
    case ast::BinOp::Ge: return ast::BinOp::Le;
    default: return op;
  }
}

ast::BinOp negated(ast::BinOp op) {
  switch (op) {
    case ast::BinOp::Eq: return ast::BinOp::Ne;
    case ast::BinOp::Ne: return ast::BinOp::Eq;
    case ast::BinOp::Lt: return ast::BinOp::Ge;
    case ast::BinOp::Le: return ast::BinOp::Gt;
    case ast::BinOp::Gt: return ast::BinOp::Le;
    case ast::BinOp::Ge: return ast::BinOp::Lt;
    default: return op;
  }
}

// The numbers `x op c` admits, as one or two intervals.
std::vector<Interval> admitted(ast::BinOp op, double c) {
  const double inf = kInfinity;
  switch (op) {
    case ast::BinOp::Lt: return {Interval{-inf, c, true, true}};
    case ast::BinOp::Le: return {Interval{-inf, c, true, false}};
    case ast::BinOp::Gt: return {Interval{c, inf, true, true}};
    case ast::BinOp::Ge: return {Interval{c, inf, false, true}};
    case ast::BinOp::Eq: return {Interval{c, c, false, false}};
    case ast::BinOp::Ne: return {Interval{-inf, c, true, true}, Interval{c, inf, true, true}};
    default: return {Interval::all()};
  }
}

}  // namespace

VarSet ConditionDomain::universe(const Var& v) const {
  switch (v.kind) {
    case Var::Field: {
      const ast::Field& f = card_.fields[v.index];
      if (f.type == ast::FieldType::Bool) return members_of(2, f.optional);
      if (f.type == ast::FieldType::Enum) return members_of(f.members.size(), f.optional);
      return numbers(Interval::all(), f.optional);  // text and dates: only `is missing` is read
    }
    case Var::MeasureValue: {
      const ast::Measure& m = card_.measures[v.index];
      const size_t n = m.value ? category_size(m.value->type, card_) : 0;
      return n ? members_of(n, true) : numbers(Interval::all(), true);
    }
    case Var::MeasureScore: return numbers(Interval::closed(0, 100), true);
    case Var::Score: return numbers(Interval::closed(0, 100, true), true);
    case Var::Band: return members_of(ir::band_choices(card_.bands.size()), false);
    case Var::Segment: return members_of(ir::segment_choices(card_.segments.size()), false);
  }
  return numbers(Interval::all(), true);
}

bool ConditionDomain::as_var(const ast::Expr& e, Var& v) const {
  switch (e.kind) {
    case ast::ExprKind::NameRef:
      if (e.resolved.kind != ast::Resolution::Field || e.resolved.index < 0 ||
          static_cast<size_t>(e.resolved.index) >= card_.fields.size())
        return false;
      v = {Var::Field, e.resolved.index};
      return true;
    case ast::ExprKind::MeasureRef:
      if (e.resolved.kind != ast::Resolution::Measure || e.resolved.index < 0 ||
          static_cast<size_t>(e.resolved.index) >= card_.measures.size())
        return false;
      v = {e.member_is_score ? Var::MeasureScore : Var::MeasureValue, e.resolved.index};
      return true;
    case ast::ExprKind::ScoreRef: v = {Var::Score, -1}; return true;
    case ast::ExprKind::BandRef: v = {Var::Band, -1}; return true;
    case ast::ExprKind::SegmentRef: v = {Var::Segment, -1}; return true;
    default: return false;
  }
}

Region ConditionDomain::restrict(const Var& v, VarSet s) const {
  const VarSet u = universe(v);
  if (s.numeric != u.numeric) return Region::anything(false);
  s.range.integral = u.range.integral;
  const VarSet m = s.meet(u);
  if (m.empty()) return Region::nothing();
  return Region{{Box{{v, m}}}, true};
}

Region ConditionDomain::meet(const Region& a, const Region& b) const {
  Region r;
  r.exact = a.exact && b.exact;
  for (const Box& x : a.boxes) {
    for (const Box& y : b.boxes) {
      Box z = x;
      bool empty = false;
      for (const auto& [v, s] : y) {
        auto it = z.find(v);
        if (it == z.end()) {
          z.emplace(v, s);
          continue;
        }
        it->second = it->second.meet(s);
        if (it->second.empty()) {
          empty = true;
          break;
        }
      }
      if (empty) continue;
      r.boxes.push_back(std::move(z));
    }
  }
  if (r.boxes.empty()) r.exact = true;  // certainly empty, whatever widened on the way
  return simplified(std::move(r));
}

Region ConditionDomain::join(Region a, const Region& b) const {
  a.exact = a.exact && b.exact;
  a.boxes.insert(a.boxes.end(), b.boxes.begin(), b.boxes.end());
  return simplified(std::move(a));
}

namespace {

bool same(const VarSet& a, const VarSet& b) { return a.contains(b) && b.contains(a); }

// The union of two sets of one variable, when it is one set: members always; intervals when
// they overlap or meet.
bool union_of(const VarSet& a, const VarSet& b, VarSet& out) {
  out = a;
  out.missing = a.missing || b.missing;
  if (!a.numeric) {
    for (size_t i = 0; i < out.members.size(); ++i) out.members[i] = a.members[i] || (i < b.members.size() && b.members[i]);
    return true;
  }
  if (b.present_empty()) return true;
  if (a.present_empty()) {
    out.range = b.range;
    return true;
  }
  Interval x = a.range.normalised(), y = b.range.normalised();
  if (y.lo < x.lo || (y.lo == x.lo && !y.lo_open)) std::swap(x, y);  // x starts first
  const bool integral = x.integral || y.integral;
  const bool joined = y.lo < x.hi || (y.lo == x.hi && (!x.hi_open || !y.lo_open)) ||
                      (integral && !std::isinf(x.hi) && y.lo == x.hi + 1);
  if (!joined) return false;
  Interval h = x;
  if (y.hi > x.hi || (y.hi == x.hi && !y.hi_open)) h.hi = y.hi, h.hi_open = y.hi_open;
  h.integral = integral;
  out.range = h.normalised();
  return true;
}

}  // namespace

bool ConditionDomain::merge_into(Box& into, const Box& other) const {
  if (box_within(other, into)) return true;
  if (box_within(into, other)) {
    into = other;
    return true;
  }
  std::vector<Var> vars;
  for (const auto& [v, s] : into) vars.push_back(v);
  for (const auto& [v, s] : other)
    if (!into.count(v)) vars.push_back(v);
  const Var* differing = nullptr;
  for (const Var& v : vars) {
    auto a = into.find(v);
    auto b = other.find(v);
    if (same(a == into.end() ? universe(v) : a->second, b == other.end() ? universe(v) : b->second)) continue;
    if (differing) return false;
    differing = &v;
  }
  if (!differing) return true;
  auto a = into.find(*differing);
  auto b = other.find(*differing);
  VarSet u;
  if (!union_of(a == into.end() ? universe(*differing) : a->second,
                b == other.end() ? universe(*differing) : b->second, u))
    return false;
  into[*differing] = u;
  return true;
}

Region ConditionDomain::simplified(Region r) const {
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < r.boxes.size() && !changed; ++i)
      for (size_t j = i + 1; j < r.boxes.size() && !changed; ++j)
        if (merge_into(r.boxes[i], r.boxes[j])) {
          r.boxes.erase(r.boxes.begin() + static_cast<std::ptrdiff_t>(j));
          changed = true;
        }
  }
  if (r.boxes.size() > kMaxBoxes) return Region::anything(false);
  return r;
}

bool ConditionDomain::box_within(const Box& narrow, const Box& wide) const {
  for (const auto& [v, ws] : wide) {
    auto it = narrow.find(v);
    const VarSet ns = it == narrow.end() ? universe(v) : it->second;
    if (!ws.contains(ns)) return false;
  }
  return true;
}

bool ConditionDomain::covers(const Region& wide, const Region& narrow) const {
  if (!wide.exact) return false;
  for (const Box& n : narrow.boxes)
    if (std::none_of(wide.boxes.begin(), wide.boxes.end(), [&](const Box& w) { return box_within(n, w); }))
      return false;
  return true;
}

Region ConditionDomain::segment_in(const std::vector<int32_t>& segments) const {
  if (segments.empty()) return Region::anything(true);
  VarSet s = members_of(ir::segment_choices(card_.segments.size()), false);
  std::fill(s.members.begin(), s.members.end(), false);
  for (int32_t i : segments) {
    const size_t at = ir::for_list_segment(card_.segments.size(), i);
    if (at < s.members.size()) s.members[at] = true;
  }
  return restrict({Var::Segment, -1}, s);
}

Region ConditionDomain::when_true(const ast::Expr& condition) const { return analyse(condition, 0).when_true; }
Region ConditionDomain::when_false(const ast::Expr& condition) const { return analyse(condition, 0).when_false; }

ConditionDomain::Both ConditionDomain::compare(const ast::Expr& e) const {
  const Both unknown{Region::anything(false), Region::anything(false)};
  if (e.args.size() != 2) return unknown;
  Var v;
  const ast::Expr* other = nullptr;
  ast::BinOp op = e.op;
  if (as_var(*e.args[0], v)) {
    other = e.args[1].get();
  } else if (as_var(*e.args[1], v)) {
    other = e.args[0].get();
    op = flipped(op);
  } else {
    return unknown;
  }
  const VarSet u = universe(v);
  auto side = [&](ast::BinOp o) -> Region {
    if (u.numeric) {
      double c = 0;
      if (!constant(*other, c)) return Region::anything(false);
      Region r = Region::nothing();
      for (const Interval& i : admitted(o, c)) r = join(r, restrict(v, numbers(i, false)));
      return r;
    }
    int32_t m = -1;
    if ((o != ast::BinOp::Eq && o != ast::BinOp::Ne) || !member(*other, m) || static_cast<size_t>(m) >= u.members.size())
      return Region::anything(false);
    VarSet s = u;
    s.missing = false;
    for (size_t i = 0; i < s.members.size(); ++i) s.members[i] = (static_cast<int32_t>(i) == m) == (o == ast::BinOp::Eq);
    return restrict(v, s);
  };
  return {side(op), side(negated(op))};
}

ConditionDomain::Both ConditionDomain::membership(const ast::Expr& e) const {
  const Both unknown{Region::anything(false), Region::anything(false)};
  Var v;
  if (e.args.empty() || !as_var(*e.args[0], v)) return unknown;
  const VarSet u = universe(v);
  Region in = Region::nothing(), out = Region::nothing();
  if (u.numeric) {
    std::vector<double> points;
    for (size_t i = 1; i < e.args.size(); ++i) {
      double c = 0;
      if (!constant(*e.args[i], c)) return unknown;
      points.push_back(c);
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    double from = -kInfinity;
    for (double p : points) {
      in = join(in, restrict(v, numbers(Interval{p, p, false, false}, false)));
      out = join(out, restrict(v, numbers(Interval{from, p, true, true}, false)));
      from = p;
    }
    out = join(out, restrict(v, numbers(Interval{from, kInfinity, true, true}, false)));
  } else {
    VarSet s = u;
    s.missing = false;
    std::fill(s.members.begin(), s.members.end(), false);
    for (size_t i = 1; i < e.args.size(); ++i) {
      int32_t m = -1;
      if (!member(*e.args[i], m) || static_cast<size_t>(m) >= s.members.size()) return unknown;
      s.members[m] = true;
    }
    VarSet rest = u;
    rest.missing = false;
    for (size_t i = 0; i < rest.members.size(); ++i) rest.members[i] = !s.members[i];
    in = restrict(v, s);
    out = restrict(v, rest);
  }
  if (e.negated) std::swap(in, out);
  return {in, out};
}

ConditionDomain::Both ConditionDomain::analyse(const ast::Expr& e, int depth) const {
  const Both unknown{Region::anything(false), Region::anything(false)};
  if (depth > 256) return unknown;
  switch (e.kind) {
    case ast::ExprKind::Bool:
      return e.number != 0 ? Both{Region::anything(true), Region::nothing()}
                           : Both{Region::nothing(), Region::anything(true)};
    case ast::ExprKind::NameRef:
    case ast::ExprKind::MeasureRef: {  // a bool read as a condition
      Var v;
      if (!as_var(e, v) || e.type.kind != ast::Type::Bool) return unknown;
      VarSet t = members_of(2, false), f = members_of(2, false);
      t.members[0] = false;
      f.members[1] = false;
      return {restrict(v, t), restrict(v, f)};
    }
    case ast::ExprKind::Not: {
      if (e.args.size() != 1) return unknown;
      Both a = analyse(*e.args[0], depth + 1);
      return {a.when_false, a.when_true};
    }
    case ast::ExprKind::IsMissing: {
      Var v;
      if (e.args.size() != 1 || !as_var(*e.args[0], v)) return unknown;
      const VarSet u = universe(v);
      VarSet missing = u, present = u;
      missing.missing = true;
      if (missing.numeric) missing.range = Interval{0, 0, true, true};
      else std::fill(missing.members.begin(), missing.members.end(), false);
      present.missing = false;
      Region m = restrict(v, missing), p = restrict(v, present);
      if (e.negated) std::swap(m, p);
      return {m, p};
    }
    case ast::ExprKind::In: return membership(e);
    case ast::ExprKind::Binary:
      switch (e.op) {
        case ast::BinOp::And: {
          Both a = analyse(*e.args[0], depth + 1), b = analyse(*e.args[1], depth + 1);
          return {meet(a.when_true, b.when_true), join(a.when_false, b.when_false)};
        }
        case ast::BinOp::Or: {
          Both a = analyse(*e.args[0], depth + 1), b = analyse(*e.args[1], depth + 1);
          return {join(a.when_true, b.when_true), meet(a.when_false, b.when_false)};
        }
        case ast::BinOp::Eq:
        case ast::BinOp::Ne:
        case ast::BinOp::Lt:
        case ast::BinOp::Le:
        case ast::BinOp::Gt:
        case ast::BinOp::Ge: return compare(e);
        default: return unknown;
      }
    default: return unknown;
  }
}

}  // namespace healthc::lint
