// The `healthc` command: dispatches to one subcommand a file.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "compiler/diag/suggest.h"
#include "compiler/driver/cli.h"
#include "compiler/syntax/plugin_api.h"

namespace healthc::driver {
int run_check(const std::vector<std::string>& args);
int run_explain_code(const std::vector<std::string>& args);
int run_lint(const std::vector<std::string>& args);
int run_compile(const std::vector<std::string>& args);
int run_score(const std::vector<std::string>& args);
int run_explain(const std::vector<std::string>& args);
int run_test(const std::vector<std::string>& args);
int run_diff(const std::vector<std::string>& args);
int run_validate(const std::vector<std::string>& args);
int run_tune(const std::vector<std::string>& args);
int run_backfill(const std::vector<std::string>& args);
int run_history(const std::vector<std::string>& args);
int run_changes(const std::vector<std::string>& args);
int run_alerts(const std::vector<std::string>& args);
int run_rollup(const std::vector<std::string>& args);
int run_report(const std::vector<std::string>& args);
int run_fmt(const std::vector<std::string>& args);
int run_init(const std::vector<std::string>& args);
int run_completion(const std::vector<std::string>& args);
int run_man(const std::vector<std::string>& args);
int run_lsp(const std::vector<std::string>& args);

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"check", "check scorecards for errors", run_check},
      {"lint", "find scorecard mistakes that are not errors", run_lint},
      {"fmt", "lay scorecards out in the canonical layout (-w rewrites, --check for CI)", run_fmt},
      {"compile", "show a stage's output (scoring IR, LLVM IR, assembly) or write an ahead-of-time artefact", run_compile},
      {"score", "score every account of a data file", run_score},
      {"explain", "show how one account's score comes about", run_explain},
      {"test", "run scorecard test cases (accounts with expected results)", run_test},
      {"diff", "show what a changed scorecard does to real accounts", run_diff},
      {"validate", "check that scores predict an outcome (AUC, rates per band)", run_validate},
      {"tune", "suggest weights that predict an outcome better", run_tune},
      {"backfill", "score a folder of dated data files into a history store, oldest first", run_backfill},
      {"history", "show one account's scores across the store's snapshots", run_history},
      {"changes", "show which accounts moved between two snapshots, and why", run_changes},
      {"alerts", "list the alerts that fired in a snapshot", run_alerts},
      {"rollup", "show one roll-up of a snapshot with its change since the previous one", run_rollup},
      {"report", "write the morning report: one self-contained HTML page from the store", run_report},
      {"explain-code", "explain a diagnostic code (E0101), with an example and its fix", run_explain_code},
      {"init", "write a starter scorecard, sample data and test cases to begin with", run_init},
      {"completion", "print a shell completion script (bash or zsh)", run_completion},
      {"man", "print the manual page (roff), generated from the commands' options", run_man},
      {"lsp", "run the language server (LSP over stdin and stdout) for editors", run_lsp},
  };
  return kCommands;
}
}  // namespace healthc::driver

namespace {
void print_help() {
  fmt::print("usage: healthc COMMAND [options]\n\nhealthc compiles customer health scorecards (.health files) "
             "and scores accounts with them.\n\nCommands:\n");
  for (const auto& c : healthc::driver::commands()) fmt::print("  {:<10} {}\n", c.name, c.summary);
  fmt::print("\n`healthc help COMMAND` (or `healthc COMMAND --help`) describes a command.\n");
}
}  // namespace

int main(int argc, char** argv) {
  using namespace healthc::driver;
  if (argc < 2) {
    print_help();
    return kExitUsage;
  }
  const std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  std::string name = cmd;
  if (cmd == "help" && !args.empty()) {  // `healthc help score` is `healthc score --help`
    name = args[0];
    args = {"--help"};
  } else if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    print_help();
    return kExitOk;
  }
  if (cmd == "--version") {
    fmt::print("healthc 0.1.0\n");
    return kExitOk;
  }
  for (const auto& c : commands())
    if (name == c.name) {
      try {
        const int code = c.run(args);
        // What a command printed may still sit in stdout's buffer: a full disk or /dev/full
        // behind `>` shows only here, and must not pass for success.
        const bool flush_failed = std::fflush(stdout) != 0;
        const int err = errno;
        if (flush_failed || std::ferror(stdout)) {
          fmt::print(stderr, "healthc {}: cannot write standard output: {}\n", name,
                     flush_failed ? std::strerror(err) : "a write failed");
          return kExitErrors;
        }
        return code;
      } catch (const healthc::syntax::PluginError& e) {
        // The binary's parser cannot be loaded (syntax/plugin_loader.cpp): the installation's problem.
        fmt::print(stderr, "healthc {}: {}\n", name, e.what());
        return kExitErrors;
      } catch (const std::system_error& e) {
        // fmt::print throws when a large output cannot be written: a user's problem, not ours.
        if (std::ferror(stdout)) {
          fmt::print(stderr, "healthc {}: cannot write standard output: {}\n", name, e.code().message());
          return kExitErrors;
        }
        fmt::print(stderr, "healthc {}: internal error: {}\n", name, e.what());
        return kExitInternal;
      } catch (const std::exception& e) {
        fmt::print(stderr, "healthc {}: internal error: {}\n", name, e.what());
        return kExitInternal;
      }
    }
  std::vector<std::string> names;
  for (const auto& c : commands()) names.emplace_back(c.name);
  fmt::print(stderr, "healthc: unknown command `{}`{}\nTry 'healthc --help'.\n", name, healthc::did_you_mean(name, names));
  return kExitUsage;
}
