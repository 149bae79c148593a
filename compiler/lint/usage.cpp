// Usage rules: declarations nothing reads. A field, param or measure is used when an
// expression reads it (a measure also by being in a model); a model by `default`, a segment or
// `extends`; a band by a score that can land in it or by a name; a label by being reachable
// at all, which a label after `otherwise` is not.
#include <vector>

#include "compiler/lint/rules.h"
#include "compiler/lint/score_range.h"

namespace healthc::lint {
namespace {

std::vector<bool> read_by_expressions(const ast::Scorecard& card, ast::Resolution::Kind kind, size_t n) {
  std::vector<bool> used(n, false);
  visit_card(card, [&](const ast::Expr& e) {
    if (e.resolved.kind == kind && e.resolved.index >= 0 && static_cast<size_t>(e.resolved.index) < n &&
        (e.kind == ast::ExprKind::NameRef || e.kind == ast::ExprKind::MeasureRef || e.kind == ast::ExprKind::Previous))
      used[e.resolved.index] = true;
  });
  return used;
}

void in_trees(const std::vector<check::WeightNode>& nodes, std::vector<bool>& used) {
  for (const check::WeightNode& n : nodes) {
    if (n.kind == check::WeightNode::Measure && n.measure >= 0 && static_cast<size_t>(n.measure) < used.size())
      used[n.measure] = true;
    in_trees(n.children, used);
  }
}

}  // namespace

// Bands named by a condition (`band == x`) or an override's `band x` action.
std::vector<bool> bands_named_in_conditions(const ast::Scorecard& card) {
  std::vector<bool> named(card.bands.size(), false);
  visit_card(card, [&](const ast::Expr& e) {
    if (e.kind == ast::ExprKind::NameRef && e.resolved.kind == ast::Resolution::Band && e.resolved.index >= 0 &&
        static_cast<size_t>(e.resolved.index) < named.size())
      named[e.resolved.index] = true;
  });
  return named;
}

void unused_field(const LintContext& cx) {
  std::vector<bool> used = read_by_expressions(cx.card, ast::Resolution::Field, cx.card.fields.size());
  if (cx.checked.key_field >= 0) used[cx.checked.key_field] = true;  // it names each row
  for (int32_t f : cx.checked.stale_field)  // a `stale after` rule reads its date field
    if (f >= 0 && static_cast<size_t>(f) < used.size()) used[f] = true;
  for (const check::CheckedScorecard::RollupFields& r : cx.checked.rollups) {  // a roll-up reads its fields
    for (int32_t f : r.by)
      if (f >= 0 && static_cast<size_t>(f) < used.size()) used[f] = true;
    if (r.weight >= 0 && static_cast<size_t>(r.weight) < used.size()) used[r.weight] = true;
  }
  for (size_t i = 0; i < used.size(); ++i)
    if (!used[i]) cx.out.report(DiagKind::LintUnusedField, cx.card.fields[i].name.range, cx.card.fields[i].name.text);
}

void unused_param(const LintContext& cx) {
  const std::vector<bool> used = read_by_expressions(cx.card, ast::Resolution::Param, cx.card.params.size());
  for (size_t i = 0; i < used.size(); ++i)
    if (!used[i]) cx.out.report(DiagKind::LintUnusedParam, cx.card.params[i].name.range, cx.card.params[i].name.text);
}

void unused_measure(const LintContext& cx) {
  std::vector<bool> used = read_by_expressions(cx.card, ast::Resolution::Measure, cx.card.measures.size());
  for (const check::WeightTree& t : cx.checked.models) in_trees(t.roots, used);
  for (size_t i = 0; i < used.size(); ++i)
    if (!used[i])
      cx.out.report(DiagKind::LintUnusedMeasure, cx.card.measures[i].name.range, cx.card.measures[i].name.text);
}

void unused_model(const LintContext& cx) {
  const auto& models = cx.card.models;
  std::vector<bool> used(models.size(), false);
  if (cx.checked.default_model >= 0) used[cx.checked.default_model] = true;
  for (int32_t m : cx.checked.segment_model)
    if (m >= 0) used[m] = true;
  for (const ast::Model& m : models)
    if (m.base)
      for (size_t b = 0; b < models.size(); ++b)
        if (models[b].name.text == m.base->text) used[b] = true;
  for (size_t i = 0; i < models.size(); ++i)
    if (!used[i] && models[i].name.text != "default")
      cx.out.report(DiagKind::LintUnusedModel, models[i].name.range, models[i].name.text);
}

void unused_band(const LintContext& cx) {
  std::vector<bool> named = bands_named_in_conditions(cx.card);
  for (int32_t b : cx.checked.override_band)
    if (b >= 0 && static_cast<size_t>(b) < named.size()) named[b] = true;
  const ScoreRange reach = reachable_scores(cx.card, cx.checked);
  for (size_t i = 0; i < cx.card.bands.size(); ++i) {
    const ScoreRange band = band_scores(cx.card, i);
    if (named[i] || reach.holds(band.lo, band.hi)) continue;
    cx.out.report(DiagKind::LintUnusedBand, cx.card.bands[i].name.range, cx.card.bands[i].name.text);
  }
}

void label_after_otherwise(const LintContext& cx) {
  const ast::Label* otherwise = nullptr;
  for (const ast::Label& l : cx.card.labels) {
    if (otherwise) {
      cx.out.report(DiagKind::LintLabelAfterOtherwise, l.name.range, l.name.text, otherwise->name.text);
      cx.out.note(DiagKind::NoteEarlierMatch, otherwise->name.range, "label");
    } else if (!l.condition) {
      otherwise = &l;
    }
  }
}

}  // namespace healthc::lint
