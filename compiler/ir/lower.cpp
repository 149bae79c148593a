// Lowers a checked AST to the scoring IR. Scoring forms become primitive instructions
// (comparisons and selects), and so does the account pipeline (spec "The account's score":
// segment, weighted means, rounding, overrides, band, label, effective weights), so the
// evaluator and codegen each implement only the instructions. v2's forms are lowered in
// lower_past.cpp.
#include "compiler/ir/lower.h"

#include <algorithm>
#include <cmath>

#include "compiler/ir/conventions.h"
#include "compiler/ir/lowerer.h"
#include "compiler/ir/ops.h"
#include "stdlib/builtins.h"

namespace healthc::ir {

Program Lowerer::run() {
  p_.title = card_.title;
  for (const ast::Field& f : card_.fields) {
    Field out{f.name.text, static_cast<FieldType>(f.type), f.optional, {}};
    for (const ast::Name& m : f.members) out.members.push_back(m.text);
    // A member without `= "..."` is spelled as its name; a card with no spelling keeps none.
    if (!f.spellings.empty())
      for (size_t m = 0; m < f.members.size(); ++m) {
        const bool spelled = m < f.spellings.size() && f.spellings[m].range.end > f.spellings[m].range.begin;
        out.spellings.push_back(spelled ? f.spellings[m].text : f.members[m].text);
      }
    p_.fields.push_back(std::move(out));
  }
  p_.key_field = checked_.key_field;
  p_.measures.resize(card_.measures.size());
  p_.measures_block.begin = pos();
  for (int32_t i : checked_.measure_order) lower_measure(i);
  std::sort(p_.stale_rules.begin(), p_.stale_rules.end(),
            [](const StaleRule& a, const StaleRule& b) { return a.measure < b.measure; });
  for (size_t s = 0; s < card_.segments.size(); ++s) {
    const ast::Segment& seg = card_.segments[s];
    p_.segments.push_back(Segment{seg.name.text, seg.title, expr(*seg.condition), checked_.segment_model[s]});
  }
  p_.measures_block.end = pos();
  for (const check::WeightTree& t : checked_.models) p_.models.push_back(Model{t.name, nodes(t.roots)});
  p_.default_model = checked_.default_model;
  for (size_t i = 0; i < card_.bands.size(); ++i) {
    const ast::Band& b = card_.bands[i];
    const int32_t to = i + 1 < card_.bands.size() ? static_cast<int32_t>(card_.bands[i + 1].from) - 1 : 100;
    p_.bands.push_back(Band{b.name.text, b.title, b.color.text, static_cast<int32_t>(b.from), to});
  }
  p_.account_block.begin = pos();
  account();
  p_.account_block.end = pos();
  p_.detail_block.begin = pos();
  effective_weights();
  p_.detail_block.end = pos();
  // Override conditions read the weighted score and its band; labels the final ones.
  score_ = p_.results.weighted_score;
  score_kind_ = HistoryKind::WeightedScore;
  band_ = weighted_band_;
  p_.overrides_block.begin = pos();
  for (size_t i = 0; i < card_.overrides.size(); ++i) {
    const ast::Override& o = card_.overrides[i];
    Override out;
    out.name = o.name.text;
    out.title = o.title;
    out.segments = checked_.override_segments[i];
    out.condition = expr(*o.condition);
    out.action = static_cast<ActionKind>(o.action);
    out.amount = static_cast<int32_t>(std::clamp(o.amount, -1e9, 1e9));
    out.band = checked_.override_band[i];
    p_.overrides.push_back(std::move(out));
  }
  override_chain();
  p_.overrides_block.end = pos();
  score_ = p_.results.score;
  score_kind_ = HistoryKind::FinalScore;
  band_ = p_.results.band;
  p_.labels_block.begin = pos();
  for (const ast::Label& l : card_.labels)
    p_.labels.push_back(Label{l.name.text, l.title, l.condition ? expr(*l.condition) : kNone});
  label_chain();
  p_.labels_block.end = pos();
  p_.alerts_block.begin = pos();
  alerts();
  p_.alerts_block.end = pos();
  rollups();
  return std::move(p_);
}

std::vector<WeightNode> Lowerer::nodes(const std::vector<check::WeightNode>& in) {
  std::vector<WeightNode> out;
  for (const check::WeightNode& n : in)
    out.push_back(WeightNode{n.name, n.title, n.kind == check::WeightNode::Measure ? n.measure : -1, n.weight,
                             nodes(n.children)});
  return out;
}

void Lowerer::lower_measure(int32_t i) {
  const ast::Measure& m = card_.measures[i];
  Measure& out = p_.measures[i];
  out.name = m.name.text;
  out.title = m.title;
  out.subjective = m.subjective;
  current_ = i;
  if (m.value) {
    out.value = expr(*m.value);
    const ast::Type t = m.value->type;
    out.value_kind = t.kind == ast::Type::Bool ? ValueKind::Bool
                     : t.kind == ast::Type::Enum ? ValueKind::Enum
                                                 : ValueKind::Number;
    out.enum_field = t.kind == ast::Type::Enum ? t.index : -1;
  }
  uint32_t score = scoring(*m.score);
  score = emit(Op::ClampScore, score);
  if (m.missing == ast::Measure::Missing::Score) score = emit(Op::OrElse, score, 0, 0, m.missing_score);
  if (m.stale && static_cast<size_t>(i) < checked_.stale_field.size() && checked_.stale_field[i] >= 0)
    score = stale_rule(i, checked_.stale_field[i], static_cast<int32_t>(m.stale->days), score);
  out.score = score;
  current_ = -1;
}

uint32_t Lowerer::scoring(const ast::Scoring& s) {
  const uint32_t x = expr(*s.subject);
  switch (s.kind) {
    case ast::Scoring::Expr: return x;
    case ast::Scoring::Linear: {
      // Flat outside the points; between x_k and x_k+1 the spec pins
      // s_k + (s_k+1 - s_k) * (X - x_k) / (x_k+1 - x_k) in C order: the multiplication, then
      // the division, then the addition. The two differences of constants are folded here
      // (the same double operations the engines would do). One emit a statement: the order
      // of a call's arguments is unspecified (gcc and clang differ), and the order of
      // instructions is what `compile --emit ir` prints.
      const auto& pts = s.points;
      uint32_t r = constant(pts.back().score);
      for (size_t k = pts.size() - 1; k-- > 0;) {
        const uint32_t rise_c = constant(pts[k + 1].score - pts[k].score);
        const uint32_t run_c = constant(pts[k + 1].x - pts[k].x);
        const uint32_t offset = emit(Op::Sub, x, constant(pts[k].x));
        const uint32_t scaled = emit(Op::Mul, rise_c, offset);
        const uint32_t step = emit(Op::Div, scaled, run_c);
        const uint32_t interp = emit(Op::Add, constant(pts[k].score), step);
        const uint32_t below = emit(Op::Lt, x, constant(pts[k + 1].x));
        r = emit(Op::Select, below, interp, r);
      }
      const uint32_t first = constant(pts.front().score);
      const uint32_t at_or_below = emit(Op::Le, x, constant(pts.front().x));
      r = emit(Op::Select, at_or_below, first, r);
      return emit(Op::Guard, x, r);
    }
    case ast::Scoring::Ranges: {
      uint32_t r = emit(Op::Missing);
      for (size_t k = s.ranges.size(); k-- > 0;) {
        const ast::RangeArm& arm = s.ranges[k];
        uint32_t in = kNone;
        if (arm.lo) in = emit(Op::Ge, x, constant(*arm.lo));
        if (arm.hi) {
          const uint32_t below = emit(Op::Lt, x, constant(*arm.hi));
          in = in == kNone ? below : emit(Op::And, in, below);
        }
        if (in == kNone) in = emit(Op::Not, emit(Op::IsMissing, x));  // `..` holds every value
        r = emit(Op::Select, in, constant(arm.score), r);
      }
      return emit(Op::Guard, x, r);
    }
    case ast::Scoring::Match: {
      uint32_t r = emit(Op::Missing);
      for (size_t k = s.arms.size(); k-- > 0;) {
        const ast::MatchArm& arm = s.arms[k];
        uint32_t hit;
        if (arm.kind == ast::MatchArm::Wildcard) {
          hit = emit(Op::Not, emit(Op::IsMissing, x));
        } else if (arm.kind == ast::MatchArm::String) {
          hit = text_eq(*s.subject, string_id(arm.text));
        } else {
          hit = emit(Op::Eq, x, constant(arm.member));
        }
        r = emit(Op::Select, hit, constant(arm.score), r);
      }
      return emit(Op::Guard, x, r);
    }
  }
  return x;
}

uint32_t Lowerer::string_id(const std::string& s) {
  auto it = std::find(p_.strings.begin(), p_.strings.end(), s);
  if (it != p_.strings.end()) return static_cast<uint32_t>(it - p_.strings.begin());
  p_.strings.push_back(s);
  return static_cast<uint32_t>(p_.strings.size() - 1);
}

// A text subject is a field (the checker allows no other text-valued expression but literals).
int32_t Lowerer::text_field(const ast::Expr& e) {
  return e.kind == ast::ExprKind::NameRef && e.resolved.kind == ast::Resolution::Field ? e.resolved.index : -1;
}

uint32_t Lowerer::text_eq(const ast::Expr& subject, uint32_t string) {
  const int32_t f = text_field(subject);
  return f < 0 ? emit(Op::Missing) : emit(Op::TextEq, static_cast<uint32_t>(f), string, 0, 0, 1);
}

uint32_t Lowerer::text_compare(const ast::Expr& l, const ast::Expr& r) {
  const int32_t fl = text_field(l), fr = text_field(r);
  if (fl >= 0 && fr >= 0) return emit(Op::TextEq, fl, fr, 0, 0, 0);
  if (fl >= 0 && r.kind == ast::ExprKind::String) return text_eq(l, string_id(r.text));
  if (fr >= 0 && l.kind == ast::ExprKind::String) return text_eq(r, string_id(l.text));
  // Two literals: known now.
  return constant(l.kind == ast::ExprKind::String && r.kind == ast::ExprKind::String && l.text == r.text);
}

uint32_t Lowerer::expr(const ast::Expr& e) {
  using K = ast::ExprKind;
  switch (e.kind) {
    case K::Error: return emit(Op::Missing);
    case K::Number:
    case K::Bool: return constant(e.number);
    case K::String: return emit(Op::Missing);  // only read through text comparisons
    case K::NameRef:
      switch (e.resolved.kind) {
        case ast::Resolution::Field: return emit(Op::Load, e.resolved.index);
        case ast::Resolution::Param: return constant(params_[e.resolved.index]);
        case ast::Resolution::EnumMember:
        case ast::Resolution::Band:
        case ast::Resolution::Segment:
        case ast::Resolution::Label:
        case ast::Resolution::Override: return constant(e.resolved.index);
        default: return emit(Op::Missing);
      }
    case K::MeasureRef: {
      const Measure& m = p_.measures[e.resolved.index];
      return e.member_is_score ? m.score : m.value;
    }
    case K::ValueRef: return p_.measures[current_].value;
    // The account's results so far: the instructions that computed them (the checker allows
    // these only in overrides and labels, where they exist).
    case K::ScoreRef: return score_ == kNone ? emit(Op::Missing) : score_;
    case K::BandRef: return band_ == kNone ? emit(Op::Missing) : band_;
    case K::SegmentRef: return p_.results.segment == kNone ? emit(Op::Missing) : p_.results.segment;
    case K::LabelRef: return p_.results.label == kNone ? emit(Op::Missing) : p_.results.label;
    case K::Previous: return previous(e);
    case K::Change: return change(e);
    case K::Neg: return emit(Op::Neg, expr(*e.args[0]));
    case K::Not: return emit(Op::Not, expr(*e.args[0]));
    case K::IsMissing: {
      const uint32_t m = emit(Op::IsMissing, expr(*e.args[0]));
      return e.negated ? emit(Op::Not, m) : m;
    }
    case K::If: {
      const uint32_t c = expr(*e.args[0]);
      // `else` before `then`, as gcc evaluated the arguments before this was sequenced.
      const uint32_t otherwise = expr(*e.args[2]);
      const uint32_t then = expr(*e.args[1]);
      return emit(Op::Select, c, then, otherwise);
    }
    case K::In: {
      const ast::Expr& x = *e.args[0];
      const bool text = x.type.kind == ast::Type::Text;
      const uint32_t xv = text ? 0 : expr(x);
      uint32_t r = kNone;
      for (size_t i = 1; i < e.args.size(); ++i) {
        const uint32_t eq = text ? text_compare(x, *e.args[i]) : emit(Op::Eq, xv, expr(*e.args[i]));
        r = r == kNone ? eq : emit(Op::Or, r, eq);
      }
      if (r == kNone) r = constant(0);
      return e.negated ? emit(Op::Not, r) : r;
    }
    case K::Binary: return binary(e);
    case K::Call: return call(e);
  }
  return emit(Op::Missing);
}

uint32_t Lowerer::binary(const ast::Expr& e) {
  using ast::BinOp;
  const bool text = e.args[0]->type.kind == ast::Type::Text || e.args[1]->type.kind == ast::Type::Text;
  if (text && (e.op == BinOp::Eq || e.op == BinOp::Ne)) {
    const uint32_t eq = text_compare(*e.args[0], *e.args[1]);
    return e.op == BinOp::Eq ? eq : emit(Op::Not, eq);
  }
  const uint32_t a = expr(*e.args[0]);
  const uint32_t b = expr(*e.args[1]);
  static constexpr Op kOps[] = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Eq, Op::Ne,
                                Op::Lt,  Op::Le,  Op::Gt,  Op::Ge,  Op::And, Op::Or};
  return emit(kOps[static_cast<int>(e.op)], a, b);
}

