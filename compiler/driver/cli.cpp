// Shared command-line plumbing for the healthc subcommands.
#include "compiler/driver/cli.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "compiler/diag/render.h"

namespace healthc::driver {

int usage_error(const std::string& command, const std::string& message) {
  fmt::print(stderr, "healthc {}: {}\nTry 'healthc {} --help'.\n", command, message, command);
  return kExitUsage;
}

bool parse_options(const std::string& command, const std::string& synopsis, const po::options_description& opts,
                   const po::positional_options_description& positional, const std::vector<std::string>& args,
                   po::variables_map& vm, int& exit_code) {
  po::options_description all(opts);
  all.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::ostringstream ss;
      ss << all;
      fmt::print("usage: healthc {} {}\n\n{}", command, synopsis, ss.str());
      exit_code = kExitOk;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    exit_code = usage_error(command, e.what());
    return false;
  }
  return true;
}

bool stream_is_terminal(std::FILE* f) { return ::isatty(::fileno(f)) == 1; }

bool use_color(const std::string& when, std::FILE* f) {
  if (when == "always") return true;
  if (when == "never") return false;
  return stream_is_terminal(f) && std::getenv("NO_COLOR") == nullptr;
}

bool parse_diag_format(const std::string& s, DiagFormat& out) {
  if (s == "text") out = DiagFormat::Text;
  else if (s == "json") out = DiagFormat::Json;
  else return false;
  return true;
}

void print_diagnostics(const FrontendResult& r, const std::string& path, DiagFormat format, bool color) {
  if (!r.file) {
    if (format == DiagFormat::Json) {
      nlohmann::json j{{"file", path}, {"severity", "error"}, {"code", "E0001"},
                       {"message", fmt::format("cannot read `{}`: {}", path, r.read_error)}};
      fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } else {
      fmt::print(stderr, "{}: error[E0001]: cannot read `{}`: {}\n", path, path, r.read_error);
    }
    return;
  }
  for (const Diagnostic& d : r.diags.items()) {
    if (format == DiagFormat::Json) fmt::print("{}\n", render_json(*r.file, d));
    else fmt::print(stderr, "{}", render_text(*r.file, d, RenderOptions{color}));
  }
}

}  // namespace healthc::driver
