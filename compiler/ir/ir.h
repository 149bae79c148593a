// The scoring IR: everything a checked scorecard computes for one account, as straight-line
// code over (value, valid) pairs: the measures, then the account pipeline itself (segment
// choice, weighted means with the redistribution of unscored weight, the pinned rounding,
// overrides, bands, labels, effective weights), ending in named result instructions. Missing
// values and three-valued logic are explicit in every instruction's semantics. The weight
// trees, segments, overrides, bands and labels are also kept as metadata for explain, output
// and lint. Knows nothing of ANTLR or LLVM; read by the evaluator (eval/) and codegen.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace healthc::ir {

// Every instruction yields a (value, valid) pair. Bools are 0/1 values; enums hold the member
// index; dates days since 1970-01-01. An arithmetic result that is not finite is missing.
enum class Op : uint8_t {
  Const,        // imm, valid
  Missing,      // never valid
  Load,         // field `a`: the column's value and validity (text: validity only)
  AsOf,         // the run's as-of date, in days
  Neg, Add, Sub, Mul, Div,            // Div: missing when b == 0
  Min, Max, Abs, Round, Log, Sqrt,    // Log: missing unless a > 0; Sqrt: missing when a < 0
  PctChange,                          // (a - b) / b, missing when b == 0
  Clamp,                              // a limited to [b, c]
  Coalesce,                           // a if valid, else b
  Eq, Ne, Lt, Le, Gt, Ge,             // three-valued: unknown when either side is missing
  TextEq,       // text field `a` == text field `b` (aux 0) or == string `b` (aux 1); unknown if missing
  And, Or, Not,                       // Kleene logic
  IsMissing,    // valid; value 1 when `a` is missing
  Select,       // `a` true ? b : c (unknown takes c)
  Guard,        // b's value, valid only when both a and b are
  ClampScore,   // a clamped to [0, 100]; missing when a is NaN
  OrElse,       // a if valid, else imm (a measure's `missing = N`)
  // The account pipeline (spec "The account's score").
  WeightedSum,  // a level's running sum: a + imm * b when b (a child's score) is valid, else a
  WeightSum,    // a level's running weight: a + imm when b is valid, else a
  Mean,         // a / b; valid when b > 0 and the mean is finite (no scored child: unscored)
  EffectiveWeight,  // (a * imm) / b: a node's weight imm within its level (a: the level's own
                    // weight, b: the level's running weight); valid when a and c (its score) are
  RoundScore,   // floor((a + 0.5) + 1e-9), the pinned rounding; valid only within 0..100
  BandOf,       // the band holding score a (bands ascend by `from`); the band count if a is missing
  // v2: the past (spec "Reading the past in expressions").
  History,      // history input `a` (Program::history): the column's value and validity
};

inline constexpr int kOpCount = static_cast<int>(Op::History) + 1;

const char* op_name(Op op);
int op_arity(Op op);

struct Inst {
  Op op = Op::Const;
  uint32_t a = 0, b = 0, c = 0;
  double imm = 0;
  uint32_t aux = 0;
};

inline constexpr uint32_t kNone = UINT32_MAX;

// A contiguous run of instructions; results are referred to by global index.
struct Block {
  uint32_t begin = 0, end = 0;
};

enum class ValueKind : uint8_t { Number, Bool, Enum, None };

struct Measure {
  std::string name, title;
  bool subjective = false;
  ValueKind value_kind = ValueKind::None;
  int32_t enum_field = -1;
  uint32_t value = kNone;  // instruction of the value, or kNone when the measure has none
  uint32_t score = kNone;  // instruction of the final score (clamped, missing policy applied)
  uint32_t weight = kNone; // instruction of the effective weight in the account's model (detail
                           // block), or kNone when the measure is in no model
};

struct WeightNode {
  std::string name, title;
  int32_t measure = -1;  // >= 0 for a measure; groups have children
  double weight = 0;
  std::vector<WeightNode> children;
};

struct Model {
  std::string name;
  std::vector<WeightNode> roots;
};

struct Segment {
  std::string name, title;
  uint32_t condition = kNone;
  int32_t model = 0;
};

enum class ActionKind : uint8_t { Score, Cap, Floor, Band };

struct Override {
  std::string name, title;
  std::vector<int32_t> segments;  // empty: any; a segment index, or -1 for `default`
  uint32_t condition = kNone;
  ActionKind action = ActionKind::Score;
  int32_t amount = 0;  // Score/Cap/Floor
  int32_t band = -1;   // Band
};

struct Band {
  std::string name, title, color;
  int32_t from = 0, to = 100;  // inclusive integer range
};

struct Label {
  std::string name, title;
  uint32_t condition = kNone;  // kNone: `otherwise`
};

// v2: one value read from a past snapshot, filled per row by the history source
// (runtime/history/) into BatchColumns::history[index] before the batch runs; missing where
// there is no store, no such snapshot, the account is not in it, or the value there is missing.
enum class HistoryKind : uint8_t {
  FinalScore,     // the final score (`previous.score`; `change(score, N)` in labels and alerts)
  WeightedScore,  // the rounded weighted score, before overrides (`change(score, N)` in overrides)
  Segment,        // the segment, as an index of this Program (the count: `default`)
  Band,           // the band, as an index of this Program (the count: `unscored`)
  Label,          // the label index (kNoLabel, -1: no label)
  Override,       // the override index (kNoOverride, -1: `none`)
  MeasureScore,   // measure `measure`'s score
  MeasureValue,   // measure `measure`'s value (number, bool 0/1, enum member index)
};

