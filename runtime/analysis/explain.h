// How one account's score comes about: the breakdown `healthc explain` prints (as text or JSON)
// and `healthc test` shows under a failing case.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "runtime/scorecard.h"

namespace healthc::analysis {

// One node of the account's model, in tree order.
struct ExplainNode {
  std::string name;
  std::string path;  // `product/adoption`
  int depth = 0;
  bool group = false;
  // A measure's value: `kind` is "number", "enum", "bool", "missing" or "none" (a measure
  // without a value); `number` holds a number's value (enums and bools show as `text`).
  std::string kind = "none";
  double number = 0;
  std::string text;
  std::optional<double> score;  // unscored: none
  double weight = 0;
  double effective = 0;     // the product of the normalised weights from the root (0 unscored)
  double contribution = 0;  // effective x score: the points the node adds to the weighted score
  double lost = 0;          // effective x (100 - score)
};

struct Explanation {
  std::string key;
  std::string segment, segment_title, model;
  bool default_segment = true;
  std::vector<ExplainNode> nodes;
  std::optional<double> raw_score;       // the root's weighted mean, before rounding
  std::optional<int32_t> weighted_score;  // rounded, before any override
  bool has_override = false;
  std::string override_name, override_title, override_action, override_band;
  int32_t override_amount = 0;
  std::optional<int32_t> score;  // after the override
  std::string band, band_color;
  std::optional<std::string> label;
  struct Reason {
    std::string measure;
    double points = 0;
  };
  std::vector<Reason> reasons;  // every measure that costs points, most first
  std::string reasons_text;     // the score's `reasons` column (the top three)
};

// The breakdown of row `row` of `scores`, which must hold detail (Scorecard::score with detail).
Explanation explain(const ir::Program& p, const BlockScores& scores, size_t row, const std::string& key);
// For people: numbers at a readable precision (readable_number), columns aligned to their content.
std::string explain_text(const Explanation& e);
// One JSON object, numbers at full precision.
std::string explain_json(const Explanation& e);
// explain_text(explain(...)).
std::string explain_row(const ir::Program& p, const BlockScores& scores, size_t row, const std::string& key);

// `v` as people read it: the shortest text that reads back as `v`, but at most 6 significant
// digits (566.4000000000001 -> 566.4, 0.10136452241715399 -> 0.101365); integers as integers.
std::string readable_number(double v);

}  // namespace healthc::analysis
