// Loading ahead-of-time compiled scorecards (`healthc compile --emit shared`) without LLVM or
// ANTLR: the artefact is checked (ABI version, CPU features, IR) before any of its code runs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/scorecard.h"

namespace healthc::aot {

struct LoadResult {
  std::shared_ptr<const Scorecard> scorecard;  // null when the artefact cannot be used
  std::string error;                           // why not: what is wrong and what to do
  // Not errors: a variant past the compile budget has no native code and is scored by the
  // reference evaluator from the artefact's IR.
  std::vector<std::string> notes;
};

// An artefact is native code: load only artefacts you would run. Loading checks the bytes read,
// in order, before any code of the file can run: that it is a whole ELF shared object matching
// its trailer checksum, its ABI version (ir::kAbiVersion), that nothing in it runs at load or
// unload (initialisers, IFUNCs, other libraries: docs/embedding.md), every CPU feature it needs
// against this machine, its IR's checksum, that the IR deserializes and verifies. Only then are
// those bytes dlopened; its code is unloaded when the last Scorecard using it is destroyed.
LoadResult load_artefact(const std::string& path);

// Loads an artefact written by `healthc compile --emit shared`; null with `error` set (a
// sentence for a user: what is wrong and what to do) when it cannot be used.
std::shared_ptr<const Scorecard> load(const std::string& path, std::string& error);

// True when the file at `path` is an ELF file (by content, not by name), i.e. something
// `load` should be asked about rather than a .health source.
bool is_artefact(const std::string& path);

}  // namespace healthc::aot