// A builtin is the op ir::builtin_op names (whose missing policy agrees with the builtin's
// declaration), folded over the arguments when the builtin takes any number of them.
uint32_t Lowerer::call(const ast::Expr& e) {
  using stdlib::BuiltinId;
  std::vector<uint32_t> a;
  for (const auto& arg : e.args) a.push_back(expr(*arg));
  const BuiltinId id = static_cast<BuiltinId>(e.function);
  const Op op = builtin_op(id);
  switch (id) {
    case BuiltinId::Min:
    case BuiltinId::Max:
    case BuiltinId::Coalesce: {
      uint32_t r = a[0];
      for (size_t i = 1; i < a.size(); ++i) r = emit(op, r, a[i]);
      return r;
    }
    case BuiltinId::Clamp: return emit(op, a[0], a[1], a[2]);
    case BuiltinId::Abs:
    case BuiltinId::Round:
    case BuiltinId::Log:
    case BuiltinId::Sqrt: return emit(op, a[0]);
    case BuiltinId::PctChange: return emit(op, a[0], a[1]);
    case BuiltinId::DaysSince: return emit(op, emit(Op::AsOf), a[0]);
    case BuiltinId::DaysBetween: return emit(op, a[1], a[0]);
  }
  return emit(Op::Missing);
}

