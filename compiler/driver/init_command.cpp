// `healthc init [--example b2b] [DIR]`: writes a commented starter card, a sample data file and
// a cases file for `healthc test`, which check, score and test cleanly. Never overwrites: when
// any of the files exists, nothing is written.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/suggest.h"
#include "compiler/driver/cli.h"

namespace healthc::driver {
namespace {

struct EmbeddedFile {
  const char* name;
  const char* text;
};

// Built from compiler/driver/init/ and examples/ (compiler/driver/init/embed.cmake).
constexpr EmbeddedFile kFiles[] = {
#include "init_files.inc"
};

std::string_view embedded(std::string_view name) {
  for (const EmbeddedFile& f : kFiles)
    if (name == f.name) return f.text;
  return {};
}

struct Example {
  const char* name;
  const char* summary;
  const char* card;
  const char* data;
  const char* cases;
};
constexpr Example kExamples[] = {
    {"starter", "a small commented card", "scorecard.health", "accounts.csv", "cases.csv"},
    {"b2b", "the B2B SaaS card of the language spec", "b2b_saas.health", "b2b_saas_sample.csv", "b2b_saas_cases.csv"},
};

}  // namespace

int run_init(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("dir", po::value<std::string>()->default_value("."), "the folder to write to (created when absent)")
      ("example", po::value<std::string>()->default_value("starter"),
       "`starter` (a small commented card) or `b2b` (the B2B SaaS card of the language spec)");
  po::positional_options_description pos;
  pos.add("dir", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("init",
                     "[DIR] [--example b2b] [options]\n\nWrites a scorecard, a sample data file and a cases file for "
                     "`healthc test` into DIR, ready\nto check, score and test. Never overwrites a file: when one of "
                     "them exists nothing is written.\nExit 0 when written, 1 when a file exists or cannot be written, "
                     "2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  const std::string which = vm["example"].as<std::string>();
  const Example* ex = nullptr;
  std::vector<std::string> names;
  for (const Example& e : kExamples) {
    names.emplace_back(e.name);
    if (which == e.name) ex = &e;
  }
  if (!ex) return usage_error("init", fmt::format("--example must be `starter` or `b2b`{}", did_you_mean(which, names)));
  const std::filesystem::path dir = vm["dir"].as<std::string>();
  const char* files[] = {ex->card, ex->data, ex->cases};
  // Every file is checked before any is written: a refused init leaves the folder as it was.
  std::vector<std::string> existing;
  for (const char* f : files) {
    std::error_code ec;
    if (std::filesystem::exists(dir / f, ec) || std::filesystem::is_symlink(dir / f, ec))
      existing.push_back((dir / f).string());
  }
  if (!existing.empty()) {
    std::string list;
    for (const std::string& e : existing) list += (list.empty() ? "" : ", ") + e;
    fmt::print(stderr, "healthc init: {} already exist{}; nothing was written (remove {} or choose another DIR)\n", list,
               existing.size() == 1 ? "s" : "", existing.size() == 1 ? "it" : "them");
    return kExitErrors;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    fmt::print(stderr, "healthc init: cannot create {}: {}\n", dir.string(), ec.message());
    return kExitErrors;
  }
  for (const char* f : files) {
    const std::string path = (dir / f).string();
    const std::string_view text = embedded(f);
    // "x": exclusive, so a file made since the check above is not overwritten either.
    std::FILE* out = std::fopen(path.c_str(), "wx");
    if (!out) {
      fmt::print(stderr, "healthc init: cannot write {}: {}\n", path, std::strerror(errno));
      return kExitErrors;
    }
    const bool ok = std::fwrite(text.data(), 1, text.size(), out) == text.size();
    if (std::fclose(out) != 0 || !ok) {
      fmt::print(stderr, "healthc init: cannot write {}: {}\n", path, std::strerror(errno));
      return kExitErrors;
    }
  }
  const auto at = [&](const char* f) { return (dir / f).lexically_normal().string(); };
  fmt::print("wrote {}, {} and {} ({})\n\nnext:\n  healthc check {}\n  healthc score {} {}\n  healthc test {} {}\n",
             at(ex->card), at(ex->data), at(ex->cases), ex->summary, at(ex->card), at(ex->card), at(ex->data),
             at(ex->card), at(ex->cases));
  return kExitOk;
}

}  // namespace healthc::driver
