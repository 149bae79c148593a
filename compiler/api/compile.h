// The compiling half of the library: a .health card through the front end, lowering and the
// JIT (or the evaluator) to a Scorecard (runtime/scorecard.h). The CLI, the C API's hc_compile
// and the tests compile cards here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/frontend.h"
#include "runtime/scorecard.h"

namespace healthc {

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

// compile_scorecard for a run that needs only the program (`healthc score`): when the program
// cache (compiler/jit/program_cache.h) holds the lowered program of these exact bytes and
// params, the front end is skipped (no parse, no check, no lowering) and the card's source()
// is null; `card_text` is the card's bytes either way (empty when `front` says it could not be
// read). A miss runs the front end and stores the program (when options.use_cache).
CompileOutcome compile_scorecard_cached(const std::string& path, const CompileOptions& options, std::string& card_text);

// The JIT as a Scorecard's code generator, with the on-disk cache as `options` say.
NativeCompiler jit_compiler(const CompileOptions& options);

}  // namespace healthc
