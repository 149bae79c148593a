// What every `healthc` subcommand shares: parsing its options, usage errors, printing
// diagnostics, and the exit codes (docs/cli.md has the table).
#pragma once

#include <boost/program_options.hpp>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "compiler/frontend.h"

namespace healthc::driver {

inline constexpr int kExitOk = 0;
inline constexpr int kExitErrors = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRejects = 3;      // some data rows rejected, the others scored
inline constexpr int kExitAllRejected = 4;  // every data row rejected: nothing scored
inline constexpr int kExitInternal = 70;    // a bug of healthc's (EX_SOFTWARE)

// The exit codes, for `healthc man` (docs/cli.md says the same).
struct ExitCode {
  int code;
  const char* meaning;
};
inline constexpr ExitCode kExitCodes[] = {
    {kExitOk, "success (lint: no errors, or no warnings with --werror; test: every case passed)"},
    {kExitErrors, "an error in the user's files or environment: a card with errors, data or a store that cannot be "
                  "read, an output that cannot be written, a failed test case"},
    {kExitUsage, "a usage error: a missing argument, an unknown option, a bad value"},
    {kExitRejects, "some data rows were rejected; every other row was scored"},
    {kExitAllRejected, "every data row was rejected: nothing was scored"},
    {kExitInternal, "an internal error of healthc (a bug: please report it)"},
};

// The exit code of a run that read `read` data rows and rejected `rejected` of them.
inline int rows_exit_code(uint64_t read, uint64_t rejected) {
  return rejected == 0 ? kExitOk : rejected >= read ? kExitAllRejected : kExitRejects;
}

namespace po = boost::program_options;

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
};
const std::vector<Command>& commands();

// Parses a subcommand's arguments. On --help prints the help and returns kExitOk through
// `exit_code`; on a usage error prints it and returns kExitUsage. Returns true to go on.
bool parse_options(const std::string& command, const std::string& synopsis, const po::options_description& opts,
                   const po::positional_options_description& positional, const std::vector<std::string>& args,
                   po::variables_map& vm, int& exit_code);

int usage_error(const std::string& command, const std::string& message);

bool stream_is_terminal(std::FILE* f);
// Colors when stderr is a terminal, unless NO_COLOR is set or --color says otherwise.
bool use_color(const std::string& when, std::FILE* f);

// `--format`: the same word means the same thing on every command (docs/cli.md has the matrix):
// text for people; json a JSON document (or JSON Lines of diagnostics), jsonl JSON Lines, csv,
// markdown (for a pull request), sarif, junit (for CI), html.
enum class Format { Text, Json, Jsonl, Csv, Markdown, Sarif, Junit, Html };
const char* format_name(Format f);
// Adds `--format` with the one option text: `allowed[0]` is the default unless `has_default` is
// false (then `note` says what the default is). `note` says what a format means on this command.
void add_format_option(po::options_description& opts, const std::vector<Format>& allowed, const std::string& note = {},
                       bool has_default = true);
// --format's value (allowed[0] when absent). False after a usage error naming the allowed ones.
bool read_format(const std::string& command, const po::variables_map& vm, const std::vector<Format>& allowed,
                 Format& out, int& exit_code);

// A command's table as parse_options saw it: what `healthc completion` and `healthc man` are
// generated from, so that every command's options appear there as in its --help.
struct OptionSpec {
  std::string long_name, short_name;  // without dashes
  bool takes_value = false;
  std::string default_text;  // as --help prints it (`0.7`), or empty
  std::string description;
  std::vector<std::string> choices;  // the values it takes, when they are a fixed set
};
struct CommandSpec {
  std::string name, summary;
  std::string usage;        // the synopsis' first line: `CARD DATA [options]`
  std::string description;  // the synopsis' other lines
  std::vector<std::string> positional;  // names in order (`card`, `data`)
  std::vector<OptionSpec> arguments;    // the positionals' descriptions (and choices), in order
  bool last_repeats = false;            // the last positional takes a list
  std::vector<OptionSpec> options;      // without --help
  bool captured = false;                // false: the command does not use parse_options
};
// Every command's table, in the order of commands(): each command is run with --help while
// parse_options captures its table instead of printing it.
std::vector<CommandSpec> command_specs();

enum class DiagFormat { Text, Json };
bool parse_diag_format(const std::string& s, DiagFormat& out);

// Prints a front end's diagnostics (or its read failure) to stderr (text) or stdout (json).
void print_diagnostics(const FrontendResult& r, const std::string& path, DiagFormat format, bool color);

}  // namespace healthc::driver
