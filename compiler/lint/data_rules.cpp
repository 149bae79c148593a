// The data rules (W6xx): what scoring real accounts shows about a card. They read the data
// profile (`healthc lint --data`) and stay silent without one, and when the accounts they count
// over are too few to mean anything (kMinAccounts). Each finding points at the name of the
// declaration it concerns. A declaration a static rule already reports as dead (a segment that
// never matches, a band no score can reach, an override that never applies) is not reported
// again for being empty in the data.
#include <fmt/format.h>

#include <initializer_list>

#include "compiler/lint/data_profile.h"
#include "compiler/lint/rules.h"

namespace healthc::lint {
namespace {

double share(uint64_t part, uint64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0;
}

// True when a static finding of one of `kinds` lies inside `decl` (the declaration's range).
bool already_reported(const LintContext& cx, SourceRange decl, std::initializer_list<DiagKind> kinds) {
  for (const Diagnostic& d : cx.out.items())
    for (DiagKind k : kinds)
      if (d.kind == k && d.range.begin >= decl.begin && d.range.end <= decl.end) return true;
  return false;
}

}  // namespace

void empty_segment(const LintContext& cx) {
  if (!cx.data || cx.data->accepted < kMinAccounts) return;
  for (size_t i = 0; i < cx.card.segments.size() && i < cx.data->segments.size(); ++i) {
    const ast::Segment& s = cx.card.segments[i];
    if (cx.data->segments[i] != 0) continue;
    if (already_reported(cx, s.range, {DiagKind::LintSegmentNeverMatches, DiagKind::LintSegmentShadowed})) continue;
    cx.out.report(DiagKind::LintEmptySegment, s.name.range, s.name.text, cx.data->accepted);
  }
}

void small_segment(const LintContext& cx) {
  if (!cx.data || cx.data->accepted < kMinAccounts) return;
  for (size_t i = 0; i < cx.card.segments.size() && i < cx.data->segments.size(); ++i) {
    const ast::Segment& s = cx.card.segments[i];
    const uint64_t n = cx.data->segments[i];
    const double sh = share(n, cx.data->accepted);
    if (n == 0 || sh >= kSmallSegmentShare) continue;
    cx.out.report(DiagKind::LintSmallSegment, s.name.range, s.name.text, n, cx.data->accepted, percent_text(sh),
                  percent_text(kSmallSegmentShare));
  }
}

void unscored_measure(const LintContext& cx) {
  if (!cx.data) return;
  for (size_t i = 0; i < cx.card.measures.size() && i < cx.data->measures.size(); ++i) {
    const MeasureProfile& m = cx.data->measures[i];
    if (m.in_model < kMinAccounts) continue;
    const double sh = share(m.unscored(), m.in_model);
    if (sh <= kUnscoredShare) continue;
    const ast::Measure& am = cx.card.measures[i];
    cx.out.report(DiagKind::LintUnscoredMeasure, am.name.range, am.name.text, percent_text(sh), m.in_model,
                  percent_text(kUnscoredShare));
  }
}

void constant_measure(const LintContext& cx) {
  if (!cx.data) return;
  for (size_t i = 0; i < cx.card.measures.size() && i < cx.data->measures.size(); ++i) {
    const MeasureProfile& m = cx.data->measures[i];
    if (m.scored < kMinAccounts || m.min != m.max) continue;
    const ast::Measure& am = cx.card.measures[i];
    cx.out.report(DiagKind::LintConstantMeasure, am.name.range, am.name.text, number_text(m.min), m.scored);
  }
}

void empty_band(const LintContext& cx) {
  if (!cx.data || cx.data->accepted < kMinAccounts) return;
  for (size_t i = 0; i < cx.card.bands.size() && i < cx.data->bands.size(); ++i) {
    const ast::Band& b = cx.card.bands[i];
    if (cx.data->bands[i] != 0) continue;
    if (already_reported(cx, b.range, {DiagKind::LintUnusedBand, DiagKind::LintBandUnreachable})) continue;
    cx.out.report(DiagKind::LintEmptyBand, b.name.range, b.name.text, cx.data->accepted);
  }
}

void dominant_override(const LintContext& cx) {
  if (!cx.data) return;
  for (size_t i = 0; i < cx.card.overrides.size() && i < cx.data->overrides.size(); ++i) {
    const OverrideProfile& o = cx.data->overrides[i];
    if (o.eligible < kMinAccounts) continue;
    const double sh = share(o.fired, o.eligible);
    if (sh <= kDominantOverrideShare) continue;
    const ast::Override& ao = cx.card.overrides[i];
    cx.out.report(DiagKind::LintDominantOverride, ao.name.range, ao.name.text, percent_text(sh), o.eligible,
                  percent_text(kDominantOverrideShare));
  }
}

void idle_override(const LintContext& cx) {
  if (!cx.data) return;
  for (size_t i = 0; i < cx.card.overrides.size() && i < cx.data->overrides.size(); ++i) {
    const OverrideProfile& o = cx.data->overrides[i];
    if (o.eligible < kMinAccounts || o.fired != 0) continue;
    const ast::Override& ao = cx.card.overrides[i];
    if (already_reported(cx, ao.range, {DiagKind::LintOverrideShadowed, DiagKind::LintConditionNeverHolds})) continue;
    cx.out.report(DiagKind::LintIdleOverride, ao.name.range, ao.name.text, o.eligible);
  }
}

void rollup_singletons(const LintContext& cx) {
  if (!cx.data) return;
  for (size_t i = 0; i < cx.card.rollups.size() && i < cx.data->rollups.size(); ++i) {
    const RollupProfile& r = cx.data->rollups[i];
    if (r.accounts < kMinAccounts || r.largest_group != 1) continue;
    const ast::Rollup& ar = cx.card.rollups[i];
    cx.out.report(DiagKind::LintRollupSingletons, ar.name.range, ar.name.text, r.groups, r.accounts);
  }
}

void rollup_weight_missing(const LintContext& cx) {
  if (!cx.data) return;
  for (size_t i = 0; i < cx.card.rollups.size() && i < cx.data->rollups.size(); ++i) {
    const RollupProfile& r = cx.data->rollups[i];
    const ast::Rollup& ar = cx.card.rollups[i];
    if (!ar.weight || r.accounts < kMinAccounts) continue;
    const double sh = share(r.weight_missing, r.accounts);
    if (sh <= kMissingWeightShare) continue;
    cx.out.report(DiagKind::LintRollupWeightMissing, ar.weight->range, ar.weight->text, ar.name.text, percent_text(sh),
                  r.accounts, percent_text(kMissingWeightShare));
  }
}

}  // namespace healthc::lint
