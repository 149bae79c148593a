// Where the `healthc` binary looks for its plugins (the JIT's libhealthc_jit.so, the parser's
// libhealthc_syntax.so): beside the running binary, then in ../lib/healthc, ../LIBDIR/healthc
// and the install's FULL_LIBDIR/healthc; the environment variable `env` names one instead.
#pragma once

#include <dlfcn.h>
#include <unistd.h>

#include <cstdint>

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

// Finds and opens a plugin: the first of `paths` that exists, dlopened (never closed: what it
// made lives until the process ends), its entry `entry_name` asked for the table of version
// `abi`, whose `build` must be the binary's. Null with `error` set (saying which `kind` of
// plugin, e.g. "JIT", and ending with `fix`) when any step fails.
template <class Api>
const Api* open_plugin(const std::vector<std::string>& paths, const std::string& kind, const char* entry_name,
                       uint32_t abi, const std::string& build, const std::string& fix, std::string& error) {
  const std::string* found = nullptr;
  for (const std::string& p : paths)
    if (::access(p.c_str(), F_OK) == 0) {
      found = &p;
      break;
    }
  if (!found) {
    std::string looked;
    for (const std::string& p : paths) looked += (looked.empty() ? "`" : ", `") + p + "`";
    error = "the " + kind + " plugin is missing (looked for " + looked + "); " + fix;
    return nullptr;
  }
  // dlopen searches the library path for a name without a slash: the file checked above is
  // the one loaded only with a path (HEALTHC_JIT_PLUGIN=libhealthc_jit.so names ./libhealthc_jit.so).
  const std::string path = found->find('/') == std::string::npos ? "./" + *found : *found;
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    error = "cannot load the " + kind + " plugin `" + path + "`: " + (why ? why : "unknown error") + "; " + fix;
    return nullptr;
  }
  using Entry = const Api* (*)(uint32_t);
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, entry_name));
  if (!entry) {
    error = "`" + path + "` is not a healthc " + kind + " plugin (it has no " + entry_name + "); " + fix;
    return nullptr;
  }
  const Api* table = entry(abi);
  if (!table || table->abi != abi || !table->build || build != table->build) {
    error = "the " + kind + " plugin `" + path + "` belongs to another build of healthc (" +
            (table && table->build ? std::string(table->build) : std::string("another table version")) +
            "; this one is " + build + "); " + fix;
    return nullptr;
  }
  return table;
}

}  // namespace healthc
