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

enum class DiagFormat { Text, Json };
bool parse_diag_format(const std::string& s, DiagFormat& out);

// Prints a front end's diagnostics (or its read failure) to stderr (text) or stdout (json).
void print_diagnostics(const FrontendResult& r, const std::string& path, DiagFormat format, bool color);

}  // namespace healthc::driver
