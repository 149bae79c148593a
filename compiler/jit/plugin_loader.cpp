// The JIT's table for the `healthc` binary: libhealthc_jit.so (codegen, the JIT and libLLVM)
// dlopened on the first call that needs the compiler, so commands that do not compile (check,
// history, changes, ...) start without loading LLVM. Located beside the running binary, then in
// ../lib/healthc and the install libdir; $HEALTHC_JIT_PLUGIN names it instead.
#include <dlfcn.h>
#include <unistd.h>

#include <mutex>
#include <vector>

#include "compiler/jit/plugin_api.h"
#include "compiler/plugin_search.h"

#ifndef HEALTHC_JIT_PLUGIN_NAME
#error "HEALTHC_JIT_PLUGIN_NAME, HEALTHC_JIT_LIBDIR and HEALTHC_JIT_FULL_LIBDIR are set by compiler/CMakeLists.txt"
#endif

namespace healthc::jit {

namespace {

// Where to look, in order.
std::vector<std::string> candidates() {
  return plugin_candidates("HEALTHC_JIT_PLUGIN", HEALTHC_JIT_PLUGIN_NAME, HEALTHC_JIT_LIBDIR, HEALTHC_JIT_FULL_LIBDIR);
}

const Api* load(std::string& error) {
  const std::vector<std::string> paths = candidates();
  const std::string* found = nullptr;
  for (const std::string& p : paths)
    if (::access(p.c_str(), F_OK) == 0) {
      found = &p;
      break;
    }
  const char* fix = "reinstall healthc, set HEALTHC_JIT_PLUGIN to the plugin's path, or score with --engine eval";
  if (!found) {
    std::string looked;
    for (const std::string& p : paths) looked += (looked.empty() ? "`" : ", `") + p + "`";
    error = "the JIT plugin is missing (looked for " + looked + "); " + fix;
    return nullptr;
  }
  // dlopen searches the library path for a name without a slash: the file checked above is
  // the one loaded only with a path (HEALTHC_JIT_PLUGIN=libhealthc_jit.so names ./libhealthc_jit.so).
  const std::string path = found->find('/') == std::string::npos ? "./" + *found : *found;
  // Never closed: compiled code and its owners live until the process ends.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    error = "cannot load the JIT plugin `" + path + "`: " + (why ? why : "unknown error") + "; " + fix;
    return nullptr;
  }
  using Entry = const Api* (*)(uint32_t);
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, HEALTHC_JIT_PLUGIN_ENTRY));
  if (!entry) {
    error = "`" + path + "` is not a healthc JIT plugin (it has no " HEALTHC_JIT_PLUGIN_ENTRY "); " + fix;
    return nullptr;
  }
  const Api* table = entry(kPluginAbi);
  const std::string build = plugin_build();
  if (!table || table->abi != kPluginAbi || !table->build || build != table->build) {
    error = "the JIT plugin `" + path + "` belongs to another build of healthc (" +
            (table && table->build ? std::string(table->build) : std::string("another table version")) +
            "; this one is " + build + "); " + fix;
    return nullptr;
  }
  return table;
}

}  // namespace

const Api* api(std::string& error) {
  static std::once_flag once;
  static const Api* table = nullptr;
  static std::string load_error;
  std::call_once(once, [] { table = load(load_error); });
  if (!table) error = load_error;
  return table;
}

}  // namespace healthc::jit
