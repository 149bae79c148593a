// One account's breakdown, node by node: the weight tree with each node's value, score,
// weight, effective weight and points lost, then the override, score, band, label and reasons.
#include "runtime/analysis/explain.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "compiler/ir/conventions.h"
#include "runtime/output.h"

namespace healthc::analysis {
namespace {

struct Explainer {
  const ir::Program& p;
  const BlockScores& s;
  size_t row;
  std::string out;

  bool scored(int32_t m) const { return s.m_score_valid[m * s.rows + row] != 0; }
  double mscore(int32_t m) const { return s.m_score[m * s.rows + row]; }

  // A node's score for display: the same weighted mean the engine computes.
  std::optional<double> node_score(const ir::WeightNode& n) const {
    if (n.measure >= 0) return scored(n.measure) ? std::optional(mscore(n.measure)) : std::nullopt;
    double num = 0, den = 0;
    for (const auto& c : n.children)
      if (auto v = node_score(c)) num = num + c.weight * *v, den = den + c.weight;
    return den > 0 ? std::optional(num / den) : std::nullopt;
  }

  void nodes(const std::vector<ir::WeightNode>& level, double parent, int depth) {
    double den = 0;
    for (const auto& c : level)
      if (node_score(c)) den += c.weight;
    for (const auto& n : level) {
      const auto sc = node_score(n);
      const double eff = sc && den > 0 ? parent * n.weight / den : 0;
      std::string value = "";
      if (n.measure >= 0) {
        const size_t at = n.measure * s.rows + row;
        const ir::Measure& m = p.measures[n.measure];
        if (m.value == ir::kNone) value = "";
        else if (!s.m_value_valid[at]) value = "missing";
        else if (m.value_kind == ir::ValueKind::Enum) value = ir::member_spelling(p.fields[m.enum_field], static_cast<size_t>(s.m_value[at]));
        else if (m.value_kind == ir::ValueKind::Bool) value = s.m_value[at] != 0 ? "true" : "false";
        else {
          rt::append_number(value, s.m_value[at]);
        }
      }
      const std::string label = std::string(depth * 2, ' ') + (n.measure >= 0 ? n.name : n.name + "/");
      out += fmt::format("  {:<28} {:>12} {:>8} {:>7} {:>9} {:>7}\n", label, value,
                         sc ? fmt::format("{:.1f}", *sc) : "unscored", fmt::format("{}", n.weight),
                         sc ? fmt::format("{:.1f}%", eff * 100) : "-",
                         sc ? fmt::format("{:.1f}", eff * (100 - *sc)) : "-");
      if (n.measure < 0) nodes(n.children, sc ? eff : 0, depth + 1);
    }
  }
};

}  // namespace

std::string explain_row(const ir::Program& p, const BlockScores& s, size_t row, const std::string& key) {
  Explainer e{p, s, row, {}};
  const int32_t seg = s.segment[row];
  e.out += fmt::format("account {}\n", key);
  if (!ir::is_default_segment(p, seg))
    e.out += fmt::format("segment: {}{} (the first segment whose condition holds; model `{}`)\n", p.segments[seg].name,
                         p.segments[seg].title.empty() ? "" : " \"" + p.segments[seg].title + "\"",
                         p.models[p.segments[seg].model].name);
  else
    e.out += fmt::format("segment: default (no segment's condition holds; model `{}`)\n", p.models[p.default_model].name);
  const ir::Model& model = p.models[ir::model_of_segment(p, seg)];
  e.out += fmt::format("  {:<28} {:>12} {:>8} {:>7} {:>9} {:>7}\n", "node", "value", "score", "weight", "effective",
                       "lost");
  e.nodes(model.roots, 1.0, 0);
  const int32_t ov = s.override_[row];
  if (ir::has_override(ov)) {
    static const char* kActions[] = {"score", "cap", "floor", "band"};
    const ir::Override& o = p.overrides[ov];
    e.out += fmt::format("override: {}{} => {} {}\n", o.name, o.title.empty() ? "" : " \"" + o.title + "\"",
                         kActions[static_cast<int>(o.action)],
                         o.action == ir::ActionKind::Band ? p.bands[o.band].name : fmt::format("{}", o.amount));
  } else {
    e.out += "override: none\n";
  }
  const int32_t band = s.band[row];
  e.out += fmt::format("score: {}\n", ir::is_unscored_score(s.score[row]) ? std::string("unscored")
                                                                           : fmt::format("{}", s.score[row]));
  e.out += fmt::format("band: {} ({})\n", ir::band_name(p, band), ir::band_color(p, band));
  e.out += fmt::format("label: {}\n", ir::has_label(s.label[row]) ? ir::label_name(p, s.label[row]) : "none");
  const std::string reasons = rt::reasons_text(p, s, row);
  e.out += fmt::format("reasons: {}\n", reasons.empty() ? "none" : reasons);
  return e.out;
}

}  // namespace healthc::analysis
