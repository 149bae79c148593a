// The compiled scorecard inside the library: compile a card once, then score column blocks
// from any number of threads. The CLI, the C API (include/healthc/healthc.h) and the tests use it.
#pragma once

#include <memory>
#include <mutex>
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
  bool use_cache = true;   // reuse compiled code from the on-disk cache (see jit::CacheOptions)
  std::string cache_dir;   // empty: the default place
  // The batch function variant to compile up front (so code generation errors surface at
  // compile time); the other one is compiled on first use.
  bool eager_detail = false;
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
  // The native function of a variant (0 basic, 1 detail), compiled on first use.
  ir::BatchFn native(int variant) const;

  std::unique_ptr<FrontendResult> front_;
  ir::Program program_;
  Engine engine_ = Engine::Jit;
  bool use_cache_ = true;
  std::string cache_dir_;
  struct Native {
    std::once_flag once;
    std::shared_ptr<void> code;  // the JIT that owns the function
    ir::BatchFn fn = nullptr;
    std::string error;
    bool use_evaluator = false;  // past the compile budget (jit::kCompileBudget)
    std::vector<std::string> notes;
  };
  mutable Native native_[2];
};

struct CompileOutcome {
  std::shared_ptr<const Scorecard> scorecard;  // null when the card has errors or `error` is set
  std::unique_ptr<FrontendResult> front;       // diagnostics, when the card has errors
  std::string error;                           // a usage or JIT failure (not a card error)
  // For the user's stderr, not errors: a damaged cache entry was discarded, or the card is
  // too large to compile and is scored by the evaluator.
  std::vector<std::string> notes;
};

CompileOutcome compile_scorecard(const std::string& path, const CompileOptions& options);
CompileOutcome compile_scorecard_text(const std::string& name, const std::string& text, const CompileOptions& options);

}  // namespace healthc
