// First-card slips on the token stream (`&&`, `=` in a condition, `group value`, `numbr`,
// `mesure`, ...): reported with a fix-it, then rewritten to what was meant so nothing cascades.
// Internal to compiler/syntax/.
#pragma once

#include <antlr4-runtime.h>

#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/screen.h"

namespace healthc::syntax {

void repair_slips(antlr4::CommonTokenStream& tokens, const OffsetMap& map, DiagnosticList& diags,
                  const antlr4::dfa::Vocabulary& vocabulary);

}  // namespace healthc::syntax
