// `healthc fmt`: the one canonical layout of a card (aligned weights and arrows, one blank line
// between declarations, comments kept). Used by the fmt command and the language server.
#pragma once

#include <string>
#include <string_view>

#include "compiler/diag/diagnostic.h"

namespace healthc::format {

struct FormatResult {
  bool ok = false;       // false when the card does not parse: `text` is then the input as given
  std::string text;      // the formatted card
  DiagnosticList diags;  // the syntax errors that stopped formatting (positions in the input)
};

// Formats a card's text. Idempotent (formatting the result gives it back) and meaning-preserving
// (the formatted card compiles to the same program).
FormatResult format_card(std::string path, std::string_view text);

}  // namespace healthc::format
