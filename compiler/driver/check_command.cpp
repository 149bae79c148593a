// `healthc check FILE...`: parse and check scorecards; every error, with its code and place.
#include <fmt/format.h>

#include "compiler/driver/cli.h"

namespace healthc::driver {

int run_check(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("files", po::value<std::vector<std::string>>()->required(), "scorecard files (.health); - for stdin")
      ("color", po::value<std::string>()->default_value("auto"), "`auto`, `always` or `never`")
      ("quiet,q", po::bool_switch(), "no summary line");
  const std::vector<Format> formats{Format::Text, Format::Json};
  add_format_option(opts, formats, "text on stderr, json on stdout (one diagnostic object a line)");
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
  const std::string color_when = vm["color"].as<std::string>();
  if (color_when != "auto" && color_when != "always" && color_when != "never")
    return usage_error("check", "--color must be `auto`, `always` or `never`");
  const bool color = use_color(color_when, stderr);
  size_t errors = 0, failed_files = 0;
  const auto& files = vm["files"].as<std::vector<std::string>>();
  for (const std::string& path : files) {
    FrontendResult r = run_frontend(path);
    print_diagnostics(r, path, format, color);
    const size_t e = r.file ? r.diags.count(Severity::Error) : 1;
    errors += e;
    failed_files += e > 0;
  }
  if (format == DiagFormat::Text && !vm["quiet"].as<bool>()) {
    if (errors == 0)
      fmt::print(stderr, "{} file{} checked: no errors\n", files.size(), files.size() == 1 ? "" : "s");
    else
      fmt::print(stderr, "{} error{} in {} of {} file{}\n", errors, errors == 1 ? "" : "s", failed_files, files.size(),
                 files.size() == 1 ? "" : "s");
  }
  return errors ? kExitErrors : kExitOk;
}

}  // namespace healthc::driver
