// The JIT's table for the `healthc` binary: libhealthc_jit.so (codegen, the JIT and libLLVM)
// dlopened on the first call that needs the compiler, so commands that do not compile (check,
// history, changes, ...) start without loading LLVM. Located beside the running binary, then in
// ../lib/healthc and the install libdir; $HEALTHC_JIT_PLUGIN names it instead.
#include <mutex>
#include <vector>

#include "compiler/jit/plugin_api.h"
#include "compiler/plugin_search.h"

#ifndef HEALTHC_JIT_PLUGIN_NAME
#error "HEALTHC_JIT_PLUGIN_NAME, HEALTHC_JIT_LIBDIR and HEALTHC_JIT_FULL_LIBDIR are set by compiler/CMakeLists.txt"
#endif

namespace healthc::jit {

namespace {

const Api* load(std::string& error) {
  return open_plugin<Api>(
      plugin_candidates("HEALTHC_JIT_PLUGIN", HEALTHC_JIT_PLUGIN_NAME, HEALTHC_JIT_LIBDIR, HEALTHC_JIT_FULL_LIBDIR),
      "JIT", HEALTHC_JIT_PLUGIN_ENTRY, kPluginAbi, plugin_build(),
      "reinstall healthc, set HEALTHC_JIT_PLUGIN to the plugin's path, or score with --engine eval", error);
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
