// Name resolution, type checking and every rule the language spec makes an error. Annotates
// the AST in place (types, resolutions) and returns what later stages need: the weight trees
// of every model with `extends` applied, and the order to compute measures in.
#pragma once

#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"

namespace healthc::check {

// The largest weight a model entry may have (E0510). With it, no sum or product of a card's
// weights can overflow a double.
inline constexpr double kMaxWeight = 1e6;
// The most alerts and `stale after` rules a card may have (E0806, E0810): each is one bit of a
// 64-bit mask per row (ir::kMaxAlerts, ir::kMaxStaleRules).
inline constexpr size_t kMaxAlerts = 64;
inline constexpr size_t kMaxStaleRules = 64;
// The longest `change` window and `stale after` period, in days (100 years).
inline constexpr double kMaxDays = 36500;

// A node of a model's weight tree after `extends` is applied.
struct WeightNode {
  enum Kind : uint8_t { Measure, Group } kind = Measure;
  std::string name;
  std::string title;
  int32_t measure = -1;  // index into Scorecard::measures, for Measure nodes
  double weight = 0;
  SourceRange range;         // where the node was defined
  SourceRange weight_range;  // where its weight was last set
  std::vector<WeightNode> children;
};

struct WeightTree {
  std::string name;
  std::vector<WeightNode> roots;  // the model's top-level entries
};

struct CheckedScorecard {
  std::vector<WeightTree> models;      // parallel to Scorecard::models
  std::vector<int32_t> measure_order;  // every measure after the measures it reads
  std::vector<int32_t> segment_model;  // per segment: the model it uses
  int32_t default_model = -1;
  // Per override: the segments of its `for` list (segment index, or -1 for `default`).
  std::vector<std::vector<int32_t>> override_segments;
  std::vector<int32_t> override_band;  // per override: the band of a `band B` action, else -1
  // v2. Per alert: its `for` list (as override_segments) and severity (0 info .. 4 critical).
  std::vector<std::vector<int32_t>> alert_segments;
  std::vector<uint8_t> alert_severity;
  std::vector<int32_t> stale_field;  // per measure: the date field of its `stale after`, else -1
  // Per roll-up: its `by` fields and its weight field (-1: none), as field indices.
  struct RollupFields {
    std::vector<int32_t> by;
    int32_t weight = -1;
  };
  std::vector<RollupFields> rollups;
  int32_t key_field = -1;
};

struct CheckResult {
  bool ok = false;  // no errors: the scorecard may be lowered and run
  CheckedScorecard checked;
};

CheckResult check(ast::Scorecard& card, DiagnosticList& diags);

// The display name of a type for messages ("a number", "an enum of `tier`").
std::string describe(const ast::Type& t, const ast::Scorecard& card);

}  // namespace healthc::check