// A level's weighted mean: the running sums over its scored children (an unscored child
// adds nothing, so its weight is shared out among the scored ones), then their quotient.
Lowerer::Level Lowerer::level(const std::vector<WeightNode>& nodes) {
  Level l;
  l.kids.resize(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].measure >= 0) {
      l.score.push_back(p_.measures[nodes[i].measure].score);
    } else {
      l.kids[i] = level(nodes[i].children);
      l.score.push_back(l.kids[i].mean);
    }
  }
  uint32_t num = constant(0);
  uint32_t den = constant(0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    num = emit(Op::WeightedSum, num, l.score[i], 0, nodes[i].weight);
    den = emit(Op::WeightSum, den, l.score[i], 0, nodes[i].weight);
  }
  l.den = den;
  l.mean = emit(Op::Mean, num, den);
  return l;
}

// Steps 1-3: the first segment whose condition holds (else `default`) and its model, every
// model's tree, the account's model's root, rounded; and the band of that score.
void Lowerer::account() {
  const int32_t nseg = static_cast<int32_t>(p_.segments.size());
  const bool models = p_.models.size() > 1;  // with one, every segment uses it
  uint32_t seg = constant(default_segment(p_));
  uint32_t model = models ? constant(p_.default_model) : kNone;
  for (int32_t s = nseg; s-- > 0;) {
    const uint32_t cond = p_.segments[s].condition;
    const uint32_t index = constant(s);
    seg = emit(Op::Select, cond, index, seg);
    if (!models) continue;
    const uint32_t m = constant(p_.segments[s].model);
    model = emit(Op::Select, cond, m, model);
  }
  p_.results.segment = seg;
  levels_.clear();
  is_model_.clear();
  uint32_t root = kNone;
  for (size_t k = 0; k < p_.models.size(); ++k) {
    levels_.push_back(level(p_.models[k].roots));
    if (p_.models.size() == 1) {
      root = levels_.back().mean;
      continue;
    }
    const uint32_t index = constant(static_cast<double>(k));
    is_model_.push_back(emit(Op::Eq, model, index));
    if (root == kNone) root = emit(Op::Missing);
    root = emit(Op::Select, is_model_.back(), levels_.back().mean, root);
  }
  if (root == kNone) root = emit(Op::Missing);
  p_.results.weighted_score = emit(Op::RoundScore, root);
  weighted_band_ = emit(Op::BandOf, p_.results.weighted_score);
}

