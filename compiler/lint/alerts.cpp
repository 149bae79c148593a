// Alert rules: an alert that can never fire (its condition never holds, or no account reaches
// the segments of its `for` list) and one that holds for every account (it fires for all of
// them on the first run). Decided in the condition domain (conditions.h), silent where it
// cannot tell; the past (`previous.*`, `change`) and `label` are read as "anything".
#include <string>
#include <vector>

#include "compiler/ir/conventions.h"
#include "compiler/lint/conditions.h"
#include "compiler/lint/rules.h"

namespace healthc::lint {
namespace {

// Per segment index (the count is `default`): whether some account can be in it. A segment
// whose condition never holds, or that an earlier segment always takes first, has none;
// `default` has none when an earlier segment takes every account.
std::vector<bool> reachable_segments(const LintContext& cx, const ConditionDomain& d) {
  const size_t n = cx.card.segments.size();
  std::vector<Region> regions;
  for (const ast::Segment& s : cx.card.segments)
    regions.push_back(s.condition ? d.when_true(*s.condition) : Region::anything(false));
  std::vector<bool> out(ir::segment_choices(n), true);
  for (size_t i = 0; i < n; ++i) {
    if (d.never_true(regions[i])) {
      out[i] = false;
      continue;
    }
    for (size_t j = 0; j < i && out[i]; ++j)
      if (!d.never_true(regions[j]) && d.covers(regions[j], regions[i])) out[i] = false;
  }
  for (size_t j = 0; j < n; ++j)
    if (d.covers(regions[j], Region::anything(true))) out[n] = false;
  return out;
}

std::string segment_list(const LintContext& cx, const std::vector<int32_t>& segs) {
  std::string out;
  for (size_t i = 0; i < segs.size(); ++i) {
    const size_t at = ir::for_list_segment(cx.card.segments.size(), segs[i]);
    const std::string name = at < cx.card.segments.size() ? cx.card.segments[at].name.text
                                                          : std::string(ir::kDefaultSegmentName);
    out += (i ? ", `" : "`") + name + "`";
  }
  return out;
}

const std::vector<int32_t>& alert_segments(const LintContext& cx, size_t i) {
  static const std::vector<int32_t> kNone;
  return i < cx.checked.alert_segments.size() ? cx.checked.alert_segments[i] : kNone;
}

}  // namespace

void alert_never_fires(const LintContext& cx) {
  const ConditionDomain d(cx.card);
  const std::vector<bool> reachable = reachable_segments(cx, d);
  for (size_t i = 0; i < cx.card.alerts.size(); ++i) {
    const ast::Alert& a = cx.card.alerts[i];
    if (!a.condition) continue;
    const std::vector<int32_t>& segs = alert_segments(cx, i);
    bool any_reachable = segs.empty();
    for (int32_t s : segs) any_reachable |= reachable[ir::for_list_segment(cx.card.segments.size(), s)];
    if (!any_reachable) {
      cx.out.report(DiagKind::LintAlertNeverFires, a.name.range, a.name.text,
                    "no account reaches " + std::string(segs.size() > 1 ? "its segments " : "its segment ") +
                        segment_list(cx, segs));
      continue;
    }
    if (d.never_true(d.meet(d.segment_in(segs), d.when_true(*a.condition))))
      cx.out.report(DiagKind::LintAlertNeverFires, a.condition->range, a.name.text, "its condition can never hold");
  }
}

void alert_always_active(const LintContext& cx) {
  const ConditionDomain d(cx.card);
  const std::vector<bool> reachable = reachable_segments(cx, d);
  for (size_t i = 0; i < cx.card.alerts.size(); ++i) {
    const ast::Alert& a = cx.card.alerts[i];
    if (!a.condition) continue;
    // A `for` list holds every account only when it names every segment some account reaches.
    const std::vector<int32_t>& segs = alert_segments(cx, i);
    bool every_segment = true;
    for (size_t s = 0; s < reachable.size() && !segs.empty(); ++s) {
      bool listed = false;
      for (int32_t e : segs) listed |= ir::for_list_segment(cx.card.segments.size(), e) == s;
      every_segment &= listed || !reachable[s];
    }
    if (every_segment && d.covers(d.when_true(*a.condition), Region::anything(true)))
      cx.out.report(DiagKind::LintAlertAlwaysActive, a.condition->range, a.name.text);
  }
}

}  // namespace healthc::lint
