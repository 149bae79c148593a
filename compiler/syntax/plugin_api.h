// The parser's entry points as one table (issue 18 item 3): everything that sees ANTLR (the
// parser, the keyword list behind written_name, the formatter) is linked into libhealthc.so,
// the tests and the benchmarks directly, and into the `healthc` binary only as the plugin
// libhealthc_syntax.so, dlopened by the first call that parses (plugin_loader.cpp). So a command
// that parses nothing (a cached card's `score`, `history`, `--version`) starts without loading
// the ANTLR runtime or running the generated parser's static initialisers (the ATN's
// deserialisation).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "compiler/diag/diagnostic.h"
#include "compiler/diag/source.h"
#include "compiler/format/format.h"
#include "compiler/syntax/parse.h"

namespace healthc::syntax {

// Bump when the table or a type it passes changes incompatibly.
inline constexpr uint32_t kPluginAbi = 1;

struct Api {
  uint32_t abi = kPluginAbi;
  // plugin_build(): the binary and the plugin must come from the same build, since the table
  // passes C++ types (std::string, the AST, diagnostics) between them.
  const char* build = nullptr;
  ParseResult (*parse)(const SourceFile& file, DiagnosticList& diags) = nullptr;
  std::string (*written_name)(const std::string& name) = nullptr;
  format::FormatResult (*format_card)(std::string path, std::string_view text) = nullptr;
};

// What identifies a build: healthc's version (HEALTHC_SYNTAX_BUILD_ID, set by compiler/CMakeLists.txt
// on both sides), the compiler and the sizes of the types the table passes.
#ifdef HEALTHC_SYNTAX_BUILD_ID
inline std::string plugin_build() {
  return std::string(HEALTHC_SYNTAX_BUILD_ID) + " " + __VERSION__ + " " + std::to_string(sizeof(ParseResult)) + "/" +
         std::to_string(sizeof(ast::Scorecard)) + "/" + std::to_string(sizeof(DiagnosticList)) + "/" +
         std::to_string(sizeof(Diagnostic)) + "/" + std::to_string(sizeof(SourceFile)) + "/" +
         std::to_string(sizeof(format::FormatResult)) + "/" + std::to_string(sizeof(std::string));
}
#endif

// The binary's parser could not be loaded (missing, or another build's): the message names the
// path and what to do. Thrown by the binary's forwarders only; main() reports it (exit 1).
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace healthc::syntax

// The plugin's one exported symbol: the table when `abi` is the caller's kPluginAbi, else null.
#define HEALTHC_SYNTAX_PLUGIN_ENTRY "healthc_syntax_plugin_v1"
extern "C" const healthc::syntax::Api* healthc_syntax_plugin_v1(uint32_t abi);
