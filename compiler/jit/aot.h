// Ahead-of-time compilation of a scorecard: both batch function variants, optimised as the JIT
// optimises them, in one object file (or a shared object linked by the system's C compiler),
// with the card's serialized IR and what the loader (runtime/aot/artefact.h) checks.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace healthc::jit {

// The CPU an artefact is compiled for. A service ships one artefact to many machines, so the
// default is a level, not the build machine (docs/embedding.md, "Ahead-of-time cards").
inline constexpr const char* kDefaultAotCpu = "x86-64-v3";
// True for `native`, `x86-64-v2`, `x86-64-v3` and `x86-64-v4`. Inline: the CLI checks --cpu
// before it loads the JIT plugin.
inline bool is_aot_cpu(const std::string& cpu) {
  return cpu == "native" || cpu == "x86-64-v2" || cpu == "x86-64-v3" || cpu == "x86-64-v4";
}

enum class ArtefactKind { Object, Shared };

struct ArtefactOptions {
  ArtefactKind kind = ArtefactKind::Shared;
  std::string cpu = kDefaultAotCpu;
};

struct ArtefactResult {
  std::string error;  // empty on success; a sentence for the user
  // Not errors: a variant past the compile budget is left to the evaluator, and so on.
  std::vector<std::string> notes;
  std::string cpu, features;  // what the artefact records
};

// Writes the artefact for `program` to `path` (replacing it only when everything succeeded;
// through a symlink to its target; never over anything but a regular file).
ArtefactResult write_artefact(const ir::Program& program, const ArtefactOptions& options, const std::string& path);

// The object file's bytes (exposed for tests); `result` gets notes, cpu, features or error.
std::string emit_artefact_object(const ir::Program& program, const ArtefactOptions& options, ArtefactResult& result);

}  // namespace healthc::jit
