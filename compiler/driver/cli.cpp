// Shared command-line plumbing for the healthc subcommands.
#include "compiler/driver/cli.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <limits>
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

// Set while command_specs() runs a command: parse_options fills it instead of parsing.
thread_local CommandSpec* g_capture = nullptr;
// The --format values of the command whose options are being built (add_format_option).
thread_local std::vector<std::string> g_format_values;

// The default as --help shows it: `arg (=0.7)` gives `0.7`.
std::string default_of(const po::option_description& o) {
  const std::string p = o.format_parameter();
  const size_t at = p.find("(=");
  if (at == std::string::npos || p.empty() || p.back() != ')') return {};
  return p.substr(at + 2, p.size() - at - 3);
}

// An option whose description opens with its values in backquotes (`auto`, `always` or
// `never`) takes exactly those: the words quoted before the first `;` or `.`.
std::vector<std::string> choices_of(const po::option_description& o) {
  if (o.long_name() == "format" && !g_format_values.empty()) return g_format_values;
  const std::string& d = o.description();
  std::vector<std::string> out;
  if (d.empty() || d[0] != '`') return out;
  size_t i = 0;
  while (i < d.size() && d[i] != ';' && d[i] != '.') {
    if (d[i] != '`') { ++i; continue; }
    const size_t close = d.find('`', i + 1);
    if (close == std::string::npos) break;
    const std::string word = d.substr(i + 1, close - i - 1);
    if (word.empty() || word.find(' ') != std::string::npos) return {};
    out.push_back(word);
    i = close + 1;
  }
  return out;
}

void capture(CommandSpec& spec, const std::string& synopsis, const po::options_description& opts,
             const po::positional_options_description& positional) {
  spec.captured = true;
  const size_t nl = synopsis.find('\n');
  spec.usage = synopsis.substr(0, nl);
  if (nl != std::string::npos) {
    spec.description = synopsis.substr(nl + 1);
    while (!spec.description.empty() && spec.description.front() == '\n') spec.description.erase(0, 1);
  }
  spec.positional = positional_names(positional);
  spec.last_repeats = positional.max_total_count() == std::numeric_limits<unsigned>::max();
  for (const std::string& name : spec.positional)
    for (const auto& o : opts.options())
      if (o->long_name() == name) {
        OptionSpec arg;
        arg.long_name = name;
        arg.takes_value = true;
        arg.description = o->description();
        arg.choices = choices_of(*o);
        spec.arguments.push_back(std::move(arg));
      }
  for (const auto& o : opts.options()) {
    if (is_positional(spec.positional, o->long_name())) continue;
    OptionSpec os;
    os.long_name = o->long_name();
    const std::string shown = o->format_name();  // `-o [ --output ]` or `--store`
    if (shown.size() > 1 && shown[0] == '-' && shown[1] != '-') os.short_name = shown.substr(1, 1);
    os.takes_value = o->semantic()->max_tokens() > 0;
    os.default_text = default_of(*o);
    os.description = o->description();
    if (os.takes_value) os.choices = choices_of(*o);
    spec.options.push_back(std::move(os));
  }
}

}  // namespace

const char* format_name(Format f) {
  switch (f) {
    case Format::Text: return "text";
    case Format::Json: return "json";
    case Format::Jsonl: return "jsonl";
    case Format::Csv: return "csv";
    case Format::Markdown: return "markdown";
    case Format::Sarif: return "sarif";
    case Format::Junit: return "junit";
    case Format::Html: return "html";
  }
  return "text";
}

namespace {
// `text`, `json` or `markdown`
std::string format_list(const std::vector<Format>& allowed) {
  std::string s;
  for (size_t i = 0; i < allowed.size(); ++i)
    s += fmt::format("{}`{}`", i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ", format_name(allowed[i]));
  return s;
}
}  // namespace

void add_format_option(po::options_description& opts, const std::vector<Format>& allowed, const std::string& note,
                       bool has_default) {
  g_format_values.clear();
  for (Format f : allowed) g_format_values.emplace_back(format_name(f));
  const std::string text = fmt::format("output format: {}{}", format_list(allowed), note.empty() ? "" : "; " + note);
  if (has_default) opts.add_options()("format", po::value<std::string>()->default_value(format_name(allowed[0])), text.c_str());
  else opts.add_options()("format", po::value<std::string>(), text.c_str());
}

bool read_format(const std::string& command, const po::variables_map& vm, const std::vector<Format>& allowed,
                 Format& out, int& exit_code) {
  if (!vm.count("format")) {
    out = allowed[0];
    return true;
  }
  std::string given = vm["format"].as<std::string>();
  if (given == "md") given = "markdown";  // accepted before there was one parser
  for (Format f : allowed)
    if (given == format_name(f)) {
      out = f;
      return true;
    }
  std::vector<std::string> names;
  for (Format f : allowed) names.emplace_back(format_name(f));
  exit_code = usage_error(command, fmt::format("--format must be {}{}", format_list(allowed), did_you_mean(given, names)));
  return false;
}

std::vector<CommandSpec> command_specs() {
  std::vector<CommandSpec> specs;
  // A command that parses its own options would print its help: it goes nowhere.
  std::fflush(stdout);
  const int saved = ::dup(::fileno(stdout));
  const int null = ::open("/dev/null", O_WRONLY);
  if (null >= 0) ::dup2(null, ::fileno(stdout));
  for (const Command& c : commands()) {
    CommandSpec spec;
    spec.name = c.name;
    spec.summary = c.summary;
    g_format_values.clear();
    g_capture = &spec;
    try {
      c.run({"--help"});
    } catch (const std::exception&) {  // a command that cannot describe itself keeps its name
    }
    g_capture = nullptr;
    specs.push_back(std::move(spec));
  }
  std::fflush(stdout);
  if (saved >= 0) {
    ::dup2(saved, ::fileno(stdout));
    ::close(saved);
  }
  if (null >= 0) ::close(null);
  return specs;
}

bool parse_options(const std::string& command, const std::string& synopsis, const po::options_description& opts,
                   const po::positional_options_description& positional, const std::vector<std::string>& args,
                   po::variables_map& vm, int& exit_code) {
  po::options_description all(opts);
  all.add_options()("help,h", "show this help");
  const std::vector<std::string> names = positional_names(positional);
  if (g_capture) {
    capture(*g_capture, synopsis, opts, positional);
    exit_code = kExitOk;
    return false;
  }
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
