// Shared command-line plumbing for the healthc subcommands.
#include "compiler/driver/cli.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "compiler/diag/render.h"
#include "compiler/diag/suggest.h"

namespace healthc::driver {

int usage_error(const std::string& command, const std::string& message) {
  fmt::print(stderr, "healthc {}: {}\nTry 'healthc {} --help'.\n", command, message, command);
  return kExitUsage;
}

namespace {

// The positional arguments' names, in order (`card`, `data`; `files` for a list).
std::vector<std::string> positional_names(const po::positional_options_description& positional) {
  std::vector<std::string> names;
  const unsigned n = positional.max_total_count();
  for (unsigned i = 0; i < n && i < 16; ++i) {  // an unlimited last one repeats: listed once
    const std::string& name = positional.name_for_position(i);
    if (names.empty() || names.back() != name) names.push_back(name);
  }
  return names;
}

bool is_positional(const std::vector<std::string>& names, const std::string& option) {
  for (const std::string& n : names)
    if (option == n || option == "--" + n) return true;
  return false;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The help: the synopsis, the positional arguments as such (not as `--card arg`), the options.
std::string help_text(const std::string& command, const std::string& synopsis, const po::options_description& all,
                      const std::vector<std::string>& positional) {
  po::options_description visible("Options");
  std::string arguments;
  for (const auto& o : all.options()) {
    if (!is_positional(positional, o->long_name())) {
      visible.add(o);
      continue;
    }
    arguments += fmt::format("  {:<24} {}\n", upper(o->long_name()), o->description());
  }
  std::ostringstream ss;
  ss << visible;
  return fmt::format("usage: healthc {} {}\n\n{}{}", command, synopsis,
                     arguments.empty() ? "" : "Arguments:\n" + arguments + "\n", ss.str());
}

// A usage error in the user's words: a missing positional argument by its name, an unknown
// option with the nearest one.
std::string usage_message(const po::error& e, const po::options_description& all,
                          const std::vector<std::string>& positional) {
  if (const auto* r = dynamic_cast<const po::required_option*>(&e)) {
    std::string name = r->get_option_name();
    if (name.rfind("--", 0) == 0) name = name.substr(2);
    if (is_positional(positional, name)) return fmt::format("missing {}", upper(name));
  }
  if (const auto* u = dynamic_cast<const po::unknown_option*>(&e)) {
    const std::string given = u->get_option_name();
    std::vector<std::string> names;
    for (const auto& o : all.options())
      if (!is_positional(positional, o->long_name())) names.push_back("--" + o->long_name());
    std::string hint = did_you_mean(given.rfind("--", 0) == 0 ? given : "--" + given.substr(given.rfind('-') + 1), names);
    return fmt::format("unknown option `{}`{}", given, hint);
  }
  if (dynamic_cast<const po::too_many_positional_options_error*>(&e)) {
    std::string expected;
    for (const std::string& n : positional) expected += (expected.empty() ? "" : " ") + upper(n);
    return fmt::format("too many arguments (expected {})", expected.empty() ? "none" : expected);
  }
  return e.what();
}

}  // namespace

bool parse_options(const std::string& command, const std::string& synopsis, const po::options_description& opts,
                   const po::positional_options_description& positional, const std::vector<std::string>& args,
                   po::variables_map& vm, int& exit_code) {
  po::options_description all(opts);
  all.add_options()("help,h", "show this help");
  const std::vector<std::string> names = positional_names(positional);
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      fmt::print("{}", help_text(command, synopsis, all, names));
      exit_code = kExitOk;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    exit_code = usage_error(command, usage_message(e, all, names));
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
