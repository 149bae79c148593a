// `healthc lint FILE...`: the rule catalogue of compiler/lint/ over scorecards that check
// clean; a card with errors gets its errors, as `healthc check` prints them, and no lint.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>

#include "compiler/diag/render.h"
#include "compiler/diag/sarif.h"
#include "compiler/driver/cli.h"
#include "compiler/lint/lint.h"

namespace healthc::driver {
namespace {

// Keep in step with `healthc --version` (main.cpp).
constexpr const char* kVersion = "0.1.0";
// Where SARIF viewers send a reader; each rule's help is a section of docs/lint.md there.
constexpr const char* kInformationUri = "https://github.com/healthc/healthc";
constexpr const char* kLintDocsUri = "https://github.com/healthc/healthc/blob/main/docs/lint.md";

SarifTool sarif_tool() {
  SarifTool tool{"healthc", kVersion, kInformationUri, {}};
  for (const lint::Rule& r : lint::rules()) {
    const DiagKindInfo& k = info(r.kind);
    tool.rules.push_back(SarifRule{std::string(k.code), std::string(r.name), std::string(r.summary),
                                   std::string(r.rationale), fmt::format("{}#{}", kLintDocsUri, r.anchor),
                                   k.severity});
  }
  return tool;
}

std::string plural(size_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); }

}  // namespace

int run_lint(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("files", po::value<std::vector<std::string>>()->required(), "scorecard files (.health); - for stdin")
      ("format", po::value<std::string>()->default_value("text"),
       "`text` (stderr), `json` (stdout, one object a line) or `sarif` (stdout, SARIF 2.1.0)")
      ("werror", po::bool_switch(), "exit 1 when there are warnings, not only errors")
      ("color", po::value<std::string>()->default_value("auto"), "`auto`, `always` or `never`")
      ("quiet,q", po::bool_switch(), "no summary line");
  po::positional_options_description pos;
  pos.add("files", -1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("lint",
                     "FILE... [options]\n\nFinds mistakes that are not errors (docs/lint.md lists the rules). A "
                     "comment `# healthc-lint: disable=W101,W204`\non a finding's line or the line before "
                     "silences those codes there.\nExit 0 when clean, 1 on errors (or warnings with --werror), "
                     "2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  const std::string format_name = vm["format"].as<std::string>();
  const bool sarif = format_name == "sarif";
  DiagFormat format = DiagFormat::Text;
  if (!sarif && !parse_diag_format(format_name, format))
    return usage_error("lint", "--format must be `text`, `json` or `sarif`");
  const std::string color_when = vm["color"].as<std::string>();
  if (color_when != "auto" && color_when != "always" && color_when != "never")
    return usage_error("lint", "--color must be `auto`, `always` or `never`");
  const bool color = use_color(color_when, stderr);

  size_t errors = 0, warnings = 0, notes = 0;
  std::vector<std::unique_ptr<SourceFile>> kept;  // the files SARIF results point into
  std::vector<SarifFile> sarif_files;
  const auto& files = vm["files"].as<std::vector<std::string>>();
  for (const std::string& path : files) {
    FrontendResult r = run_frontend(path);
    DiagnosticList shown;
    if (r.ok()) {
      shown = lint::lint(r.card, r.checked.checked, *r.file);
      for (const Diagnostic& d : r.diags.items()) shown.add(d);  // the front end's own warnings
      shown.sort_by_position();
    } else {
      shown = r.diags;
    }
    errors += r.file ? shown.count(Severity::Error) : 1;
    warnings += shown.count(Severity::Warning);
    notes += shown.count(Severity::Note);
    if (sarif) {
      sarif_files.push_back(SarifFile{path, r.file.get(), r.read_error, shown.items()});
      kept.push_back(std::move(r.file));
      continue;
    }
    r.diags = std::move(shown);
    print_diagnostics(r, path, format, color);
  }
  if (sarif) fmt::print("{}", render_sarif(sarif_tool(), sarif_files));
  if (!sarif && format == DiagFormat::Text && !vm["quiet"].as<bool>()) {
    std::vector<std::string> parts;
    if (errors) parts.push_back(plural(errors, "error"));
    if (warnings) parts.push_back(plural(warnings, "warning"));
    if (notes) parts.push_back(plural(notes, "note"));
    fmt::print(stderr, "{} linted: {}\n", plural(files.size(), "file"),
               parts.empty() ? "no findings" : fmt::format("{}", fmt::join(parts, ", ")));
  }
  if (errors) return kExitErrors;
  if (warnings && vm["werror"].as<bool>()) return kExitErrors;
  return kExitOk;
}

}  // namespace healthc::driver
