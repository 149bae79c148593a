// v2's roll-up declarations (spec "Roll-ups"): `by` fields that group (text, enum, bool), a
// `weight` that is a number field, no field named twice, distinct names, at most
// ir::kMaxRollups of them.
#include <algorithm>

#include "compiler/check/checker.h"
#include "compiler/diag/suggest.h"
#include "compiler/ir/ir.h"

namespace healthc::check {

namespace {

bool groups(ast::FieldType t) {
  return t == ast::FieldType::Text || t == ast::FieldType::Enum || t == ast::FieldType::Bool;
}

const char* field_kind(ast::FieldType t) {
  static const char* kTypes[] = {"a number field", "a bool field", "a text field", "a date field", "an enum field"};
  return kTypes[static_cast<int>(t)];
}

// The roll-up CSV's own columns (rollup_csv): a `by` field of one of these names would print a
// second column of that name.
std::vector<std::string> fixed_columns(const ast::Scorecard& card) {
  std::vector<std::string> out = {"accounts", "scored", "unscored", "score", "band", "min_score", "min_account",
                                  "score_change"};
  for (const ast::Band& b : card.bands) {
    out.push_back(b.name.text + "_accounts");
    out.push_back(b.name.text + "_weight");
  }
  for (const ast::Measure& m : card.measures) out.push_back(m.name.text + "_score");
  return out;
}

// Which of the roll-up's columns a `by` field's name takes, and what to rename.
std::string clash_hint(const ast::Scorecard& card, const std::string& column) {
  for (const ast::Measure& m : card.measures)
    if (column == m.name.text + "_score")
      return "; measure `" + m.name.text + "` has that column: rename the measure (or the field, and the data's column)";
  for (const ast::Band& b : card.bands)
    if (column == b.name.text + "_accounts" || column == b.name.text + "_weight")
      return "; band `" + b.name.text + "` has that column: rename the band (or the field, and the data's column)";
  return "; it is one of every roll-up's own columns: rename the field (and the data's column)";
}

}  // namespace

void Checker::check_rollups() {
  const std::vector<std::string> columns = card_.rollups.empty() ? std::vector<std::string>() : fixed_columns(card_);
  // A measure `min` prints `min_score` twice in every roll-up.
  for (const ast::Measure& m : card_.measures)
    if (!card_.rollups.empty() && m.name.text == "min")
      diags_.report(DiagKind::RollupColumnClash, m.name.range, "measure", m.name.text, "min_score",
                    "; rename the measure");
  std::unordered_map<std::string, size_t> names;
  std::vector<std::string> by_candidates, weight_candidates;
  for (const ast::Field& f : card_.fields) {
    if (groups(f.type)) by_candidates.push_back(f.name.text);
    if (f.type == ast::FieldType::Number) weight_candidates.push_back(f.name.text);
  }
  // The field a roll-up names, or -1 after reporting what the name is instead.
  auto field_of = [&](const ast::Name& n, const std::vector<std::string>& candidates) -> int32_t {
    auto it = values_.find(n.text);
    if (it != values_.end() && it->second.kind == ast::Resolution::Field) return it->second.index;
    std::string hint;
    if (it != values_.end()) hint = it->second.kind == ast::Resolution::Param ? ": it is a param" : ": it is a measure";
    else if (n.text == "weight") hint = "; the weight follows the `by` fields with no comma: `by a, b weight w`";
    else hint = did_you_mean(n.text, candidates);
    diags_.report(DiagKind::RollupUnknownField, n.range, n.text, hint);
    return -1;
  };
  for (size_t i = 0; i < card_.rollups.size(); ++i) {
    const ast::Rollup& r = card_.rollups[i];
    if (i == ir::kMaxRollups) diags_.report(DiagKind::TooManyRollups, r.name.range, card_.rollups.size(), ir::kMaxRollups);
    if (auto [it, added] = names.emplace(r.name.text, i); !added) {
      diags_.report(DiagKind::DuplicateName, r.name.range, "roll-up", r.name.text);
      diags_.note(DiagKind::NoteFirstDefined, card_.rollups[it->second].name.range);
    }
    CheckedScorecard::RollupFields out;
    for (size_t b = 0; b < r.by.size(); ++b) {
      const ast::Name& n = r.by[b];
      const int32_t f = field_of(n, by_candidates);
      if (f < 0) continue;
      const ast::FieldType t = card_.fields[f].type;
      if (!groups(t)) {
        // A number in `by` is most often the weight put in the wrong place.
        const std::string hint = t == ast::FieldType::Number && !r.weight
                                     ? fmt::format("; to weigh the accounts by it, write `weight {}`", n.text)
                                     : std::string();
        diags_.report(DiagKind::RollupByType, n.range, n.text, field_kind(t), hint);
        continue;
      }
      if (std::find(out.by.begin(), out.by.end(), f) != out.by.end()) {
        diags_.report(DiagKind::RollupByTwice, n.range, n.text);
        for (size_t earlier = 0; earlier < b; ++earlier)
          if (r.by[earlier].text == n.text) {
            diags_.note(DiagKind::NoteFirstDefined, r.by[earlier].range);
            break;
          }
        continue;
      }
      if (std::find(columns.begin(), columns.end(), n.text) != columns.end()) {
        diags_.report(DiagKind::RollupColumnClash, n.range, "by field", n.text, n.text, clash_hint(card_, n.text));
        continue;
      }
      out.by.push_back(f);
    }
    if (r.weight) {
      const int32_t f = field_of(*r.weight, weight_candidates);
      if (f >= 0 && card_.fields[f].type != ast::FieldType::Number) {
        const ast::FieldType t = card_.fields[f].type;
        const std::string hint = groups(t) ? std::string("; to group by it, list it after `by`") : std::string();
        diags_.report(DiagKind::RollupWeightType, r.weight->range, r.weight->text, field_kind(t), hint);
      } else if (f >= 0) {
        out.weight = f;
      }
    }
    out_.rollups.push_back(std::move(out));
  }
}

}  // namespace healthc::check
