// The scorecard AST: plain C++ types with source ranges, built by compiler/syntax/ and read by
// every later stage. The checker fills the `resolved`/`type` annotations in place.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/types.h"
#include "compiler/diag/source.h"

namespace healthc::ast {

struct Name {
  std::string text;
  SourceRange range;
};

enum class ExprKind : uint8_t {
  Number,      // number
  String,      // text
  Bool,        // number (0/1)
  NameRef,     // text: a field, param, enum member, band or segment name (resolved by the checker)
  MeasureRef,  // text: measure; member_is_score tells `.score` from `.value`
  ValueRef,    // `value` inside a measure
  ScoreRef,    // the account's score (overrides, labels)
  BandRef,     // the account's band (overrides, labels)
  SegmentRef,  // the account's segment (overrides, labels)
  LabelRef,    // the account's label (alerts)
  Previous,    // v2 `previous.X`: past; text: the measure for MeasureScore/MeasureValue
  Change,      // v2 `change(X, N days)`: args[0] is X, number the window in days
  Neg,
  Not,
  Binary,     // op
  In,         // args[0] in args[1..]; negated for `not in`
  IsMissing,  // negated for `is not missing`
  If,         // args: condition, then, else
  Call,       // text: function name
  Error,      // a piece the parser could not read; checks stay quiet about it
};

// What `previous.X` reads (spec "Reading the past in expressions").
// Unknown: `previous.NAME` without `.score`/`.value`, which the checker reports.
enum class PastKind : uint8_t { Score, Band, Label, Segment, Override, MeasureScore, MeasureValue, Unknown };

enum class BinOp : uint8_t { Add, Sub, Mul, Div, Eq, Ne, Lt, Le, Gt, Ge, And, Or };
const char* spelling(BinOp op);

// What a NameRef (or MeasureRef) turned out to name.
struct Resolution {
  enum Kind : uint8_t { None, Field, Param, Measure, EnumMember, Band, Segment, Label, Override } kind = None;
  // Into the scorecard's vector of that kind; member index for EnumMember; for Override, -1
  // is `none` (`previous.override == none`).
  int32_t index = -1;
};

struct Expr {
  ExprKind kind = ExprKind::Error;
  SourceRange range;
  double number = 0;
  std::string text;
  BinOp op = BinOp::Add;
  bool negated = false;
  bool member_is_score = false;
  PastKind past = PastKind::Score;  // Previous
  SourceRange name_range;  // the name part of a Call or MeasureRef; what follows `previous.`
  SourceRange window_range;  // Change: the `N days` part
  std::vector<std::unique_ptr<Expr>> args;

  // Checker annotations.
  Type type;
  Resolution resolved;
  int32_t function = -1;  // index into stdlib's builtin table for Call
};
using ExprPtr = std::unique_ptr<Expr>;

struct LinearPoint {
  double x = 0, score = 0;
  SourceRange range;
};
struct RangeArm {
  std::optional<double> lo, hi;
  double score = 0;
  SourceRange range;
};
struct MatchArm {
  enum Kind : uint8_t { Name, String, True, False, Wildcard, Number } kind = Wildcard;  // Number: never fits
  std::string text;
  double score = 0;
  SourceRange range;
  int32_t member = -1;  // checker: enum member index, or 0/1 for bools
};

struct Scoring {
  enum Kind : uint8_t { Linear, Ranges, Match, Expr } kind = Expr;
  SourceRange range;
  ExprPtr subject;  // the X of linear/ranges/match, or the whole expression
  std::vector<LinearPoint> points;
  std::vector<RangeArm> ranges;
  std::vector<MatchArm> arms;
};

enum class FieldType : uint8_t { Number, Bool, Text, Date, Enum };

struct Field {
  Name name;
  FieldType type = FieldType::Number;
  std::vector<Name> members;
  // v2: members[i] as the data spells it (`monthly = "Month-to-month"`); empty, or as long as
  // `members` with a text-less range where a member has no `= "..."`.
  std::vector<Name> spellings;
  bool optional = false;
  bool key = false;
  SourceRange type_range;
  SourceRange key_range;
  SourceRange optional_range;
  SourceRange range;
};

struct Param {
  Name name;
  double value = 0;
  SourceRange value_range;
  SourceRange range;
};

struct Band {
  Name name;
  double from = 0;
  SourceRange from_range;
  Name color;
  std::string title;
  SourceRange range;
};

// v2 `stale after N days of DATEFIELD`.
struct StaleAfter {
  double days = 0;  // weeks already multiplied out
  SourceRange days_range;  // `N days`
  Name field;
  SourceRange range;
};

struct Measure {
  Name name;
  std::string title;
  bool subjective = false;
  std::optional<StaleAfter> stale;
  ExprPtr value;  // null when the measure has no `value =`
  std::optional<Scoring> score;
  enum class Missing : uint8_t { Unscored, Score } missing = Missing::Unscored;
  double missing_score = 0;
  SourceRange missing_range;  // empty when there is no `missing =`
  SourceRange range;
};

struct ModelEntry {
  enum Kind : uint8_t { Measure, Group, Drop } kind = Measure;
  Name name;
  std::string title;
  std::optional<double> weight;
  SourceRange weight_range;
  std::vector<ModelEntry> children;
  SourceRange range;
};

struct Model {
  Name name;
  std::optional<Name> base;
  std::vector<ModelEntry> entries;
  SourceRange range;
};

struct Segment {
  Name name;
  std::string title;
  ExprPtr condition;
  Name model;
  SourceRange range;
};

enum class ActionKind : uint8_t { Score, Cap, Floor, Band };

struct Override {
  Name name;
  std::string title;
  std::vector<Name> segments;  // `for` list; empty means every segment
  ExprPtr condition;
  ActionKind action = ActionKind::Score;
  double amount = 0;
  SourceRange amount_range;
  bool amount_percent = false;  // written as a percentage (`50%`): a fraction, never points
  Name band;  // for ActionKind::Band
  SourceRange range;
};

struct Label {
  Name name;
  std::string title;
  ExprPtr condition;  // null for `otherwise`
  SourceRange range;
};

// v2 `alert NAME ["Title"] [for SEGMENT, ...] when COND [severity LEVEL]`.
struct Alert {
  Name name;
  std::string title;
  std::vector<Name> segments;  // `for` list; empty means every segment
  ExprPtr condition;
  Name severity;  // empty text: no `severity` (medium)
  SourceRange range;
};

// v2 `rollup NAME ["Title"] by FIELD[, FIELD ...] [weight FIELD]`.
struct Rollup {
  Name name;
  std::string title;
  std::vector<Name> by;
  std::optional<Name> weight;
  SourceRange range;
};

struct Scorecard {
  std::string title;
  SourceRange title_range;
  bool has_header = false;
  std::vector<Field> fields;
  std::vector<Param> params;
  std::vector<Band> bands;
  std::vector<Measure> measures;
  std::vector<Model> models;
  std::vector<Segment> segments;
  std::vector<Override> overrides;
  std::vector<Label> labels;
  std::vector<Alert> alerts;
  std::vector<Rollup> rollups;
  SourceRange fields_block;  // empty when there is none
  SourceRange bands_block;
};

}  // namespace healthc::ast
