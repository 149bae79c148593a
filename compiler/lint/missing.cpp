// Missing-value rule: an optional field read in a segment or override condition with no
// `is missing` or `coalesce` for it in that condition. A comparison with an empty cell is
// unknown, and a `when` that ends unknown is not taken, so the account silently falls through.
//
// One kind of read is not blamed: a positive test for a member (`pulse == red`,
// `tier in [a, b]`, a bare bool `flag`). An empty cell is not that member, so not matching is
// what the condition says. Negated tests (`!=`, `not in`, `not flag`) are blamed: an empty
// cell is not `red` either, yet `pulse != red` does not match it.
#include <set>

#include "compiler/lint/rules.h"
#include "stdlib/builtins.h"

namespace healthc::lint {
namespace {

bool is_coalesce(const ast::Expr& e) {
  return e.kind == ast::ExprKind::Call && e.function >= 0 &&
         stdlib::builtins()[e.function].id == stdlib::BuiltinId::Coalesce;
}

bool is_category(const ast::Type& t) {
  return t.kind == ast::Type::Enum || t.kind == ast::Type::Bool || t.kind == ast::Type::Text;
}

class ConditionReads {
 public:
  ConditionReads(const LintContext& cx, const ast::Expr& condition) : cx_(cx) {
    // Fields the condition handles anywhere: inside `is missing` or a `coalesce`.
    visit(condition, [&](const ast::Expr& e) {
      if (e.kind == ast::ExprKind::IsMissing || is_coalesce(e))
        visit(e, [&](const ast::Expr& x) {
          if (optional_field(x)) handled_.insert(x.resolved.index);
        });
    });
    walk(condition, true, true);
  }

 private:
  bool optional_field(const ast::Expr& e) const {
    return e.kind == ast::ExprKind::NameRef && e.resolved.kind == ast::Resolution::Field && e.resolved.index >= 0 &&
           static_cast<size_t>(e.resolved.index) < cx_.card.fields.size() &&
           cx_.card.fields[e.resolved.index].optional;
  }

  void read(const ast::Expr& e) {
    if (!optional_field(e) || handled_.count(e.resolved.index) || !reported_.insert(e.resolved.index).second) return;
    cx_.out.report(DiagKind::LintOptionalUnhandled, e.range, cx_.card.fields[e.resolved.index].name.text);
  }

  // `positive`: under an even number of `not`s. `atom`: where a bool stands as a test itself.
  void walk(const ast::Expr& e, bool positive, bool atom) {
    using K = ast::ExprKind;
    switch (e.kind) {
      case K::IsMissing: return;
      case K::Not:
        for (const auto& a : e.args) walk(*a, !positive, true);
        return;
      case K::NameRef:
        if (optional_field(e) && !(atom && positive && e.type.kind == ast::Type::Bool)) read(e);
        return;
      case K::In:
        for (size_t i = 0; i < e.args.size(); ++i) {
          const ast::Expr& a = *e.args[i];
          if (i == 0 && optional_field(a) && is_category(a.type) && positive && !e.negated) continue;
          walk(a, positive, false);
        }
        return;
      case K::Binary:
        if (e.op == ast::BinOp::And || e.op == ast::BinOp::Or) {
          for (const auto& a : e.args) walk(*a, positive, true);
          return;
        }
        for (const auto& a : e.args) {
          if (e.op == ast::BinOp::Eq && positive && optional_field(*a) && is_category(a->type)) continue;
          walk(*a, positive, false);
        }
        return;
      default:
        if (is_coalesce(e)) return;
        for (const auto& a : e.args) walk(*a, positive, false);
        return;
    }
  }

  const LintContext& cx_;
  std::set<int32_t> handled_, reported_;
};

}  // namespace

void optional_unhandled(const LintContext& cx) {
  for (const ast::Segment& s : cx.card.segments)
    if (s.condition) ConditionReads(cx, *s.condition);
  for (const ast::Override& o : cx.card.overrides)
    if (o.condition) ConditionReads(cx, *o.condition);
}

}  // namespace healthc::lint
