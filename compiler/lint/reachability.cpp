// Reachability rules: segments, overrides and labels that can never be taken, and bands no
// score reaches. "Never" is decided in the interval / member-set domain (conditions.h), which
// stays silent where it cannot tell.
#include <string>
#include <vector>

#include "compiler/lint/conditions.h"
#include "compiler/lint/rules.h"
#include "compiler/lint/score_range.h"

namespace healthc::lint {
namespace {

// Where each override applies: its `for` list met with its condition.
std::vector<Region> override_regions(const LintContext& cx, const ConditionDomain& d) {
  std::vector<Region> out;
  for (size_t i = 0; i < cx.card.overrides.size(); ++i) {
    const ast::Override& o = cx.card.overrides[i];
    const std::vector<int32_t> none;
    const std::vector<int32_t>& segs = i < cx.checked.override_segments.size() ? cx.checked.override_segments[i] : none;
    out.push_back(o.condition ? d.meet(d.segment_in(segs), d.when_true(*o.condition)) : Region::anything(false));
  }
  return out;
}

// Where each label is given if tried; `otherwise` holds everywhere.
std::vector<Region> label_regions(const LintContext& cx, const ConditionDomain& d) {
  std::vector<Region> out;
  for (const ast::Label& l : cx.card.labels)
    out.push_back(l.condition ? d.when_true(*l.condition) : Region::anything(true));
  return out;
}

size_t first_otherwise(const ast::Scorecard& card) {
  for (size_t i = 0; i < card.labels.size(); ++i)
    if (!card.labels[i].condition) return i;
  return card.labels.size();
}

// Reports `later` items an earlier item covers; items that can never hold are left to W406/W401.
template <typename Item>
void shadowed(const LintContext& cx, const ConditionDomain& d, const std::vector<Item>& items,
              const std::vector<Region>& regions, size_t limit, DiagKind kind, const char* what) {
  for (size_t i = 1; i < limit; ++i) {
    if (d.never_true(regions[i])) continue;
    for (size_t j = 0; j < i; ++j) {
      if (d.never_true(regions[j]) || !d.covers(regions[j], regions[i])) continue;
      cx.out.report(kind, items[i].name.range, items[i].name.text, items[j].name.text);
      cx.out.note(DiagKind::NoteEarlierMatch, items[j].name.range, what);
      break;
    }
  }
}

}  // namespace

void segment_never_matches(const LintContext& cx) {
  const ConditionDomain d(cx.card);
  for (const ast::Segment& s : cx.card.segments)
    if (s.condition && d.never_true(d.when_true(*s.condition)))
      cx.out.report(DiagKind::LintSegmentNeverMatches, s.condition->range, s.name.text);
}

void segment_shadowed(const LintContext& cx) {
  const ConditionDomain d(cx.card);
  std::vector<Region> regions;
  for (const ast::Segment& s : cx.card.segments)
    regions.push_back(s.condition ? d.when_true(*s.condition) : Region::anything(false));
  shadowed(cx, d, cx.card.segments, regions, regions.size(), DiagKind::LintSegmentShadowed, "segment");
}

void override_shadowed(const LintContext& cx) {
  const ConditionDomain d(cx.card);
  const std::vector<Region> regions = override_regions(cx, d);
  shadowed(cx, d, cx.card.overrides, regions, regions.size(), DiagKind::LintOverrideShadowed, "override");
}

void override_no_effect(const LintContext& cx) {
  for (const ast::Override& o : cx.card.overrides) {
    const bool cap = o.action == ast::ActionKind::Cap && o.amount >= 100;
    const bool floor = o.action == ast::ActionKind::Floor && o.amount <= 0;
    if (cap || floor)
      cx.out.report(DiagKind::LintOverrideNoEffect, o.amount_range, o.name.text, cap ? "cap" : "floor",
                    number_text(o.amount));
  }
}

void label_shadowed(const LintContext& cx) {
  const ConditionDomain d(cx.card);
  const std::vector<Region> regions = label_regions(cx, d);
  // Labels after `otherwise` are W206's; the `otherwise` label itself may still be shadowed.
  const size_t limit = std::min(regions.size(), first_otherwise(cx.card) + 1);
  shadowed(cx, d, cx.card.labels, regions, limit, DiagKind::LintLabelShadowed, "label");
}

void condition_never_holds(const LintContext& cx) {
  const ConditionDomain d(cx.card);
  const std::vector<Region> overrides = override_regions(cx, d);
  for (size_t i = 0; i < overrides.size(); ++i) {
    const ast::Override& o = cx.card.overrides[i];
    if (o.condition && d.never_true(overrides[i]))
      cx.out.report(DiagKind::LintConditionNeverHolds, o.condition->range, "override", o.name.text);
  }
  const size_t limit = first_otherwise(cx.card);
  for (size_t i = 0; i < limit; ++i) {
    const ast::Label& l = cx.card.labels[i];
    if (l.condition && d.never_true(d.when_true(*l.condition)))
      cx.out.report(DiagKind::LintConditionNeverHolds, l.condition->range, "label", l.name.text);
  }
}

void band_unreachable(const LintContext& cx) {
  const std::vector<bool> named = bands_named_in_conditions(cx.card);
  const ScoreRange reach = reachable_scores(cx.card, cx.checked);
  for (size_t i = 0; i < cx.card.bands.size(); ++i) {
    const ScoreRange band = band_scores(cx.card, i);
    // A band nothing names is W205's; one an override's action names is reachable by it.
    if (!named[i] || reach.holds(band.lo, band.hi)) continue;
    cx.out.report(DiagKind::LintBandUnreachable, cx.card.bands[i].name.range, cx.card.bands[i].name.text,
                  number_text(reach.lo), number_text(reach.hi));
  }
}

}  // namespace healthc::lint
