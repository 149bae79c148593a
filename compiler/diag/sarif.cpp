// The SARIF 2.1.0 writer. Columns are counted in code points, as everywhere else in healthc,
// and the run says so (`columnKind`); `endColumn` is one past the last character.
#include "compiler/diag/sarif.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace healthc {
namespace {

using nlohmann::json;

const char* level_of(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

json region(const SourceFile& file, SourceRange r) {
  const LineCol b = file.position(r.begin);
  const LineCol e = file.position(std::max(r.end, r.begin));
  return {{"startLine", b.line}, {"startColumn", b.column}, {"endLine", e.line}, {"endColumn", e.column}};
}

json location(const std::string& uri, const SourceFile* file, const SourceRange* r) {
  json physical{{"artifactLocation", {{"uri", uri}}}};
  if (file && r) physical["region"] = region(*file, *r);
  return {{"physicalLocation", physical}};
}

}  // namespace

std::string path_to_uri(const std::string& path) {
  std::string out = path.size() > 0 && path[0] == '/' ? "file://" : "";
  for (unsigned char c : path) {
    const bool plain = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    out += plain ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  }
  return out;
}

std::string render_sarif(const SarifTool& tool, const std::vector<SarifFile>& files) {
  json rules = json::array();
  for (const SarifRule& r : tool.rules)
    rules.push_back({{"id", r.id},
                     {"name", r.name},
                     {"shortDescription", {{"text", r.short_description}}},
                     {"fullDescription", {{"text", r.full_description}}},
                     {"helpUri", r.help_uri},
                     {"defaultConfiguration", {{"level", level_of(r.level)}}}});
  json results = json::array();
  for (const SarifFile& f : files) {
    const std::string uri = path_to_uri(f.path);
    if (!f.file) {
      results.push_back({{"ruleId", "E0001"},
                         {"level", "error"},
                         {"message", {{"text", fmt::format("cannot read `{}`: {}", f.path, f.read_error)}}},
                         {"locations", json::array({location(uri, nullptr, nullptr)})}});
      continue;
    }
    for (const Diagnostic& d : f.diagnostics) {
      json result{{"ruleId", d.code},
                  {"level", level_of(d.severity)},
                  {"message", {{"text", d.message}}},
                  {"locations", json::array({location(uri, f.file, &d.range)})}};
      auto it = std::find_if(tool.rules.begin(), tool.rules.end(), [&](const SarifRule& r) { return r.id == d.code; });
      if (it != tool.rules.end()) result["ruleIndex"] = it - tool.rules.begin();
      if (!d.notes.empty()) {
        json related = json::array();
        for (size_t i = 0; i < d.notes.size(); ++i) {
          json loc = location(uri, f.file, &d.notes[i].range);
          loc["id"] = i;
          loc["message"] = {{"text", d.notes[i].message}};
          related.push_back(loc);
        }
        result["relatedLocations"] = related;
      }
      // SARIF's `fixes`: each fix-it as one replacement in this file.
      if (!d.fixits.empty()) {
        json fixes = json::array();
        for (const FixIt& fx : d.fixits)
          fixes.push_back({{"description", {{"text", fx.range.end > fx.range.begin ? "replace with `" + fx.replacement + "`"
                                                                                  : "insert `" + fx.replacement + "`"}}},
                           {"artifactChanges",
                            json::array({{{"artifactLocation", {{"uri", uri}}},
                                          {"replacements", json::array({{{"deletedRegion", region(*f.file, fx.range)},
                                                                         {"insertedContent", {{"text", fx.replacement}}}}})}}})}});
        result["fixes"] = fixes;
      }
      results.push_back(result);
    }
  }
  json driver{{"name", tool.name}, {"version", tool.version}, {"informationUri", tool.information_uri},
              {"rules", rules}};
  json log{{"version", "2.1.0"},
           {"$schema", "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json"},
           {"runs", json::array({{{"tool", {{"driver", driver}}},
                                  {"columnKind", "unicodeCodePoints"},
                                  {"results", results}}})}};
  // Replace invalid UTF-8 (a path or message quoting hostile bytes) rather than throw.
  return log.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace healthc
