// Type checking and name resolution of expressions and scoring forms. An expression that
// already failed has type Error, which fits anywhere, so one mistake gives one diagnostic.
#include <algorithm>
#include <unordered_set>

#include "compiler/check/checker.h"
#include "stdlib/builtins.h"

namespace healthc::check {

using ast::Expr;
using ast::ExprKind;
using ast::Type;

ast::Type Checker::field_type(int32_t field) const {
  switch (card_.fields[field].type) {
    case ast::FieldType::Number: return Type::number();
    case ast::FieldType::Bool: return Type::boolean();
    case ast::FieldType::Text: return Type::text();
    case ast::FieldType::Date: return Type::date();
    case ast::FieldType::Enum: return Type::enumeration(field);
  }
  return Type::error();
}

std::vector<std::string> Checker::members_of(const Type& t) const {
  std::vector<std::string> out;
  if (t.kind == Type::Enum)
    for (const ast::Name& n : card_.fields[t.index].members) out.push_back(n.text);
  if (t.kind == Type::BandSet) {
    for (const ast::Band& b : card_.bands) out.push_back(b.name.text);
    out.push_back("unscored");
  }
  if (t.kind == Type::SegmentSet) {
    for (const ast::Segment& s : card_.segments) out.push_back(s.name.text);
    out.push_back("default");
  }
  if (t.kind == Type::LabelSet)
    for (const ast::Label& l : card_.labels) out.push_back(l.name.text);
  if (t.kind == Type::OverrideSet) {
    for (const ast::Override& o : card_.overrides) out.push_back(o.name.text);
    out.push_back("none");
  }
  return out;
}

std::string Checker::category_name(const Type& t) const {
  if (t.kind == Type::Enum) return "`" + card_.fields[t.index].name.text + "`";
  if (t.kind == Type::BandSet) return "the bands";
  if (t.kind == Type::LabelSet) return "the labels";
  if (t.kind == Type::OverrideSet) return "the overrides or `none`";
  return "the segments";
}

bool Checker::resolve_member(Expr& e, const Type& category) {
  if (e.kind != ExprKind::NameRef) return false;
  const std::vector<std::string> members = members_of(category);
  auto it = std::find(members.begin(), members.end(), e.text);
  if (it == members.end() && values_.count(e.text)) return false;  // a field or param: a value
  if (it == members.end()) {
    diags_.report(DiagKind::UnknownMember, e.range, e.text, category_name(category));
    suggest(e.range, e.text, members);
    e.type = Type::error();
    return true;
  }
  int32_t index = static_cast<int32_t>(it - members.begin());
  ast::Resolution::Kind kind = ast::Resolution::Segment;
  switch (category.kind) {
    case Type::Enum: kind = ast::Resolution::EnumMember; break;
    case Type::BandSet: kind = ast::Resolution::Band; break;
    case Type::LabelSet: kind = ast::Resolution::Label; break;
    case Type::OverrideSet:
      kind = ast::Resolution::Override;
      if (static_cast<size_t>(index) == card_.overrides.size()) index = -1;  // `none`
      break;
    default: break;
  }
  e.resolved = {kind, index};
  e.type = category;
  return true;
}

void Checker::require(Expr& e, Type got, Type::Kind want, const char* op, const char* want_text) {
  if (got.is_error() || got.kind == want) return;
  if (got.kind == Type::Date) {
    diags_.report(DiagKind::DateNotInFunction, e.range);
    return;
  }
  diags_.report(DiagKind::OperandType, e.range, op, want_text, describe(got, card_));
}

void Checker::check_condition(Expr* e, const ExprScope& scope) {
  if (!e) return;
  const Type t = check_expr(*e, scope);
  if (!t.is_error() && t.kind != Type::Bool) diags_.report(DiagKind::ConditionNotBool, e->range, describe(t, card_));
}

Type Checker::check_name(Expr& e, const ExprScope&) {
  auto it = values_.find(e.text);
  if (it == values_.end()) {
    diags_.report(DiagKind::UnknownName, e.range, e.text);
    suggest(e.range, e.text, value_names());
    return Type::error();
  }
  e.resolved = it->second;
  switch (it->second.kind) {
    case ast::Resolution::Field: return field_type(it->second.index);
    case ast::Resolution::Param: return Type::number();
    case ast::Resolution::Measure:
      diags_.report(DiagKind::BareMeasure, e.range, e.text);
      return Type::error();
    default: return Type::error();
  }
}

Type Checker::check_measure_ref(Expr& e, const ExprScope& scope) {
  auto it = values_.find(e.text);
  if (it == values_.end() && e.text == "previous") {
    // `previous.score` (or `.value`) reads the past unless the card has a measure `previous`.
    e.kind = ExprKind::Previous;
    e.past = e.member_is_score ? ast::PastKind::Score : ast::PastKind::Unknown;
    e.text = e.member_is_score ? "" : "value";
    e.name_range = {e.name_range.end + 1, e.range.end};
    return check_previous(e, scope);
  }
  if (it == values_.end()) {
    diags_.report(DiagKind::UnknownName, e.name_range, e.text);
    std::vector<std::string> measures;
    for (const ast::Measure& m : card_.measures) measures.push_back(m.name.text);
    suggest(e.name_range, e.text, measures);
    return Type::error();
  }
  if (it->second.kind != ast::Resolution::Measure) {
    diags_.report(DiagKind::NotAMeasure, e.range, e.text, e.member_is_score ? "score" : "value");
    return Type::error();
  }
  const int32_t m = it->second.index;
  e.resolved = it->second;
  // A measure's score may read its own value by name, as `value`.
  if (m == scope.measure && scope.where == ExprScope::MeasureScore && !e.member_is_score) {
    if (!card_.measures[m].value) {
      diags_.report(DiagKind::ValueWithoutValue, e.range, e.text);
      return Type::error();
    }
    return measure_value_type_[m];
  }
  // Measures are checked after the measures they read (check_measures), so a read of one
  // that is not done yet closes a cycle.
  if (measure_state_[m] != State::Done) {
    diags_.report(DiagKind::MeasureCycle, e.range, e.text);
    return Type::error();
  }
  if (e.member_is_score) return Type::number();
  if (!card_.measures[m].value) {
    diags_.report(DiagKind::ValueWithoutValue, e.range, e.text);
    return Type::error();
  }
  return measure_value_type_[m];
}

Type Checker::check_expr(Expr& e, const ExprScope& scope) {
  Type t = Type::error();
  const bool account_scope =
      scope.where == ExprScope::Override || scope.where == ExprScope::Label || scope.where == ExprScope::Alert;
  switch (e.kind) {
    case ExprKind::Error: t = Type::error(); break;
    case ExprKind::Number: t = Type::number(); break;
    case ExprKind::Bool: t = Type::boolean(); break;
    case ExprKind::String: t = Type::text(); break;
    case ExprKind::NameRef: t = check_name(e, scope); break;
    case ExprKind::MeasureRef: t = check_measure_ref(e, scope); break;
    case ExprKind::ValueRef:
      if (scope.measure < 0) {
        diags_.report(DiagKind::ValueOutsideMeasure, e.range);
      } else if (scope.where == ExprScope::MeasureValue) {
        diags_.report(DiagKind::MeasureCycle, e.range, card_.measures[scope.measure].name.text);
      } else if (!card_.measures[scope.measure].value) {
        diags_.report(DiagKind::ValueWithoutValue, e.range, card_.measures[scope.measure].name.text);
      } else {
        t = measure_value_type_[scope.measure];
      }
      break;
    case ExprKind::ScoreRef:
    case ExprKind::BandRef:
    case ExprKind::SegmentRef: {
      const char* what = e.kind == ExprKind::ScoreRef ? "score" : e.kind == ExprKind::BandRef ? "band" : "segment";
      // Misplaced, it is reported but keeps its type, so `band == low` gives one error.
      if (!account_scope) diags_.report(DiagKind::AccountNameMisplaced, e.range, what);
      {
        t = e.kind == ExprKind::ScoreRef  ? Type::number()
            : e.kind == ExprKind::BandRef ? Type{Type::BandSet, -1}
                                          : Type{Type::SegmentSet, -1};
      }
      break;
    }
    case ExprKind::LabelRef:
      if (scope.where != ExprScope::Alert) diags_.report(DiagKind::LabelMisplaced, e.range);
      t = Type{Type::LabelSet, -1};
      break;
    case ExprKind::Previous: t = check_previous(e, scope); break;
    case ExprKind::Change: t = check_change(e, scope); break;
    case ExprKind::Neg: {
      const Type a = check_expr(*e.args[0], scope);
      require(*e.args[0], a, Type::Number, "-", "a number");
      t = a.is_error() || a.kind != Type::Number ? Type::error() : Type::number();
      break;
    }
    case ExprKind::Not: {
      const Type a = check_expr(*e.args[0], scope);
      require(*e.args[0], a, Type::Bool, "not", "a bool");
      t = a.kind == Type::Bool ? Type::boolean() : Type::error();
      break;
    }
    case ExprKind::Binary: t = check_binary(e, scope); break;
    case ExprKind::In: t = check_in(e, scope); break;
    case ExprKind::IsMissing:
      check_expr(*e.args[0], scope);
      t = Type::boolean();
      break;
    case ExprKind::If: {
      check_condition(e.args[0].get(), scope);
      const Type a = check_expr(*e.args[1], scope);
      const Type b = check_expr(*e.args[2], scope);
      if (a.is_error() || b.is_error()) {
        t = Type::error();
      } else if (a != b) {
        diags_.report(DiagKind::IfBranchTypes, e.range, describe(a, card_), describe(b, card_));
      } else if (a.kind == Type::Date) {
        diags_.report(DiagKind::DateNotInFunction, e.range);
      } else if (a.kind == Type::Text) {
        diags_.report(DiagKind::OperandType, e.range, "if", "numbers, bools or enums", "a text");
      } else {
        t = a;
      }
      break;
    }
    case ExprKind::Call: t = check_call(e, scope); break;
  }
  e.type = t;
  return t;
}

Type Checker::check_binary(Expr& e, const ExprScope& scope) {
  using ast::BinOp;
  switch (e.op) {
    case BinOp::Add:
    case BinOp::Sub:
    case BinOp::Mul:
    case BinOp::Div: {
      const Type a = check_expr(*e.args[0], scope);
      const Type b = check_expr(*e.args[1], scope);
      require(*e.args[0], a, Type::Number, ast::spelling(e.op), "numbers");
      require(*e.args[1], b, Type::Number, ast::spelling(e.op), "numbers");
      return a.kind == Type::Number && b.kind == Type::Number ? Type::number() : Type::error();
    }
    case BinOp::And:
    case BinOp::Or: {
      const Type a = check_expr(*e.args[0], scope);
      const Type b = check_expr(*e.args[1], scope);
      require(*e.args[0], a, Type::Bool, ast::spelling(e.op), "bools");
      require(*e.args[1], b, Type::Bool, ast::spelling(e.op), "bools");
      return a.kind == Type::Bool && b.kind == Type::Bool ? Type::boolean() : Type::error();
    }
    default: return check_compare(e, scope);
  }
}

// Checks a comparison. A bare name beside a category (enum, band, segment) is one of its
// members, whatever else that name may mean elsewhere.
Type Checker::check_compare(Expr& e, const ExprScope& scope) {
  Expr& l = *e.args[0];
  Expr& r = *e.args[1];
  // Check first the side that names a value, then read a bare name on the other side as a
  // member of its category when it is one (or names no value at all).
  const bool r_first = l.kind == ExprKind::NameRef && !values_.count(l.text) &&
                       !(r.kind == ExprKind::NameRef && !values_.count(r.text));
  Expr& first = r_first ? r : l;
  Expr& second = r_first ? l : r;
  const Type tf = check_expr(first, scope);
  // A bare name beside a piece that already failed may be a member of whatever it meant: quiet.
  if (tf.is_error() && second.kind == ExprKind::NameRef && !values_.count(second.text)) return Type::error();
  const Type ts = tf.is_category() && resolve_member(second, tf) ? second.type : check_expr(second, scope);
  const Type a = r_first ? ts : tf;
  const Type b = r_first ? tf : ts;
  if (a.is_error() || b.is_error()) return Type::error();
  if (a.kind == Type::Date || b.kind == Type::Date) {
    diags_.report(DiagKind::DateNotInFunction, a.kind == Type::Date ? l.range : r.range);
    return Type::error();
  }
  const bool ordering = e.op != ast::BinOp::Eq && e.op != ast::BinOp::Ne;
  if (ordering) {
    if (a.kind != Type::Number) {
      diags_.report(DiagKind::OrderOnCategory, l.range, ast::spelling(e.op), describe(a, card_));
      return Type::error();
    }
    if (b.kind != Type::Number) {
      diags_.report(DiagKind::OrderOnCategory, r.range, ast::spelling(e.op), describe(b, card_));
      return Type::error();
    }
    return Type::boolean();
  }
  if (a != b) {
    diags_.report(DiagKind::CompareTypes, e.range, describe(a, card_), describe(b, card_));
    return Type::error();
  }
  return Type::boolean();
}

Type Checker::check_in(Expr& e, const ExprScope& scope) {
  const Type subject = check_expr(*e.args[0], scope);
  bool ok = !subject.is_error();
  if (subject.kind == Type::Date) {
    diags_.report(DiagKind::DateNotInFunction, e.args[0]->range);
    ok = false;
  }
  for (size_t i = 1; i < e.args.size(); ++i) {
    Expr& item = *e.args[i];
    if (subject.is_category() && resolve_member(item, subject)) {
      ok &= !item.type.is_error();
      continue;
    }
    const Type t = check_expr(item, scope);
    if (!ok || t.is_error()) continue;
    if (t != subject) {
      diags_.report(DiagKind::CompareTypes, item.range, describe(subject, card_), describe(t, card_));
      ok = false;
    }
  }
  return ok ? Type::boolean() : Type::error();
}

Type Checker::check_call(Expr& e, const ExprScope& scope) {
  const stdlib::BuiltinInfo* fn = stdlib::find_builtin(e.text);
  if (!fn && e.text == "change") {  // its arguments are not a call's: one error, not one each
    diags_.report(DiagKind::ChangeNeedsWindow, e.range);
    return Type::error();
  }
  std::vector<Type> args;
  for (auto& a : e.args) args.push_back(check_expr(*a, scope));
  if (!fn) {
    diags_.report(DiagKind::UnknownFunction, e.name_range, e.text);
    std::vector<std::string> names;
    for (const stdlib::BuiltinInfo& b : stdlib::builtins()) names.emplace_back(b.name);
    names.push_back("change");
    suggest(e.name_range, e.text, names);
    return Type::error();
  }
  e.function = static_cast<int32_t>(fn->id);
  const int n = static_cast<int>(e.args.size());
  if (n < fn->min_args || (fn->max_args >= 0 && n > fn->max_args)) {
    std::string expected = fn->max_args < 0   ? fmt::format("at least {}", fn->min_args)
                           : fn->min_args == fn->max_args ? fmt::format("{}", fn->min_args)
                                                      : fmt::format("{} to {}", fn->min_args, fn->max_args);
    const int shown = fn->max_args < 0 ? fn->min_args : fn->max_args;
    diags_.report(DiagKind::ArgumentCount, e.range, e.text, expected, shown == 1 ? "" : "s",
                  n == 1 ? "1 was" : fmt::format("{} were", n));
    return Type::error();
  }
  bool ok = true;
  const Type::Kind want = fn->args == stdlib::ArgType::Date ? Type::Date : Type::Number;
  for (int i = 0; i < n; ++i) {
    if (args[i].is_error()) {
      ok = false;
      continue;
    }
    if (args[i].kind != want) {
      diags_.report(DiagKind::ArgumentType, e.args[i]->range, i + 1, e.text,
                    want == Type::Date ? "a date" : "a number", describe(args[i], card_));
      ok = false;
    }
  }
  return ok ? Type::number() : Type::error();
}

void Checker::check_scoring(ast::Measure& m, int32_t index) {
  ast::Scoring& s = *m.score;
  const Type t = check_expr(*s.subject, {ExprScope::MeasureScore, index});
  switch (s.kind) {
    case ast::Scoring::Linear: {
      if (!t.is_error() && t.kind != Type::Number)
        diags_.report(DiagKind::ScoringNeedsNumber, s.subject->range, "linear", describe(t, card_));
      if (s.points.size() < 2) diags_.report(DiagKind::LinearTooFewPoints, s.range);
      for (size_t i = 1; i < s.points.size(); ++i)
        if (!(s.points[i].x > s.points[i - 1].x))
          diags_.report(DiagKind::LinearNotAscending, s.points[i].range, fmt::format("{}", s.points[i].x),
                        fmt::format("{}", s.points[i - 1].x));
      break;
    }
    case ast::Scoring::Ranges:
      if (!t.is_error() && t.kind != Type::Number)
        diags_.report(DiagKind::ScoringNeedsNumber, s.subject->range, "ranges", describe(t, card_));
      for (const ast::RangeArm& a : s.ranges)
        if (a.lo && a.hi && !(*a.lo < *a.hi))
          diags_.report(DiagKind::RangeEmpty, a.range, fmt::format("{}", *a.lo), fmt::format("{}", *a.hi));
      break;
    case ast::Scoring::Match: {
      const bool category = t.kind == Type::Enum || t.kind == Type::Bool || t.kind == Type::Text;
      if (!t.is_error() && !category) {
        // A number is scored by where it falls, not by equality: say which forms do that.
        diags_.report(DiagKind::MatchNeedsCategory, s.subject->range,
                      t.kind == Type::Number ? describe(t, card_) + "; score a number with `ranges(...)` or `linear(...)`"
                                             : describe(t, card_));
        break;
      }
      std::unordered_set<std::string> seen;
      for (ast::MatchArm& arm : s.arms) {
        std::string key;
        bool fits = true;
        switch (arm.kind) {
          case ast::MatchArm::Wildcard: key = "_"; break;
          case ast::MatchArm::Number:
            fits = t.is_error();
            key = arm.text;
            break;
          case ast::MatchArm::True:
          case ast::MatchArm::False:
            fits = t.is_error() || t.kind == Type::Bool;
            arm.member = arm.kind == ast::MatchArm::True ? 1 : 0;
            key = arm.kind == ast::MatchArm::True ? "true" : "false";
            break;
          case ast::MatchArm::String:
            fits = t.is_error() || t.kind == Type::Text;
            key = "\"" + arm.text + "\"";
            break;
          case ast::MatchArm::Name: {
            key = arm.text;
            if (t.kind != Type::Enum) {
              fits = t.is_error();
              break;
            }
            const auto& members = card_.fields[t.index].members;
            auto it = std::find_if(members.begin(), members.end(), [&](const ast::Name& n) { return n.text == arm.text; });
            if (it == members.end()) {
              diags_.report(DiagKind::UnknownMember, arm.range, arm.text, category_name(t));
              suggest(arm.range, arm.text, members_of(t));
              continue;
            }
            arm.member = static_cast<int32_t>(it - members.begin());
            break;
          }
        }
        if (!fits) {
          diags_.report(DiagKind::MatchPatternType, arm.range, describe(t, card_));
          continue;
        }
        if (!seen.insert(key).second) diags_.report(DiagKind::MatchDuplicateArm, arm.range, key);
      }
      break;
    }
    case ast::Scoring::Expr:
      if (!t.is_error() && t.kind != Type::Number)
        diags_.report(DiagKind::ScoringNeedsNumber, s.subject->range, "score", describe(t, card_));
      break;
  }
}

}  // namespace healthc::check
