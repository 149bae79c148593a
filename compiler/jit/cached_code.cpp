// The LLVM-free cache hit (cached_code.h).
#include "compiler/jit/cached_code.h"

#include "compiler/codegen/function_names.h"
#include "compiler/jit/cache_key.h"
#include "compiler/jit/object_cache.h"
#include "compiler/jit/object_loader.h"

namespace healthc::jit {

CachedLookup load_cached(const ir::Program& program, Variant variant, const CacheOptions& cache) {
  CachedLookup out;
  if (!cache.enabled) return out;
  const std::string dir = cache_dir(cache);
  if (dir.empty()) return out;
  const ObjectCache store(dir, cache_key(program, variant));
  ObjectCache::Lookup hit = store.load();
  if (!hit.note.empty()) out.notes.push_back(hit.note);
  if (!hit.hit) return out;
  LoadedFunction fn = load_object_function(
      hit.object, variant == Variant::Basic ? codegen::kBasicFunction : codegen::kDetailFunction);
  // Not loadable here (a relocation this loader does not know): the JIT loads the same entry.
  if (!fn.address) return out;
  NativeCode code;
  code.fn = reinterpret_cast<ir::BatchFn>(fn.address);
  code.owner = std::move(fn.owner);
  code.notes = std::move(out.notes);
  out.code = std::move(code);
  return out;
}

}  // namespace healthc::jit
