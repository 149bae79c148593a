// SARIF 2.1.0 output (the format code-scanning services read): one log, one run, the tool's
// rule catalogue and a result per diagnostic, with notes as related locations.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/diag/source.h"

namespace healthc {

struct SarifRule {
  std::string id;  // the code, "W101"
  std::string name;
  std::string short_description;
  std::string full_description;
  std::string help_uri;
  Severity level = Severity::Warning;
};

struct SarifTool {
  std::string name;
  std::string version;
  std::string information_uri;
  std::vector<SarifRule> rules;
};

// One input file's diagnostics; `file` is null when it could not be read (`read_error` says why).
struct SarifFile {
  std::string path;
  const SourceFile* file = nullptr;
  std::string read_error;
  std::vector<Diagnostic> diagnostics;
};

std::string render_sarif(const SarifTool& tool, const std::vector<SarifFile>& files);

// A path as a URI reference: relative paths stay relative, absolute ones become file:// URIs.
std::string path_to_uri(const std::string& path);

}  // namespace healthc
