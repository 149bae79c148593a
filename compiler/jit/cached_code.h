// A cache hit without the JIT (issue 18 item 3): the cached object of a program's variant,
// found by the same key the JIT stores it under (cache_key.h), verified (object_cache.h) and
// loaded by the LLVM-free loader (object_loader.h). The CLI tries this before it loads the JIT
// plugin; only a miss (or an entry this loader cannot load) needs LLVM.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/jit/jit.h"
#include "runtime/scorecard.h"

namespace healthc::jit {

struct CachedLookup {
  std::optional<NativeCode> code;  // set on a hit that loaded
  std::vector<std::string> notes;  // a damaged entry that was discarded, and the like
};

CachedLookup load_cached(const ir::Program& program, Variant variant, const CacheOptions& cache);

}  // namespace healthc::jit