// Each node's effective weight below a level whose own weight (and validity) is `level_w`.
void Lowerer::node_weights(const Level& l, const std::vector<WeightNode>& nodes, uint32_t level_w, std::vector<uint32_t>& ew) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    const uint32_t w = emit(Op::EffectiveWeight, level_w, l.den, l.score[i], nodes[i].weight);
    if (nodes[i].measure >= 0) {
      ew[nodes[i].measure] = w;
    } else {
      const uint32_t kid_w = emit(Op::Guard, l.kids[i].mean, w);  // the group's weight, if it is scored
      node_weights(l.kids[i], nodes[i].children, kid_w, ew);
    }
  }
}

// The detail block: every measure's effective weight in the account's model (the product of
// the normalised weights on its path), missing where unscored or in another model.
void Lowerer::effective_weights() {
  const size_t nm = p_.measures.size();
  std::vector<std::vector<uint32_t>> per_model;
  for (size_t k = 0; k < p_.models.size(); ++k) {
    std::vector<uint32_t> ew(nm, kNone);
    const uint32_t one = constant(1.0);
    const uint32_t root_w = emit(Op::Guard, levels_[k].mean, one);  // the root's weight, 1 if scored
    node_weights(levels_[k], p_.models[k].roots, root_w, ew);
    per_model.push_back(std::move(ew));
  }
  for (size_t m = 0; m < nm; ++m) {
    uint32_t w = kNone;
    for (size_t k = 0; k < p_.models.size(); ++k) {
      if (per_model[k][m] == kNone) continue;
      if (p_.models.size() == 1) {
        w = per_model[k][m];
        continue;
      }
      if (w == kNone) w = emit(Op::Missing);
      w = emit(Op::Select, is_model_[k], per_model[k][m], w);
    }
    p_.measures[m].weight = w;
  }
}

