// Text -> AST. The only interface to the ANTLR-generated parser: nothing past this header
// sees ANTLR types. Syntax errors are reported as diagnostics and parsing recovers, so one
// run reports every syntax error in the file.
#pragma once

#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/diag/source.h"

namespace healthc::syntax {

struct ParseResult {
  ast::Scorecard card;
  bool syntax_ok = true;  // false when the parser reported anything
  bool skipped = false;   // true when the input was too hostile to parse at all
  // Where a syntax error broke a declaration: from the error to the next declaration. The
  // checker's errors there are the error's cascade, not mistakes of their own.
  std::vector<SourceRange> broken;
};

ParseResult parse(const SourceFile& file, DiagnosticList& diags);

// What says which parser this process reads cards with, beside the module's build id (the
// program cache's key, compiler/jit/program_cache.h): empty where the parser is linked in; for
// the binary, whose parser is the plugin libhealthc_syntax.so (plugin_loader.cpp), the file that
// would be loaded, its size and change time, so a rebuilt or replaced plugin misses the cache.
std::string parser_identity();

// A name as card text writes it: in backquotes when it is a keyword (`` `value` ``), else as is.
// For code that writes card text (tune's card writer).
std::string written_name(const std::string& name);

// Limits that keep the recursive-descent parser and the recursive stages after it within the
// stack on any input.
inline constexpr int kMaxNesting = 256;
inline constexpr int kMaxOperatorsPerDeclaration = 4096;

}  // namespace healthc::syntax
