// The parser for the `healthc` binary (plugin_api.h): syntax::parse, syntax::written_name and
// format::format_card forward to libhealthc_syntax.so, dlopened by the first call. Found as the
// JIT plugin is (compiler/plugin_search.h); $HEALTHC_SYNTAX_PLUGIN names it instead. A binary
// without its parser cannot read any card: the first call throws PluginError, which main()
// reports with the path and what to do.
#include <dlfcn.h>
#include <unistd.h>

#include <mutex>
#include <vector>

#include "compiler/plugin_search.h"
#include "compiler/syntax/plugin_api.h"

#ifndef HEALTHC_SYNTAX_PLUGIN_NAME
#error "HEALTHC_SYNTAX_PLUGIN_NAME, HEALTHC_PLUGIN_LIBDIR and HEALTHC_PLUGIN_FULL_LIBDIR are set by compiler/CMakeLists.txt"
#endif

namespace healthc::syntax {

namespace {

const Api* load(std::string& error) {
  const std::vector<std::string> paths = plugin_candidates("HEALTHC_SYNTAX_PLUGIN", HEALTHC_SYNTAX_PLUGIN_NAME,
                                                           HEALTHC_PLUGIN_LIBDIR, HEALTHC_PLUGIN_FULL_LIBDIR);
  const std::string* found = nullptr;
  for (const std::string& p : paths)
    if (::access(p.c_str(), F_OK) == 0) {
      found = &p;
      break;
    }
  const char* fix = "reinstall healthc, or set HEALTHC_SYNTAX_PLUGIN to the plugin's path";
  if (!found) {
    std::string looked;
    for (const std::string& p : paths) looked += (looked.empty() ? "`" : ", `") + p + "`";
    error = "the parser plugin is missing (looked for " + looked + "); " + fix;
    return nullptr;
  }
  // A name without a slash is the file checked above, not a search of the library path.
  const std::string path = found->find('/') == std::string::npos ? "./" + *found : *found;
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);  // never closed: ASTs outlive calls
  if (!handle) {
    const char* why = ::dlerror();
    error = "cannot load the parser plugin `" + path + "`: " + (why ? why : "unknown error") + "; " + fix;
    return nullptr;
  }
  using Entry = const Api* (*)(uint32_t);
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, HEALTHC_SYNTAX_PLUGIN_ENTRY));
  if (!entry) {
    error = "`" + path + "` is not a healthc parser plugin (it has no " HEALTHC_SYNTAX_PLUGIN_ENTRY "); " + fix;
    return nullptr;
  }
  const Api* table = entry(kPluginAbi);
  const std::string build = plugin_build();
  if (!table || table->abi != kPluginAbi || !table->build || build != table->build) {
    error = "the parser plugin `" + path + "` belongs to another build of healthc (" +
            (table && table->build ? std::string(table->build) : std::string("another table version")) +
            "; this one is " + build + "); " + fix;
    return nullptr;
  }
  return table;
}

const Api& table() {
  static std::once_flag once;
  static const Api* loaded = nullptr;
  static std::string error;
  std::call_once(once, [] { loaded = load(error); });
  if (!loaded) throw PluginError(error);
  return *loaded;
}

}  // namespace

ParseResult parse(const SourceFile& file, DiagnosticList& diags) { return table().parse(file, diags); }
std::string written_name(const std::string& name) { return table().written_name(name); }

}  // namespace healthc::syntax

namespace healthc::format {

FormatResult format_card(std::string path, std::string_view text) {
  return syntax::table().format_card(std::move(path), text);
}

}  // namespace healthc::format
