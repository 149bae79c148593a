// Lowers a checked AST to the scoring IR. Scoring forms become primitive instructions
// (comparisons and selects), so the evaluator and codegen each implement only the primitives.
#include "compiler/ir/lower.h"

#include <algorithm>
#include <cmath>

#include "stdlib/builtins.h"

namespace healthc::ir {
namespace {

class Lowerer {
 public:
  Lowerer(const ast::Scorecard& card, const check::CheckedScorecard& checked, const std::vector<double>& params)
      : card_(card), checked_(checked), params_(params) {}

  Program run() {
    p_.title = card_.title;
    for (const ast::Field& f : card_.fields) {
      Field out{f.name.text, static_cast<FieldType>(f.type), f.optional, {}};
      for (const ast::Name& m : f.members) out.members.push_back(m.text);
      p_.fields.push_back(std::move(out));
    }
    p_.key_field = checked_.key_field;
    p_.measures.resize(card_.measures.size());
    p_.measures_block.begin = pos();
    for (int32_t i : checked_.measure_order) lower_measure(i);
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
    p_.overrides_block.end = pos();
    p_.labels_block.begin = pos();
    for (const ast::Label& l : card_.labels)
      p_.labels.push_back(Label{l.name.text, l.title, l.condition ? expr(*l.condition) : kNone});
    p_.labels_block.end = pos();
    return std::move(p_);
  }

 private:
  uint32_t pos() const { return static_cast<uint32_t>(p_.code.size()); }
  uint32_t emit(Op op, uint32_t a = 0, uint32_t b = 0, uint32_t c = 0, double imm = 0, uint32_t aux = 0) {
    p_.code.push_back(Inst{op, a, b, c, imm, aux});
    return pos() - 1;
  }
  uint32_t constant(double v) { return emit(Op::Const, 0, 0, 0, v); }

  std::vector<WeightNode> nodes(const std::vector<check::WeightNode>& in) {
    std::vector<WeightNode> out;
    for (const check::WeightNode& n : in)
      out.push_back(WeightNode{n.name, n.title, n.kind == check::WeightNode::Measure ? n.measure : -1, n.weight,
                               nodes(n.children)});
    return out;
  }

  void lower_measure(int32_t i) {
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
    out.score = score;
    current_ = -1;
  }

  uint32_t scoring(const ast::Scoring& s) {
    const uint32_t x = expr(*s.subject);
    switch (s.kind) {
      case ast::Scoring::Expr: return x;
      case ast::Scoring::Linear: {
        // Flat outside the points; between x_i and x_{i+1}: s_i + (x - x_i) * slope_i.
        // One emit a statement: the order of a call's arguments is unspecified (gcc and clang
        // differ), and the order of instructions is what `compile --emit ir` prints.
        const auto& pts = s.points;
        uint32_t r = constant(pts.back().score);
        for (size_t k = pts.size() - 1; k-- > 0;) {
          const double slope = (pts[k + 1].score - pts[k].score) / (pts[k + 1].x - pts[k].x);
          const uint32_t slope_c = constant(slope);
          const uint32_t offset = emit(Op::Sub, x, constant(pts[k].x));
          const uint32_t rise = emit(Op::Mul, offset, slope_c);
          const uint32_t interp = emit(Op::Add, constant(pts[k].score), rise);
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

  uint32_t string_id(const std::string& s) {
    auto it = std::find(p_.strings.begin(), p_.strings.end(), s);
    if (it != p_.strings.end()) return static_cast<uint32_t>(it - p_.strings.begin());
    p_.strings.push_back(s);
    return static_cast<uint32_t>(p_.strings.size() - 1);
  }
  // A text subject is a field (the checker allows no other text-valued expression but literals).
  static int32_t text_field(const ast::Expr& e) {
    return e.kind == ast::ExprKind::NameRef && e.resolved.kind == ast::Resolution::Field ? e.resolved.index : -1;
  }
  uint32_t text_eq(const ast::Expr& subject, uint32_t string) {
    const int32_t f = text_field(subject);
    return f < 0 ? emit(Op::Missing) : emit(Op::TextEq, static_cast<uint32_t>(f), string, 0, 0, 1);
  }
  uint32_t text_compare(const ast::Expr& l, const ast::Expr& r) {
    const int32_t fl = text_field(l), fr = text_field(r);
    if (fl >= 0 && fr >= 0) return emit(Op::TextEq, fl, fr, 0, 0, 0);
    if (fl >= 0 && r.kind == ast::ExprKind::String) return text_eq(l, string_id(r.text));
    if (fr >= 0 && l.kind == ast::ExprKind::String) return text_eq(r, string_id(l.text));
    // Two literals: known now.
    return constant(l.kind == ast::ExprKind::String && r.kind == ast::ExprKind::String && l.text == r.text);
  }

  uint32_t expr(const ast::Expr& e) {
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
          case ast::Resolution::Segment: return constant(e.resolved.index);
          default: return emit(Op::Missing);
        }
      case K::MeasureRef: {
        const Measure& m = p_.measures[e.resolved.index];
        return e.member_is_score ? m.score : m.value;
      }
      case K::ValueRef: return p_.measures[current_].value;
      case K::ScoreRef: return emit(Op::AccountScore);
      case K::BandRef: return emit(Op::AccountBand);
      case K::SegmentRef: return emit(Op::AccountSegment);
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

  uint32_t binary(const ast::Expr& e) {
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

  uint32_t call(const ast::Expr& e) {
    using stdlib::BuiltinId;
    std::vector<uint32_t> a;
    for (const auto& arg : e.args) a.push_back(expr(*arg));
    auto fold = [&](Op op) {
      uint32_t r = a[0];
      for (size_t i = 1; i < a.size(); ++i) r = emit(op, r, a[i]);
      return r;
    };
    switch (static_cast<BuiltinId>(e.function)) {
      case BuiltinId::Min: return fold(Op::Min);
      case BuiltinId::Max: return fold(Op::Max);
      case BuiltinId::Coalesce: return fold(Op::Coalesce);
      case BuiltinId::Clamp: return emit(Op::Clamp, a[0], a[1], a[2]);
      case BuiltinId::Abs: return emit(Op::Abs, a[0]);
      case BuiltinId::Round: return emit(Op::Round, a[0]);
      case BuiltinId::Log: return emit(Op::Log, a[0]);
      case BuiltinId::Sqrt: return emit(Op::Sqrt, a[0]);
      case BuiltinId::PctChange: return emit(Op::PctChange, a[0], a[1]);
      case BuiltinId::DaysSince: return emit(Op::Sub, emit(Op::AsOf), a[0]);
      case BuiltinId::DaysBetween: return emit(Op::Sub, a[1], a[0]);
    }
    return emit(Op::Missing);
  }

  const ast::Scorecard& card_;
  const check::CheckedScorecard& checked_;
  const std::vector<double>& params_;
  Program p_;
  int32_t current_ = -1;
};

}  // namespace

Program lower(const ast::Scorecard& card, const check::CheckedScorecard& checked, const std::vector<double>& params) {
  return Lowerer(card, checked, params).run();
}

std::vector<double> default_params(const ast::Scorecard& card) {
  std::vector<double> out;
  for (const ast::Param& p : card.params) out.push_back(p.value);
  return out;
}

}  // namespace healthc::ir