// Names in the store are mapped to this Program's indexes by name; a name this card no longer
// has maps to kNoSuchName, which equals no index.
inline constexpr double kNoSuchName = -2;

struct HistoryInput {
  HistoryKind kind = HistoryKind::FinalScore;
  int32_t measure = -1;  // MeasureScore / MeasureValue
  // -1: the previous snapshot (the latest whose as-of date is before the run's); N >= 0: the
  // latest snapshot whose as-of date is at or before as_of - N days and before as_of
  // (`change(X, N days)`; N = 0 is the previous snapshot).
  int32_t days_back = -1;
  bool operator==(const HistoryInput&) const = default;
};

enum class Severity : uint8_t { Info, Low, Medium, High, Critical };

// v2: `alert NAME ["Title"] [for SEGMENT, ...] when COND [severity LEVEL]`. Every alert whose
// `for` list holds the account's segment and whose condition is true is active (bit i of
// BatchOutputs::alerts_active); firing (active now, not active in the previous snapshot) is
// decided by the history sink, which knows the previous snapshot.
struct Alert {
  std::string name, title;
  std::vector<int32_t> segments;  // empty: any; a segment index, or -1 for `default`
  uint32_t condition = kNone;     // in alerts_block
  Severity severity = Severity::Medium;
};
inline constexpr size_t kMaxAlerts = 64;

// v2: `measure M subjective stale after N days of DATEFIELD`: the measure is stale (unscored,
// its value still computed) where the date field is missing or more than N days before as-of.
struct StaleRule {
  int32_t measure = -1;
  int32_t date_field = -1;
  int32_t days = 0;
  uint32_t stale = kNone;  // instruction: valid, 1 when stale (in measures_block)
};
inline constexpr size_t kMaxStaleRules = 64;

enum class FieldType : uint8_t { Number, Bool, Text, Date, Enum };

struct Field {
  std::string name;
  FieldType type = FieldType::Number;
  bool optional = false;
  std::vector<std::string> members;
  // v2 "Real-world names": members[i] as the data spells it (`monthly = "Month-to-month"`),
  // read from the data only as that exact text; empty when every member is spelled as its name,
  // else members.size() long. Read through ir::member_spelling (conventions.h).
  std::vector<std::string> spellings;
};

// v2: `rollup NAME ["Title"] by FIELD[, FIELD ...] [weight FIELD]` (spec "Roll-ups"): groups a
// run's accounts by the `by` fields' values; computed by the roll-up sink
// (runtime/analysis/rollup.h), not by the engines.
struct Rollup {
  std::string name, title;
  std::vector<int32_t> by;  // field indices (text, enum or bool fields), in the card's order
  int32_t weight = -1;      // a number field's index, or -1: every account weighs 1
};
inline constexpr size_t kMaxRollups = 64;

// The instructions whose values are the per-row results (ir::BatchOutputs); each is valid
// except `score` when the account is unscored.
struct Results {
  uint32_t segment = kNone;         // segment index; the number of segments means `default`
  uint32_t weighted_score = kNone;  // the rounded weighted score, before overrides
  uint32_t score = kNone;           // the final score
  uint32_t band = kNone;            // band index; the number of bands means `unscored`
  uint32_t label = kNone;           // label index, or -1
  uint32_t override_ = kNone;       // override index, or -1
};

struct Program {
  std::string title;
  std::vector<Field> fields;
  int32_t key_field = -1;
  std::vector<std::string> strings;  // text literals, for TextEq
  // The code, in five consecutive blocks that cover it. A run executes them in order; the
  // basic variant skips the detail block, which nothing outside it reads.
  std::vector<Inst> code;
  Block measures_block;   // every measure's value and score, and segment conditions
  Block account_block;    // segment and model choice, weighted means, rounding, the score's band
  Block detail_block;     // each measure's effective weight in the account's model
  Block overrides_block;  // override conditions and the first-match chain, the final band
  Block labels_block;     // label conditions and the first-match chain
  Block alerts_block;     // v2: alert conditions (after the label, which they may read)
  Results results;
  std::vector<Measure> measures;
  std::vector<Model> models;
  int32_t default_model = 0;
  std::vector<Segment> segments;
  std::vector<Override> overrides;
  std::vector<Band> bands;
  std::vector<Label> labels;
  // v2
  std::vector<HistoryInput> history;  // distinct; Op::History reads history[a]
  std::vector<Alert> alerts;          // file order; bit i of alerts_active is alerts[i]
  std::vector<StaleRule> stale_rules; // file order of their measures; bit i of stale is stale_rules[i]
  std::vector<Rollup> rollups;        // file order
};

// A human-readable listing (`healthc compile --emit ir`).
std::string print(const Program& p);

}  // namespace healthc::ir
