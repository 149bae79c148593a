// Weight rules: the shape of each model's weight tree (after `extends`). A model that extends
// another is not blamed for what it inherits unchanged: the base model carries that finding.
#include <cmath>
#include <functional>
#include <string>

#include "compiler/lint/rules.h"

namespace healthc::lint {
namespace {

using check::WeightNode;

constexpr double kEpsilon = 1e-9;

double sum(const std::vector<WeightNode>& nodes) {
  double s = 0;
  for (const WeightNode& n : nodes) s += n.weight;
  return s;
}

// Calls `f(node, effective weight, parent's effective weight)` on every node of a tree.
void each_effective(const std::vector<WeightNode>& nodes, double share,
                    const std::function<void(const WeightNode&, double)>& f) {
  const double total = sum(nodes);
  if (total <= 0) return;
  for (const WeightNode& n : nodes) {
    const double e = share * n.weight / total;
    f(n, e);
    each_effective(n.children, e, f);
  }
}

double effective_of(const std::vector<WeightNode>& roots, const std::string& name, bool& found) {
  double out = 0;
  found = false;
  each_effective(roots, 1, [&](const WeightNode& n, double e) {
    if (n.name == name) out = e, found = true;
  });
  return out;
}

size_t measure_count_of(const std::vector<WeightNode>& nodes) {
  size_t c = 0;
  for (const WeightNode& n : nodes) c += n.kind == WeightNode::Measure ? 1 : measure_count_of(n.children);
  return c;
}

double subjective_share(const LintContext& cx, const std::vector<WeightNode>& roots) {
  double share = 0;
  each_effective(roots, 1, [&](const WeightNode& n, double e) {
    if (n.kind == WeightNode::Measure && n.measure >= 0 && cx.card.measures[n.measure].subjective) share += e;
  });
  return share;
}

// The tree of the model `i` extends, or null.
const check::WeightTree* base_tree(const LintContext& cx, size_t i) {
  const ast::Model& m = cx.card.models[i];
  if (!m.base) return nullptr;
  for (size_t b = 0; b < cx.card.models.size(); ++b)
    if (cx.card.models[b].name.text == m.base->text) return &cx.checked.models[b];
  return nullptr;
}

bool inside(SourceRange inner, SourceRange outer) {
  return inner.end > inner.begin && inner.begin >= outer.begin && inner.end <= outer.end;
}

bool any_child_over(const WeightNode& n, double share, double limit) {
  bool over = false;
  each_effective(n.children, share, [&](const WeightNode&, double e) { over = over || e > limit + kEpsilon; });
  return over;
}

}  // namespace

void weight_sum(const LintContext& cx) {
  for (size_t i = 0; i < cx.card.models.size(); ++i) {
    const double s = sum(cx.checked.models[i].roots);
    if (std::fabs(s - 100) < kEpsilon) continue;
    if (const check::WeightTree* base = base_tree(cx, i); base && std::fabs(sum(base->roots) - s) < kEpsilon)
      continue;
    const ast::Model& m = cx.card.models[i];
    cx.out.report(DiagKind::LintWeightSum, m.name.range, m.name.text, number_text(s));
  }
}

void zero_weight(const LintContext& cx) {
  for (size_t i = 0; i < cx.card.models.size(); ++i) {
    const ast::Model& m = cx.card.models[i];
    std::function<void(const std::vector<WeightNode>&)> walk = [&](const std::vector<WeightNode>& nodes) {
      for (const WeightNode& n : nodes) {
        if (n.weight == 0 && inside(n.weight_range, m.range))
          cx.out.report(DiagKind::LintZeroWeight, n.weight_range, n.name, m.name.text);
        walk(n.children);
      }
    };
    walk(cx.checked.models[i].roots);
  }
}

void dominant_node(const LintContext& cx) {
  constexpr double kLimit = 0.5;
  for (size_t i = 0; i < cx.card.models.size(); ++i) {
    const ast::Model& m = cx.card.models[i];
    const check::WeightTree* base = base_tree(cx, i);
    each_effective(cx.checked.models[i].roots, 1, [&](const WeightNode& n, double e) {
      if (e <= kLimit + kEpsilon || any_child_over(n, e, kLimit)) return;  // the deepest culprit speaks
      if (base) {
        bool found = false;
        const double before = effective_of(base->roots, n.name, found);
        if (found && std::fabs(before - e) < kEpsilon) return;
      }
      const SourceRange at = inside(n.weight_range, m.range) ? n.weight_range : m.name.range;
      cx.out.report(DiagKind::LintDominantNode, at, n.kind == WeightNode::Group ? "group" : "measure", n.name,
                    percent_text(e), m.name.text);
    });
  }
}

void measure_count(const LintContext& cx) {
  for (size_t i = 0; i < cx.card.models.size(); ++i) {
    const size_t n = measure_count_of(cx.checked.models[i].roots);
    if (n >= 3 && n <= 8) continue;
    if (const check::WeightTree* base = base_tree(cx, i); base && measure_count_of(base->roots) == n) continue;
    const ast::Model& m = cx.card.models[i];
    cx.out.report(DiagKind::LintMeasureCount, m.name.range, m.name.text, n, n == 1 ? "" : "s");
  }
}

void subjective_weight(const LintContext& cx) {
  constexpr double kLimit = 0.3;
  for (size_t i = 0; i < cx.card.models.size(); ++i) {
    const double share = subjective_share(cx, cx.checked.models[i].roots);
    if (share <= kLimit + kEpsilon) continue;
    if (const check::WeightTree* base = base_tree(cx, i);
        base && std::fabs(subjective_share(cx, base->roots) - share) < kEpsilon)
      continue;
    const ast::Model& m = cx.card.models[i];
    cx.out.report(DiagKind::LintSubjectiveWeight, m.name.range, percent_text(share), m.name.text);
  }
}

}  // namespace healthc::lint
