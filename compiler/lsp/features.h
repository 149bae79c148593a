// The language features over one document's analysis, each returning the LSP result as JSON:
// diagnostics, hover, definition, references, document symbols, completion, formatting and
// code actions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "compiler/lsp/analysis.h"

namespace healthc::stdlib {
struct BuiltinInfo;
}

namespace healthc::lsp {

// Where a diagnostic's code is explained (codeDescription.href).
std::string code_href(const std::string& code);

// The front end's diagnostics and lint's findings; notes become related information in `uri`.
nlohmann::json diagnostics(const Analysis& a, const std::string& uri);
nlohmann::json hover(const Analysis& a, Position p);
nlohmann::json definition(const Analysis& a, const std::string& uri, Position p);
nlohmann::json references(const Analysis& a, const std::string& uri, Position p, bool include_declaration);
nlohmann::json document_symbols(const Analysis& a);
nlohmann::json completion(const Analysis& a, Position p);
nlohmann::json formatting(const Analysis& a, const std::string& path);
// Quick fixes from the fix-its of the diagnostics that touch `range`.
nlohmann::json code_actions(const Analysis& a, const std::string& uri, Range range);

// "clamp(number, number, number) -> number", from stdlib's table.
std::string builtin_signature(const stdlib::BuiltinInfo& b);

nlohmann::json to_json(const Range& r);
Position position_from_json(const nlohmann::json& j);  // throws on a malformed position
Range range_from_json(const nlohmann::json& j);

}  // namespace healthc::lsp
