// `healthc fmt FILE...`: lays cards out in the canonical layout (docs/fmt.md). Prints the card,
// rewrites files in place (-w), or checks them for CI (--check: a diff, exit 1).
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "compiler/diag/render.h"
#include "compiler/driver/cli.h"
#include "compiler/driver/unified_diff.h"
#include "compiler/format/format.h"

namespace healthc::driver {
namespace {

bool read_card(const std::string& path, std::string& text, std::string& error) {
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "it is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return true;
}

// Writes beside the file and renames over it, so a reader never sees half a card and a failed
// write leaves the card as it was. The file keeps its permissions.
bool write_atomically(const std::string& path, const std::string& text, std::string& error) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::string temp_name = target.filename().string();
  temp_name.insert(0, 1, '.');
  temp_name += ".fmt-" + std::to_string(::getpid());
  const fs::path temp = target.parent_path() / temp_name;
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      error = std::strerror(errno);
      std::error_code ignored;
      fs::remove(temp, ignored);
      return false;
    }
  }
  std::error_code ec;
  fs::permissions(temp, fs::status(target, ec).permissions(), ec);
  fs::rename(temp, target, ec);
  if (ec) {
    error = ec.message();
    std::error_code ignored;
    fs::remove(temp, ignored);
    return false;
  }
  return true;
}

}  // namespace

int run_fmt(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("files", po::value<std::vector<std::string>>()->required(), "scorecard files (.health); - for stdin")
      ("write,w", po::bool_switch(), "rewrite the files in place (a file already formatted is left untouched)")
      ("check", po::bool_switch(), "change nothing: print a diff for each file not formatted and exit 1")
      ("color", po::value<std::string>()->default_value("auto"), "diagnostics in color: `auto`, `always` or `never`");
  po::positional_options_description pos;
  pos.add("files", -1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("fmt", "FILE... [options]\n\nLays scorecards out in the canonical layout (docs/fmt.md): prints the card "
                     "(one file),\nrewrites files in place (-w), or checks them (--check: a diff and exit 1 when a "
                     "file is not\nformatted). A card that does not parse is reported as `check` reports it, "
                     "exit 1.",
                     opts, pos, args, vm, code))
    return code;
  const bool write = vm["write"].as<bool>(), check = vm["check"].as<bool>();
  const auto& files = vm["files"].as<std::vector<std::string>>();
  if (write && check) return usage_error("fmt", "-w and --check do not go together");
  if (!write && !check && files.size() > 1)
    return usage_error("fmt", "one file at a time without -w or --check (the formatted card goes to stdout)");
  const std::string color_when = vm["color"].as<std::string>();
  if (color_when != "auto" && color_when != "always" && color_when != "never")
    return usage_error("fmt", "--color must be `auto`, `always` or `never`");
  const bool color = use_color(color_when, stderr);
  if (write && std::count(files.begin(), files.end(), "-") > 0)
    return usage_error("fmt", "-w cannot rewrite standard input");

  int result = kExitOk;
  for (const std::string& path : files) {
    std::string text, error;
    const std::string shown = path == "-" ? "<stdin>" : path;
    if (!read_card(path, text, error)) {
      fmt::print(stderr, "{}: error[E0001]: cannot read `{}`: {}\n", path, path, error);
      result = kExitErrors;
      continue;
    }
    format::FormatResult f = format::format_card(shown, text);
    if (!f.ok) {
      const SourceFile file(shown, text);
      f.diags.sort_by_position();
      for (const Diagnostic& d : f.diags.items()) fmt::print(stderr, "{}", render_text(file, d, RenderOptions{color}));
      fmt::print(stderr, "{}: not formatted: the card does not parse\n", shown);
      result = kExitErrors;
      continue;
    }
    if (check) {
      if (f.text != text) {
        fmt::print("{}", unified_diff(text, f.text, "a/" + shown, "b/" + shown));
        result = kExitErrors;
      }
    } else if (write) {
      if (f.text != text && !write_atomically(path, f.text, error)) {
        fmt::print(stderr, "healthc fmt: cannot write `{}`: {}\n", path, error);
        result = kExitErrors;
      }
    } else {
      fmt::print("{}", f.text);
    }
  }
  return result;
}

}  // namespace healthc::driver