// Step 4: the first override that matches (and whose `for` list holds the account's
// segment) applies its action to the weighted score; the result is clamped to 0..100.
// `score N` scores an unscored account; cap, floor and band keep it unscored (their ops are
// missing when the score is). Then step 5: the final score's band.
void Lowerer::override_chain() {
  const uint32_t weighted = p_.results.weighted_score;
  uint32_t final_score = weighted;
  uint32_t applied = constant(kNoOverride);
  for (size_t o = p_.overrides.size(); o-- > 0;) {
    const Override& ov = p_.overrides[o];
    uint32_t hit = ov.condition;
    if (!ov.segments.empty()) hit = emit(Op::And, hit, segment_in(ov.segments));
    uint32_t r = kNone;
    switch (ov.action) {
      case ActionKind::Score: r = constant(std::clamp(ov.amount, 0, 100)); break;
      case ActionKind::Cap:
      case ActionKind::Floor: {
        const uint32_t amount = constant(ov.amount);
        const uint32_t moved = emit(ov.action == ActionKind::Cap ? Op::Min : Op::Max, weighted, amount);
        const uint32_t lo = constant(0);
        const uint32_t hi = constant(100);
        r = emit(Op::Clamp, moved, lo, hi);
        break;
      }
      case ActionKind::Band: {  // a band's range lies within 0..100
        const Band& b = p_.bands[ov.band];
        const uint32_t lo = constant(b.from);
        const uint32_t hi = constant(b.to);
        r = emit(Op::Clamp, weighted, lo, hi);
        break;
      }
    }
    final_score = emit(Op::Select, hit, r, final_score);
    const uint32_t index = constant(static_cast<double>(o));
    applied = emit(Op::Select, hit, index, applied);
  }
  p_.results.score = final_score;
  p_.results.override_ = applied;
  p_.results.band = final_score == weighted ? weighted_band_ : emit(Op::BandOf, final_score);
}

// Step 6: the first label whose condition holds; `otherwise` holds always.
void Lowerer::label_chain() {
  uint32_t label = constant(kNoLabel);
  for (size_t l = p_.labels.size(); l-- > 0;) {
    const uint32_t index = constant(static_cast<double>(l));
    label = p_.labels[l].condition == kNone ? index : emit(Op::Select, p_.labels[l].condition, index, label);
  }
  p_.results.label = label;
}

Program lower(const ast::Scorecard& card, const check::CheckedScorecard& checked, const std::vector<double>& params) {
  Program p = Lowerer(card, checked, params).run();
  return p;
}

std::vector<double> default_params(const ast::Scorecard& card) {
  std::vector<double> out;
  for (const ast::Param& p : card.params) out.push_back(p.value);
  return out;
}

}  // namespace healthc::ir
