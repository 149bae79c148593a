// The whole front end in one call: read a .health file, parse, check. What every command
// (check, lint, compile, score) starts from.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "compiler/ast/ast.h"
#include "compiler/check/check.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/diag/source.h"

namespace healthc {

struct FrontendResult {
  std::unique_ptr<SourceFile> file;  // null when the file could not be read
  std::string read_error;            // why it could not be read
  ast::Scorecard card;
  check::CheckResult checked;
  DiagnosticList diags;  // sorted by position, capped at kMaxErrors errors
  bool ok() const { return file && checked.ok && !diags.has_errors(); }
};

inline constexpr size_t kMaxErrors = 100;

// Reads `path` ("-" for standard input) and runs the front end over it.
FrontendResult run_frontend(const std::string& path);
// Runs the front end over text already in memory (tests, the embedding API).
FrontendResult run_frontend_text(std::string path, std::string text);

}  // namespace healthc
