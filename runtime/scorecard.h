// The compiled scorecard inside the library: a card's program plus the native code (or the
// evaluator) that scores it; score column blocks from any number of threads. Needs neither the
// front end nor LLVM: the compiling half (compiler/api/compile.h) installs the JIT as a
// NativeCompiler, an ahead-of-time artefact (runtime/aot/) gives its functions directly.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ir/batch_abi.h"
#include "compiler/ir/ir.h"
#include "runtime/io/column_block.h"
#include "runtime/io/schema.h"

namespace healthc {

struct FrontendResult;  // compiler/frontend.h: only the compiling half knows the type

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

// v2: the past values a block's rows read (ir::Program::history), [history input][row], filled
// by a HistoryProvider (runtime/history/) before the block is scored. Empty when the program
// reads no history; a run without a store leaves every value missing.
struct HistoryColumns {
  std::vector<std::vector<double>> values;
  std::vector<std::vector<uint8_t>> valid;
};

// Fills a block's history columns from the past snapshots (keyed by the block's key field).
// Called on worker threads, concurrently for different blocks.
class HistoryProvider {
 public:
  virtual ~HistoryProvider() = default;
  virtual void fill(const rt::ColumnBlock& block, HistoryColumns& out) const = 0;
};

// Per-row results of a block (see ir::BatchOutputs for the encodings).
struct BlockScores {
  size_t rows = 0;
  bool detail = false;
  std::vector<int32_t> segment, score, band, label, override_;
  std::vector<double> m_value, m_score, m_weight;  // [measure * rows + row], when detail
  std::vector<uint8_t> m_value_valid, m_score_valid, m_weight_valid;
  // v2, always [row]: the weighted score before overrides (-1 unscored); bit i of an alert mask
  // is Program::alerts[i] being active, of a stale mask Program::stale_rules[i] (zero when the
  // card has none).
  std::vector<int32_t> weighted_score;
  std::vector<uint64_t> alerts_active, stale;
  // Whether a card with alerts or stale rules wrote the masks (so a card without them must
  // zero them): a v1 card's run never touches them, which keeps its output traffic as it was.
  bool masks_written = false;
  void resize(size_t rows, size_t measures, bool detail);
  ir::BatchOutputs outputs();
};

// The native code of one variant of a program (0 basic, 1 detail), or why there is none.
struct NativeCode {
  ir::BatchFn fn = nullptr;
  std::shared_ptr<void> owner;  // keeps `fn`'s code loaded (a JIT, a dlopen handle)
  std::string error;            // code generation failed
  bool use_evaluator = false;   // past the compile budget: the evaluator scores, not an error
  std::vector<std::string> notes;
};

// Makes a variant's native code; called at most once a variant, possibly from any thread.
using NativeCompiler = std::function<NativeCode(const ir::Program& program, int variant)>;

class Scorecard {
 public:
  // A card whose native code `compiler` makes on first use of each variant (with
  // Engine::Evaluator, or an empty `compiler`, the evaluator scores). `source` may be null.
  static std::shared_ptr<Scorecard> make(ir::Program program, std::shared_ptr<const FrontendResult> source,
                                         Engine engine, NativeCompiler compiler);
  // An ahead-of-time compiled card: both variants' functions given; `owner` keeps their code
  // loaded (a dlopen handle). No source (source() is null), engine Jit.
  static std::shared_ptr<const Scorecard> make_native(ir::Program program, ir::BatchFn basic, ir::BatchFn detail,
                                                      std::shared_ptr<void> owner);

  const ir::Program& program() const { return program_; }
  // The front end's result the card was compiled from; null for an ahead-of-time card.
  const FrontendResult* source() const { return front_.get(); }
  Engine engine() const { return engine_; }
  // The reader schema for this card's fields; `extra` names non-field columns to keep.
  rt::Schema schema(std::vector<std::string> extra = {}) const;
  // Scores every row of `block`. Thread-safe; `out` belongs to the caller. The past values
  // the rows read are all missing (no store).
  void score(const rt::ColumnBlock& block, double as_of, bool detail, BlockScores& out) const;
  // The same with the block's history columns (the program's history inputs, each `block.rows`
  // long); null or empty: every past value missing. Columns of another shape are a caller's
  // bug: std::invalid_argument.
  void score(const rt::ColumnBlock& block, double as_of, bool detail, const HistoryColumns* history,
             BlockScores& out) const;
  // Scores columns already laid out for the batch ABI (the C API's zero-copy path). Thread-safe.
  // Null history columns, for a program that reads history, read as all missing.
  void score(const ir::BatchColumns& in, bool detail, const ir::BatchOutputs& out) const;
  // Makes the native code of `variant` now if not yet made; what came of it.
  const NativeCode& prepare(int variant) const;

  Scorecard() = default;
  Scorecard(const Scorecard&) = delete;
  Scorecard& operator=(const Scorecard&) = delete;

 private:
  std::shared_ptr<const FrontendResult> front_;
  ir::Program program_;
  Engine engine_ = Engine::Jit;
  NativeCompiler compiler_;
  struct Native {
    std::once_flag once;
    NativeCode code;
  };
  mutable Native native_[2];
};

}  // namespace healthc
