// Where the `healthc` binary looks for its plugins (the JIT's libhealthc_jit.so, the parser's
// libhealthc_syntax.so): beside the running binary, then in ../lib/healthc, ../LIBDIR/healthc
// and the install's FULL_LIBDIR/healthc; the environment variable `env` names one instead.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

namespace healthc {

inline std::string executable_dir() {
  std::string path(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size());
  if (n <= 0 || static_cast<size_t>(n) >= path.size()) return {};
  path.resize(static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// The places to look, in order.
inline std::vector<std::string> plugin_candidates(const char* env, const std::string& name, const std::string& libdir,
                                                  const std::string& full_libdir) {
  if (const char* given = std::getenv(env); given && *given) return {given};
  std::vector<std::string> out;
  if (const std::string dir = executable_dir(); !dir.empty()) {
    out.push_back(dir + "/" + name);
    out.push_back(dir + "/../lib/healthc/" + name);
    out.push_back(dir + "/../" + libdir + "/healthc/" + name);
  }
  out.push_back(full_libdir + "/healthc/" + name);
  std::vector<std::string> unique;  // ../lib and ../$libdir are often the same place
  for (std::string& p : out)
    if (std::find(unique.begin(), unique.end(), p) == unique.end()) unique.push_back(std::move(p));
  return unique;
}

}  // namespace healthc
