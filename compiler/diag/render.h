// Renders diagnostics for people (file:line:col, the line, a caret underline, notes) and for
// machines (JSON objects with the same content).
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/diag/source.h"

namespace healthc {

struct RenderOptions {
  bool color = false;
};

std::string render_text(const SourceFile& file, const Diagnostic& d, const RenderOptions& opts);
// One JSON object (a single line) per diagnostic.
std::string render_json(const SourceFile& file, const Diagnostic& d);

}  // namespace healthc
