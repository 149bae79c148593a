// `healthc check FILE...`: parse and check scorecards; every error, with its code and place.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/diag/sarif.h"
#include "compiler/driver/cli.h"

namespace healthc::driver {
namespace {

// The rules of a check's SARIF log: the codes its diagnostics have, each with its page.
SarifTool check_tool(const std::vector<SarifFile>& files) {
  SarifTool tool{"healthc", "0.1.0", "https://github.com/healthc/healthc", {}};
  for (const SarifFile& f : files)
    for (const Diagnostic& d : f.diagnostics) {
      if (std::any_of(tool.rules.begin(), tool.rules.end(), [&](const SarifRule& r) { return r.id == d.code; }))
        continue;
      const DiagKindInfo& k = info(d.kind);
      // The kind's message is a format with holes: the rule says where its page is instead.
      const std::string what = fmt::format("{} ({}): docs/diagnostics.md explains it", d.code, k.name);
      tool.rules.push_back(SarifRule{d.code, std::string(k.name), what, what,
                                     "https://github.com/healthc/healthc/blob/main/docs/diagnostics.md", d.severity});
    }
  return tool;
}

}  // namespace

int run_check(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("files", po::value<std::vector<std::string>>()->required(), "scorecard files (.health); - for stdin")
      ("color", po::value<std::string>()->default_value("auto"), "`auto`, `always` or `never`")
      ("quiet,q", po::bool_switch(), "no summary line");
  const std::vector<Format> formats{Format::Text, Format::Json, Format::Sarif};
  add_format_option(opts, formats, "text on stderr; json (one diagnostic object a line) and sarif (SARIF 2.1.0) on stdout");
  po::positional_options_description pos;
  pos.add("files", -1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("check", "FILE... [options]\n\nChecks scorecards: exit 0 when clean, 1 when any has errors.", opts,
                     pos, args, vm, code))
    return code;
  Format chosen;
  if (!read_format("check", vm, formats, chosen, code)) return code;
  const DiagFormat format = chosen == Format::Json ? DiagFormat::Json : DiagFormat::Text;
  const bool sarif = chosen == Format::Sarif;
  std::vector<FrontendResult> results;  // SARIF: one log of every file, printed at the end
  std::vector<SarifFile> sarif_files;
  const std::string color_when = vm["color"].as<std::string>();
  if (color_when != "auto" && color_when != "always" && color_when != "never")
    return usage_error("check", "--color must be `auto`, `always` or `never`");
  const bool color = use_color(color_when, stderr);
  size_t errors = 0, failed_files = 0;
  const auto& files = vm["files"].as<std::vector<std::string>>();
  for (const std::string& path : files) {
    FrontendResult r = run_frontend(path);
    const size_t e = r.file ? r.diags.count(Severity::Error) : 1;
    if (sarif) {
      results.push_back(std::move(r));
    } else {
      print_diagnostics(r, path, format, color);
    }
    errors += e;
    failed_files += e > 0;
  }
  if (sarif) {
    for (size_t i = 0; i < results.size(); ++i)
      sarif_files.push_back(SarifFile{files[i], results[i].file.get(), results[i].read_error, results[i].diags.items()});
    fmt::print("{}", render_sarif(check_tool(sarif_files), sarif_files));
  }
  if (!sarif && format == DiagFormat::Text && !vm["quiet"].as<bool>()) {
    if (errors == 0)
      fmt::print(stderr, "{} file{} checked: no errors\n", files.size(), files.size() == 1 ? "" : "s");
    else
      fmt::print(stderr, "{} error{} in {} of {} file{}\n", errors, errors == 1 ? "" : "s", failed_files, files.size(),
                 files.size() == 1 ? "" : "s");
  }
  return errors ? kExitErrors : kExitOk;
}

}  // namespace healthc::driver
