// What every fuzz target checks beyond "no crash": a broken invariant prints what broke and
// aborts, so libFuzzer saves the input like any other crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "compiler/diag/diagnostic.h"

namespace healthc::fuzz {

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline void require(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

// Every diagnostic has a code, a message, and ranges (its own and its notes') inside the file.
inline void check_diagnostics(const DiagnosticList& diags, size_t file_size) {
  for (const Diagnostic& d : diags.items()) {
    const std::string where = "diagnostic " + d.code + " `" + d.message + "`";
    require(!d.code.empty(), "a diagnostic without a code: `" + d.message + "`");
    require(!d.message.empty(), where + " has no message");
    require(d.range.begin <= d.range.end && d.range.end <= file_size,
            where + " has range [" + std::to_string(d.range.begin) + ", " + std::to_string(d.range.end) +
                ") outside the file of " + std::to_string(file_size) + " bytes");
    for (const DiagNote& n : d.notes)
      require(n.range.begin <= n.range.end && n.range.end <= file_size,
              where + " has a note `" + n.message + "` outside the file");
  }
}

}  // namespace healthc::fuzz
