// The calling convention of a batch scoring function, shared by the runtime (which fills
// it), the reference evaluator and generated code. Plain C layout: generated code reads it
// by offset, so fields are only ever appended.
#pragma once

#include <cstdint>

namespace healthc::ir {

// The version of this calling convention and of the artefact layout (runtime/aot/): bumped
// whenever generated code, BatchColumns/BatchOutputs or the artefact's symbols change
// incompatibly. An artefact compiled for another version is refused, never run.
inline constexpr uint32_t kAbiVersion = 2;

struct TextCell {  // same layout as rt::TextRef
  const char* data;
  uint64_t size;
};

struct BatchColumns {
  const double* const* num;       // [field] -> column of values (null for text fields)
  const uint8_t* const* valid;    // [field] -> column of validity bytes
  const TextCell* const* text;    // [field] -> column of text cells (null for other fields)
  double as_of;                   // days since 1970-01-01
  int64_t rows;
  // v2: [history input] -> column (Program::history); null when the program has none.
  const double* const* history;
  const uint8_t* const* history_valid;
};

// Per-row results. A null detail pointer means "not wanted" (the batch skips that work).
struct BatchOutputs {
  int32_t* segment;   // segment index; the number of segments means `default`
  int32_t* score;     // 0..100, or -1 when unscored
  int32_t* band;      // band index; the number of bands means `unscored`
  int32_t* label;     // label index, or -1
  int32_t* override_; // override index, or -1
  // Detail, [measure * rows + row]:
  double* m_value;
  uint8_t* m_value_valid;
  double* m_score;
  uint8_t* m_score_valid;
  double* m_weight;        // effective weight in the account's model
  uint8_t* m_weight_valid; // 0 where the measure is not in the model or is unscored
  // v2 (each may be null: not wanted):
  int32_t* weighted_score;  // the rounded weighted score before overrides, or -1 when unscored
  uint64_t* alerts_active;  // bit i: Program::alerts[i] is active
  uint64_t* stale;          // bit i: Program::stale_rules[i]'s measure is stale
};

using BatchFn = void (*)(const BatchColumns*, const BatchOutputs*);

}  // namespace healthc::ir
