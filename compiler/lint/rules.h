// Internal to compiler/lint/: the rule functions the registry (lint.cpp) lists, one family a
// file, and the walks over a card's expressions they share.
#pragma once

#include <string>
#include <vector>

#include "compiler/lint/lint.h"

namespace healthc::lint {

// weights.cpp
void weight_sum(const LintContext& cx);
void zero_weight(const LintContext& cx);
void dominant_node(const LintContext& cx);
void measure_count(const LintContext& cx);
void subjective_weight(const LintContext& cx);

// usage.cpp
void unused_field(const LintContext& cx);
void unused_param(const LintContext& cx);
void unused_measure(const LintContext& cx);
void unused_model(const LintContext& cx);
void unused_band(const LintContext& cx);
void label_after_otherwise(const LintContext& cx);
// Bands a condition names (`band == x`), by band index.
std::vector<bool> bands_named_in_conditions(const ast::Scorecard& card);

// scoring.cpp
void range_gap(const LintContext& cx);
void range_overlap(const LintContext& cx);
void match_not_exhaustive(const LintContext& cx);
void score_out_of_range(const LintContext& cx);

// reachability.cpp
void segment_never_matches(const LintContext& cx);
void segment_shadowed(const LintContext& cx);
void override_shadowed(const LintContext& cx);
void override_no_effect(const LintContext& cx);
void label_shadowed(const LintContext& cx);
void condition_never_holds(const LintContext& cx);
void band_unreachable(const LintContext& cx);

// alerts.cpp
void alert_never_fires(const LintContext& cx);
void alert_always_active(const LintContext& cx);

// missing.cpp
void optional_unhandled(const LintContext& cx);

// data_rules.cpp: with `--data` only; each returns at once when cx.data is null.
void empty_segment(const LintContext& cx);
void unscored_measure(const LintContext& cx);
void constant_measure(const LintContext& cx);
void empty_band(const LintContext& cx);
void dominant_override(const LintContext& cx);
void small_segment(const LintContext& cx);
void idle_override(const LintContext& cx);
void rollup_singletons(const LintContext& cx);
void rollup_weight_missing(const LintContext& cx);

// store_rules.cpp: with `--store` only; each returns at once when cx.store is null.
void change_window_spacing(const LintContext& cx);
void change_before_history(const LintContext& cx);

// Calls `f` on `e` and every expression inside it.
template <typename F>
void visit(const ast::Expr& e, F&& f) {
  f(e);
  for (const ast::ExprPtr& a : e.args)
    if (a) visit(*a, f);
}

// Calls `f` on every expression of the card: measures' values and scorings, and the
// conditions of segments, overrides, labels and alerts.
template <typename F>
void visit_card(const ast::Scorecard& card, F&& f) {
  for (const ast::Measure& m : card.measures) {
    if (m.value) visit(*m.value, f);
    if (m.score && m.score->subject) visit(*m.score->subject, f);
  }
  for (const ast::Segment& s : card.segments)
    if (s.condition) visit(*s.condition, f);
  for (const ast::Override& o : card.overrides)
    if (o.condition) visit(*o.condition, f);
  for (const ast::Label& l : card.labels)
    if (l.condition) visit(*l.condition, f);
  for (const ast::Alert& a : card.alerts)
    if (a.condition) visit(*a.condition, f);
}

// A number as the language writes it, shortest form ("0.2", "-50", "1e+20").
std::string number_text(double v);
// A share 0..1 as a percentage with at most one decimal ("60", "66.7").
std::string percent_text(double share);

}  // namespace healthc::lint
