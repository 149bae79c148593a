// The IR's sentinel conventions, named in one place: the per-row results (segment, score, band,
// label, override) use "index == count" and -1 for "none", and every reader of them (the
// engines, output, explain, lint, diff, validate) goes through these accessors.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "compiler/ir/ir.h"

namespace healthc::ir {

// A score of -1 means the account is unscored.
inline constexpr int32_t kUnscoredScore = -1;
// A label or override index of -1 means none matched / none applied.
inline constexpr int32_t kNoLabel = -1;
inline constexpr int32_t kNoOverride = -1;
// In an Override's `for` list, -1 stands for the `default` segment.
inline constexpr int32_t kDefaultInForList = -1;

inline constexpr std::string_view kDefaultSegmentName = "default";
inline constexpr std::string_view kUnscoredBandName = "unscored";
inline constexpr std::string_view kUnscoredBandColor = "grey";

inline bool is_unscored_score(int32_t score) { return score < 0; }
// The pinned rounding of a raw weighted score (spec "The account's score", step 3), for readers
// that round a mean of scores as an account's is rounded (roll-ups); the engines emit it as
// Op::RoundScore.
inline double round_score(double raw) { return std::floor((raw + 0.5) + 1e-9); }

// An enum member as the data spells it (Field::spellings; its name when it has no `= "text"`).
inline std::string_view member_spelling(const Field& f, size_t member) {
  return member < f.spellings.size() ? std::string_view(f.spellings[member]) : std::string_view(f.members[member]);
}

// An alert's severity levels as the language spells them, in the order of ir::Severity (the
// alerts file, the store and `healthc alerts` write these words).
inline constexpr std::array<std::string_view, 5> kSeverityNames = {"info", "low", "medium", "high", "critical"};
inline std::string_view severity_name(Severity s) {
  const auto i = static_cast<size_t>(s);
  return i < kSeverityNames.size() ? kSeverityNames[i] : kSeverityNames[static_cast<size_t>(Severity::Medium)];
}
inline std::optional<Severity> parse_severity(std::string_view s) {
  for (size_t i = 0; i < kSeverityNames.size(); ++i)
    if (kSeverityNames[i] == s) return static_cast<Severity>(i);
  return std::nullopt;
}

// The same conventions by count, for readers that hold the checked card rather than a
// Program (lint): a segment result ranges over every segment and `default`, a band result
// over every band and `unscored`.
inline size_t segment_choices(size_t nsegments) { return nsegments + 1; }
inline size_t band_choices(size_t nbands) { return nbands + 1; }
inline size_t for_list_segment(size_t nsegments, int32_t entry) {
  return entry == kDefaultInForList ? nsegments : static_cast<size_t>(entry);
}

// Segments: index == number of segments means `default`.
inline int32_t default_segment(const Program& p) { return static_cast<int32_t>(p.segments.size()); }
inline bool is_default_segment(const Program& p, int32_t s) { return s == default_segment(p); }
inline std::string_view segment_name(const Program& p, int32_t s) {
  return s >= 0 && s < default_segment(p) ? std::string_view(p.segments[s].name) : kDefaultSegmentName;
}
// The model a segment index scores with (`default` uses the default model).
inline int32_t model_of_segment(const Program& p, int32_t s) {
  return s >= 0 && s < default_segment(p) ? p.segments[s].model : p.default_model;
}
// An entry of an Override's `for` list as a segment index (default's is the count).
inline int32_t for_list_segment(const Program& p, int32_t entry) {
  return static_cast<int32_t>(for_list_segment(p.segments.size(), entry));
}
// Whether override `o`'s `for` list (empty: every segment) holds segment index `s`.
inline bool override_applies_to_segment(const Program& p, const Override& o, int32_t s) {
  return o.segments.empty() ||
         std::any_of(o.segments.begin(), o.segments.end(), [&](int32_t e) { return for_list_segment(p, e) == s; });
}

// Bands: index == number of bands means `unscored` (name `unscored`, color `grey`).
inline int32_t unscored_band(const Program& p) { return static_cast<int32_t>(p.bands.size()); }
inline bool is_unscored_band(const Program& p, int32_t b) { return b == unscored_band(p); }
inline std::string_view band_name(const Program& p, int32_t b) {
  return b >= 0 && b < unscored_band(p) ? std::string_view(p.bands[b].name) : kUnscoredBandName;
}
inline std::string_view band_color(const Program& p, int32_t b) {
  return b >= 0 && b < unscored_band(p) ? std::string_view(p.bands[b].color) : kUnscoredBandColor;
}
// The band holding an integer score (bands ascend from 0); unscored for a negative score.
inline int32_t band_of_score(const Program& p, int32_t score) {
  if (is_unscored_score(score)) return unscored_band(p);
  int32_t band = 0;
  for (size_t i = 0; i < p.bands.size(); ++i)
    if (p.bands[i].from <= score) band = static_cast<int32_t>(i);
  return band;
}

// Labels and overrides: -1 means none (an empty name in output).
inline bool has_label(int32_t l) { return l != kNoLabel; }
inline bool has_override(int32_t o) { return o != kNoOverride; }
inline std::string_view label_name(const Program& p, int32_t l) {
  return l >= 0 && static_cast<size_t>(l) < p.labels.size() ? std::string_view(p.labels[l].name) : std::string_view();
}
inline std::string_view override_name(const Program& p, int32_t o) {
  return o >= 0 && static_cast<size_t>(o) < p.overrides.size() ? std::string_view(p.overrides[o].name)
                                                                 : std::string_view();
}

}  // namespace healthc::ir
