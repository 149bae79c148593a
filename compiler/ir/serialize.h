// The IR's binary form, for ahead-of-time artefacts: a versioned, compact, deterministic
// encoding of an ir::Program (doubles bit-exact, little-endian). Reading never trusts the
// bytes: every length and index is range-checked and the result passes ir::verify, so a
// damaged or hostile blob is an error, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "compiler/ir/ir.h"

namespace healthc::ir {

// Bumped whenever the encoding or the meaning of a Program changes.
inline constexpr uint32_t kSerialVersion = 5;  // 3: v2 history, alerts, stale rules; 4: enum spellings; 5: roll-ups

std::string serialize(const Program& p);
// Fills `out` and returns true, or returns false with `error` saying what is wrong.
bool deserialize(std::string_view bytes, Program& out, std::string& error);

}  // namespace healthc::ir
