// The embedding API: compile a scorecard once, then score column blocks or single accounts
// from any number of threads. The `healthc` command itself is built on this.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/frontend.h"
#include "compiler/ir/batch_abi.h"
#include "compiler/ir/ir.h"
#include "runtime/io/column_block.h"
#include "runtime/io/schema.h"

namespace healthc {

enum class Engine { Jit, Evaluator };

struct CompileOptions {
  std::vector<std::pair<std::string, double>> params;  // --param NAME=VALUE overrides
  Engine engine = Engine::Jit;
};

// Per-row results of a block (see ir::BatchOutputs for the encodings).
struct BlockScores {
  size_t rows = 0;
  bool detail = false;
  std::vector<int32_t> segment, score, band, label, override_;
  std::vector<double> m_value, m_score, m_weight;  // [measure * rows + row], when detail
  std::vector<uint8_t> m_value_valid, m_score_valid, m_weight_valid;
  void resize(size_t rows, size_t measures, bool detail);
  ir::BatchOutputs outputs();
};

class Scorecard {
 public:
  const ir::Program& program() const { return program_; }
  const FrontendResult& source() const { return *front_; }
  Engine engine() const { return engine_; }
  // The reader schema for this card's fields; `extra` names non-field columns to keep.
  rt::Schema schema(std::vector<std::string> extra = {}) const;
  // Scores every row of `block`. Thread-safe; `out` belongs to the caller.
  void score(const rt::ColumnBlock& block, double as_of, bool detail, BlockScores& out) const;

 private:
  friend struct ScorecardBuilder;
  std::unique_ptr<FrontendResult> front_;
  ir::Program program_;
  Engine engine_ = Engine::Jit;
  std::shared_ptr<void> native_;  // the JIT's code; kept alive with the scorecard
  ir::BatchFn basic_ = nullptr, detail_ = nullptr;
};

struct CompileOutcome {
  std::shared_ptr<const Scorecard> scorecard;  // null when the card has errors or `error` is set
  std::unique_ptr<FrontendResult> front;       // diagnostics, when the card has errors
  std::string error;                           // a usage or JIT failure (not a card error)
};

CompileOutcome compile_scorecard(const std::string& path, const CompileOptions& options);
CompileOutcome compile_scorecard_text(const std::string& name, const std::string& text, const CompileOptions& options);

}  // namespace healthc
