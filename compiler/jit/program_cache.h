// The cache in front of the front end (issue 18 item 3): a card's exact bytes, its --param
// overrides and the build of healthc that read it, mapped to the lowered program (ir's binary
// form). A hit skips parsing, checking and lowering; the program's native code is then found
// by the compiled-code cache as always (cached_code.h). Kept beside the objects, in the same
// verified entry format (object_cache.h); a program read back is deserialized and verified
// (ir/serialize.h), so a damaged entry is a miss, never a wrong program.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/jit/jit.h"

namespace healthc::jit {

// Bump when the key's inputs or the entry's layout change.
inline constexpr const char* kProgramCacheVersion = "healthc-program-cache-1";

// The GNU build id of the healthc binary (or library) this code is linked into, as hex: it
// changes with any change to the front end or lowering. Empty when the build has none (then
// nothing is cached: nothing else says which compiler read the card).
const std::string& build_id();

// Hex SHA-256 of the cache version, the build id, the parser's identity (syntax::parser_identity:
// the binary's parser is a plugin, outside its build id), the card's bytes and the overrides (name and
// the value's bits, in the order given: a later one wins). Empty when build_id() is.
std::string program_key(std::string_view card_text, const std::vector<std::pair<std::string, double>>& params,
                        std::string_view parser);

// The cached program for `key`, verified; nullopt on a miss, a damaged entry (deleted) or an
// untrusted cache directory (the compiled-code cache says so when it looks there).
std::optional<ir::Program> load_program(const CacheOptions& cache, const std::string& key);
// Stores the lowered program under `key`. Failing to is not an error: the next run misses.
void store_program(const CacheOptions& cache, const std::string& key, const ir::Program& program);

}  // namespace healthc::jit
