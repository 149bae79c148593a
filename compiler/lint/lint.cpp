// The rule registry and the lint driver: run every rule, drop suppressed findings, sort.
#include "compiler/lint/lint.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "compiler/lint/rules.h"
#include "compiler/lint/suppression.h"

namespace healthc::lint {
namespace {

// The catalogue, in code order. docs/lint.md has a section for each anchor (a unit test checks).
constexpr std::array kRules = {
    Rule{DiagKind::LintWeightSum, "weight-sum", "w101-weight-sum",
         "top-level weights of a model do not add up to 100",
         "Weights are normalised, so the score is right, but readers take a weight for a percentage: a "
         "tree whose weights add up to 100 says what each node is worth.",
         weight_sum},
    Rule{DiagKind::LintZeroWeight, "zero-weight", "w102-zero-weight", "a node has weight 0",
         "A node of weight 0 is computed but never moves the score; drop it or give it a weight.", zero_weight},
    Rule{DiagKind::LintDominantNode, "dominant-node", "w103-dominant-node",
         "one node carries more than half of a model's effective weight",
         "When one signal decides most of the score, a single bad input swings an account between bands.",
         dominant_node},
    Rule{DiagKind::LintMeasureCount, "measure-count", "w104-measure-count",
         "a model has fewer than 3 or more than 8 measures",
         "With fewer than 3 measures a score is one signal in disguise; with more than 8 no one can explain it.",
         measure_count},
    Rule{DiagKind::LintSubjectiveWeight, "subjective-weight", "w105-subjective-weight",
         "subjective measures carry more than 30% of a model",
         "Human-entered signals are stale and biased; past 30% the score says more about the CSM than the "
         "customer.",
         subjective_weight},
    Rule{DiagKind::LintUnusedField, "unused-field", "w201-unused-field", "a field no expression reads",
         "An unread input column still has to be supplied in every row, and usually means a measure was "
         "forgotten.",
         unused_field},
    Rule{DiagKind::LintUnusedParam, "unused-param", "w202-unused-param", "a param no expression reads",
         "Setting an unread param with --param changes nothing, silently.", unused_param},
    Rule{DiagKind::LintUnusedMeasure, "unused-measure", "w203-unused-measure",
         "a measure in no model that no expression reads",
         "A measure outside every model never counts toward a score; it was probably meant to be weighted.",
         unused_measure},
    Rule{DiagKind::LintUnusedModel, "unused-model", "w204-unused-model",
         "a model no segment uses and no model extends",
         "A model that scores no account is dead weight, and often a segment that names the wrong model.",
         unused_model},
    Rule{DiagKind::LintUnusedBand, "unused-band", "w205-unused-band",
         "a band no score can reach and nothing names",
         "A band no account can fall in makes the legend promise a state that never happens.", unused_band},
    Rule{DiagKind::LintLabelAfterOtherwise, "label-after-otherwise", "w206-label-after-otherwise",
         "a label after the `otherwise` label",
         "Labels are tried in order and `otherwise` always matches, so a label after it is never given.",
         label_after_otherwise},
    Rule{DiagKind::LintRangeGap, "range-gap", "w301-range-gap", "`ranges` arms leave a gap between them",
         "A value in the gap gets no score, so the measure's weight silently moves to the others.", range_gap},
    Rule{DiagKind::LintRangeOverlap, "range-overlap", "w302-range-overlap", "`ranges` arms overlap",
         "The first arm that holds a value wins, so part of a later arm never applies.", range_overlap},
    Rule{DiagKind::LintMatchNotExhaustive, "match-not-exhaustive", "w303-match-not-exhaustive",
         "a `match` on an enum or bool misses members and has no `_`",
         "An account with a member no arm names is unscored on this measure, which is rarely what was meant.",
         match_not_exhaustive},
    Rule{DiagKind::LintScoreOutOfRange, "score-out-of-range", "w304-score-out-of-range",
         "a written score outside 0 to 100",
         "Scores are clamped to 0-100, so the number written is not the number used.", score_out_of_range},
    Rule{DiagKind::LintSegmentNeverMatches, "segment-never-matches", "w401-segment-never-matches",
         "a segment whose condition can never hold",
         "A segment that matches no account leaves its model unused and its accounts in another segment.",
         segment_never_matches},
    Rule{DiagKind::LintSegmentShadowed, "segment-shadowed", "w402-segment-shadowed",
         "a segment an earlier segment always takes first",
         "Segments are tried in order; when an earlier one holds wherever this one does, this one is dead.",
         segment_shadowed},
    Rule{DiagKind::LintOverrideShadowed, "override-shadowed", "w403-override-shadowed",
         "an override an earlier override always takes first",
         "Only the first matching override applies; when an earlier one holds wherever this one does (for the "
         "same or more segments), this one never applies.",
         override_shadowed},
    Rule{DiagKind::LintOverrideNoEffect, "override-no-effect", "w404-override-no-effect",
         "an override whose action cannot change a score",
         "`cap 100` and `floor 0` hold for every score, yet the override still wins and stops later overrides.",
         override_no_effect},
    Rule{DiagKind::LintLabelShadowed, "label-shadowed", "w405-label-shadowed",
         "a label an earlier label always takes first",
         "Labels are tried in order; when an earlier one holds wherever this one does, this one is never given.",
         label_shadowed},
    Rule{DiagKind::LintConditionNeverHolds, "condition-never-holds", "w406-condition-never-holds",
         "an override or label condition that can never hold",
         "A contradiction (`score > 80 and score < 50`) is a typo: the override or label is dead.",
         condition_never_holds},
    Rule{DiagKind::LintBandUnreachable, "band-unreachable", "w407-band-unreachable",
         "a band a condition names but no score can reach",
         "When every measure tops out below a band, the conditions that test for it never hold.",
         band_unreachable},
    Rule{DiagKind::LintAlertNeverFires, "alert-never-fires", "w408-alert-never-fires",
         "an alert whose condition can never hold, or whose `for` segments no account reaches",
         "An alert that can never be active never fires: the people waiting for it are never told.",
         alert_never_fires},
    Rule{DiagKind::LintAlertAlwaysActive, "alert-always-active", "w409-alert-always-active",
         "an alert whose condition holds for every account",
         "An alert fires when it becomes active; one active for everyone fires for every account on the first "
         "run and then never again, so it tells nothing.",
         alert_always_active},
    Rule{DiagKind::LintOptionalUnhandled, "optional-unhandled", "w501-optional-unhandled",
         "an optional field read in a segment or override condition without `is missing` or `coalesce`",
         "A comparison with an empty cell is unknown and a `when` that ends unknown is not taken, so accounts "
         "without the field silently fall through.",
         optional_unhandled},
    // The data rules: with `--data` only (data_rules.cpp).
    Rule{DiagKind::LintEmptySegment, "empty-segment", "w601-empty-segment", "a segment no account of the data is in",
         "A segment that takes no real account leaves its model unused: its condition is probably wrong, or the "
         "accounts it was written for look different in the data.",
         empty_segment},
    Rule{DiagKind::LintUnscoredMeasure, "unscored-measure", "w602-unscored-measure",
         "a measure unscored for more than 30% of the accounts whose model uses it",
         "An unscored measure's weight moves to the others, so for those accounts the score is a different "
         "model from the one on the card.",
         unscored_measure},
    Rule{DiagKind::LintConstantMeasure, "constant-measure", "w603-constant-measure",
         "a measure that gives every account of the data the same score",
         "A measure with one score for everyone carries no signal: it only shifts every score by the same amount.",
         constant_measure},
    Rule{DiagKind::LintEmptyBand, "empty-band", "w604-empty-band", "a band no account of the data lands in",
         "A band no real account reaches is a legend entry that never shows; its bounds may be off.", empty_band},
    Rule{DiagKind::LintDominantOverride, "dominant-override", "w605-dominant-override",
         "an override that fires for more than 25% of the accounts it can apply to",
         "An override is an exception; when it fires for a large share of accounts, it decides their score and "
         "the model does not.",
         dominant_override},
    Rule{DiagKind::LintSmallSegment, "small-segment", "w606-small-segment",
         "a segment with less than 5% of the accounts of the data",
         "A segment with a handful of accounts has its own model to maintain for very few scores.", small_segment},
    Rule{DiagKind::LintIdleOverride, "idle-override", "w607-idle-override",
         "an override that fires for no account of the data",
         "An override no real account triggers may be dead, or its threshold may be off.", idle_override},
    Rule{DiagKind::LintRollupSingletons, "rollup-singletons", "w608-rollup-singletons",
         "a roll-up whose every group has one account of the data",
         "A roll-up that groups nothing repeats the accounts' own scores; its `by` field is as fine as the key.",
         rollup_singletons},
    Rule{DiagKind::LintRollupWeightMissing, "rollup-weight-missing", "w609-rollup-weight-missing",
         "a roll-up whose weight field is missing for more than half of the accounts of the data",
         "An account without a weight counts 0: the weighted score and band of its group come from the others.",
         rollup_weight_missing},
    Rule{DiagKind::LintChangeWindowSpacing, "change-window-spacing", "w701-change-window-spacing",
         "a `change` window the store's snapshot spacing cannot serve",
         "`change(score, 3 days)` over weekly snapshots compares with last week: the change shown is not the "
         "change the card's author asked for.",
         change_window_spacing},
    Rule{DiagKind::LintChangeBeforeHistory, "change-before-history", "w702-change-before-history",
         "a `change` window that reaches before the store's first snapshot",
         "Until the store holds a snapshot that far back, the change is missing for every account, and so is "
         "everything computed from it.",
         change_before_history},
};

}  // namespace

std::span<const Rule> rules() { return kRules; }

const Rule* find_rule(std::string_view code) {
  for (const Rule& r : kRules)
    if (info(r.kind).code == code) return &r;
  return nullptr;
}

DiagnosticList lint(const ast::Scorecard& card, const check::CheckedScorecard& checked, const SourceFile& file,
                    const DataProfile* data, const StoreProfile* store) {
  DiagnosticList found;
  // Rules run in code order, so the data rules (W6xx) see the static findings they defer to.
  const LintContext cx{card, checked, found, data, store};
  for (const Rule& r : kRules) r.run(cx);
  const Suppressions suppressions(file);
  DiagnosticList out;
  for (Diagnostic& d : found.items())
    if (!suppressions.suppresses(d.code, file.position(d.range.begin).line)) out.add(std::move(d));
  out.sort_by_position();
  return out;
}

std::string number_text(double v) { return fmt::format("{}", v); }

std::string percent_text(double share) { return fmt::format("{}", std::round(share * 1000) / 10); }

}  // namespace healthc::lint
