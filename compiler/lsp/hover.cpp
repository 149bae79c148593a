// Hover: a symbol's declaration, title and type; for a measure its scoring and the models that
// weigh it, with its effective weight in each.
#include <fmt/format.h>

#include <functional>

#include "compiler/lsp/features.h"
#include "stdlib/builtins.h"

namespace healthc::lsp {
namespace {

using check::WeightNode;

// The first line of a declaration's source text (long lines cut).
std::string first_line(const Analysis& a, SourceRange r) {
  if (r.begin >= a.text.size()) return {};
  std::string_view s = std::string_view(a.text).substr(r.begin, r.end > r.begin ? r.end - r.begin : 0);
  s = s.substr(0, s.find('\n'));
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  if (s.size() > 200) return std::string(s.substr(0, 200)) + " ...";
  return std::string(s);
}

std::string slice(const Analysis& a, SourceRange r, size_t max = 600) {
  if (r.begin >= a.text.size() || r.end <= r.begin) return {};
  std::string s = a.text.substr(r.begin, std::min<size_t>(r.end - r.begin, max));
  if (r.end - r.begin > max) s += " ...";
  return s;
}

std::string code_block(const std::string& s) { return "```healthc\n" + s + "\n```"; }

std::string field_type(const ast::Field& f) {
  std::string t;
  switch (f.type) {
    case ast::FieldType::Number: t = "number"; break;
    case ast::FieldType::Bool: t = "bool"; break;
    case ast::FieldType::Text: t = "text"; break;
    case ast::FieldType::Date: t = "date"; break;
    case ast::FieldType::Enum: t = fmt::format("enum of {} members", f.members.size()); break;
  }
  if (f.key) t += ", the key";
  if (f.optional) t += ", optional (may be missing)";
  return t;
}

void each_effective(const std::vector<WeightNode>& nodes, double share,
                    const std::function<void(const WeightNode&, double)>& f) {
  double total = 0;
  for (const WeightNode& n : nodes) total += n.weight;
  if (total <= 0) return;
  for (const WeightNode& n : nodes) {
    const double e = share * n.weight / total;
    f(n, e);
    each_effective(n.children, e, f);
  }
}

// "- `default`: 12.5%" for each model whose tree holds a node `match` picks.
std::string weights(const Analysis& a, const std::function<bool(const WeightNode&)>& match) {
  if (!a.front.checked.ok) return "\n\n*(effective weights once the card checks clean)*";
  const auto& models = a.front.checked.checked.models;
  std::string out;
  for (size_t i = 0; i < models.size() && i < a.front.card.models.size(); ++i) {
    double w = 0;
    bool found = false;
    each_effective(models[i].roots, 1, [&](const WeightNode& n, double e) {
      if (!match(n)) return;
      w += e;
      found = true;
    });
    if (found) out += fmt::format("\n- `{}`: {:.4g}%", models[i].name, w * 100);
  }
  return out.empty() ? "\n\nIn no model." : "\n\nEffective weight per model:" + out;
}

std::string scoring(const ast::Measure& m, const Analysis& a) {
  std::string out;
  if (m.value) out += "value = " + slice(a, m.value->range) + "\n";
  if (m.score) out += "score = " + slice(a, m.score->range) + "\n";
  if (!out.empty()) out.pop_back();
  std::string text = out.empty() ? "" : "\n\nScoring:\n" + code_block(out);
  text += m.missing == ast::Measure::Missing::Score ? fmt::format("\n\nWhen missing: scores {}.", m.missing_score)
                                                    : "\n\nWhen missing: unscored (left out of the weighted mean).";
  if (m.subjective) text += " Subjective (a person's judgement).";
  if (m.stale) text += fmt::format(" Stale after {} days of `{}`.", m.stale->days, m.stale->field.text);
  return text;
}

std::string signature(const stdlib::BuiltinInfo& b) {
  const char* t = b.args == stdlib::ArgType::Date ? "date" : "number";
  std::string args;
  for (int i = 0; i < b.min_args; ++i) args += fmt::format("{}{}", i ? ", " : "", t);
  if (b.max_args < 0) args += fmt::format("{}...", b.min_args ? ", " : "");
  for (int i = b.min_args; i < b.max_args; ++i) args += fmt::format("{}[{}]", i ? ", " : "", t);
  return fmt::format("{}({}) -> number", b.name, args);
}

std::string missing_policy(stdlib::MissingPolicy p) {
  switch (p) {
    case stdlib::MissingPolicy::IfAnyMissing: return "missing when any argument is missing";
    case stdlib::MissingPolicy::IfAnyMissingOrDomain: return "missing when an argument is missing or out of its domain";
    case stdlib::MissingPolicy::Never: return "missing only when every argument is";
    case stdlib::MissingPolicy::DecidesItself: return "decides its own missing values";
  }
  return {};
}

// "**measure** `adoption` "Seat adoption"".
std::string titled(const std::string& kind, const std::string& name, const std::string& title) {
  const std::string head = fmt::format("**{}** `{}`", kind, name);
  return title.empty() ? head : fmt::format("{} \"{}\"", head, title);
}

std::string hover_text(const Analysis& a, const Symbol& s) {
  const ast::Scorecard& c = a.front.card;
  const auto i = static_cast<size_t>(s.a);
  switch (s.kind) {
    case Symbol::Field: {
      const ast::Field& f = c.fields[i];
      return code_block(first_line(a, f.range)) + "\n\n**field** `" + f.name.text + "`: " + field_type(f);
    }
    case Symbol::EnumMember: {
      const ast::Field& f = c.fields[i];
      return code_block(first_line(a, f.range)) +
             fmt::format("\n\n**enum member** `{}` of field `{}` (member {} of {})", f.members[static_cast<size_t>(s.b)].text,
                         f.name.text, s.b + 1, f.members.size());
    }
    case Symbol::Param: {
      const ast::Param& p = c.params[i];
      return code_block(first_line(a, p.range)) +
             fmt::format("\n\n**param** `{}` = {} (a number; `--param {}=...` overrides it)", p.name.text, p.value, p.name.text);
    }
    case Symbol::Band: {
      const ast::Band& b = c.bands[i];
      std::string to = i + 1 < c.bands.size() ? fmt::format("below {}", c.bands[i + 1].from) : "up to 100";
      return code_block(first_line(a, b.range)) + "\n\n" + titled("band", b.name.text, b.title) +
             fmt::format(": scores from {} {}, colour {}", b.from, to, b.color.text);
    }
    case Symbol::Measure: {
      const ast::Measure& m = c.measures[i];
      return code_block(first_line(a, m.range)) + "\n\n" + titled("measure", m.name.text, m.title) +
             ": a score from 0 to 100 (`.score`), and its value (`.value`)" + scoring(m, a) +
             weights(a, [&](const WeightNode& n) { return n.kind == WeightNode::Measure && n.measure == s.a; });
    }
    case Symbol::Group: {
      const GroupInfo& g = a.groups[i];
      const std::string model = g.model >= 0 ? c.models[static_cast<size_t>(g.model)].name.text : "?";
      return code_block(first_line(a, g.range)) + "\n\n" + titled("group", g.name, g.title) +
             " of model `" + model + "`" +
             weights(a, [&](const WeightNode& n) { return n.kind == WeightNode::Group && n.name == g.name; });
    }
    case Symbol::Model: {
      const ast::Model& m = c.models[i];
      std::string t = code_block(first_line(a, m.range)) + "\n\n**model** `" + m.name.text + "`";
      if (m.base) t += " extends `" + m.base->text + "`";
      return t + fmt::format(", {} top-level entries", m.entries.size());
    }
    case Symbol::Segment: {
      const ast::Segment& g = c.segments[i];
      return code_block(first_line(a, g.range)) + "\n\n" + titled("segment", g.name.text, g.title) +
             ": accounts the condition holds for (and no earlier segment took) use model `" + g.model.text + "`";
    }
    case Symbol::Override:
      return code_block(first_line(a, c.overrides[i].range)) + "\n\n" + titled("override", c.overrides[i].name.text, c.overrides[i].title) +
             fmt::format(" (number {} of {}: the first that holds applies)", i + 1, c.overrides.size());
    case Symbol::Label:
      return code_block(first_line(a, c.labels[i].range)) + "\n\n" + titled("label", c.labels[i].name.text, c.labels[i].title) +
             fmt::format(" (number {} of {}: the first that holds applies)", i + 1, c.labels.size());
    case Symbol::Alert:
      return code_block(first_line(a, c.alerts[i].range)) + "\n\n" + titled("alert", c.alerts[i].name.text, c.alerts[i].title) +
             fmt::format(", severity {}", c.alerts[i].severity.text.empty() ? "medium" : c.alerts[i].severity.text);
    case Symbol::Rollup:
      return code_block(first_line(a, c.rollups[i].range)) + "\n\n" + titled("roll-up", c.rollups[i].name.text, c.rollups[i].title);
    case Symbol::Builtin: {
      const stdlib::BuiltinInfo& b = stdlib::builtins()[i];
      return code_block(signature(b)) + "\n\n**built-in**: " + std::string(b.summary) + "; " + missing_policy(b.policy) + ".";
    }
  }
  return {};
}

}  // namespace

std::string builtin_signature(const stdlib::BuiltinInfo& b) { return signature(b); }

nlohmann::json hover(const Analysis& a, Position p) {
  const Occurrence* o = a.at(a.lines.offset(p));
  if (!o) return nullptr;
  return {{"contents", {{"kind", "markdown"}, {"value", hover_text(a, o->symbol)}}}, {"range", to_json(a.lines.range(o->range))}};
}

}  // namespace healthc::lsp
