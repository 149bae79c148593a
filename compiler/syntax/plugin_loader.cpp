// The parser for the `healthc` binary (plugin_api.h): syntax::parse, syntax::written_name and
// format::format_card forward to libhealthc_syntax.so, dlopened by the first call. Found as the
// JIT plugin is (compiler/plugin_search.h); $HEALTHC_SYNTAX_PLUGIN names it instead. A binary
// without its parser cannot read any card: the first call throws PluginError, which main()
// reports with the path and what to do.
#include <sys/stat.h>

#include <fmt/format.h>

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
  return open_plugin<Api>(plugin_candidates("HEALTHC_SYNTAX_PLUGIN", HEALTHC_SYNTAX_PLUGIN_NAME, HEALTHC_PLUGIN_LIBDIR,
                                            HEALTHC_PLUGIN_FULL_LIBDIR),
                          "parser", HEALTHC_SYNTAX_PLUGIN_ENTRY, kPluginAbi, plugin_build(),
                          "reinstall healthc, or set HEALTHC_SYNTAX_PLUGIN to the plugin's path", error);
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

std::string parser_identity() {
  for (const std::string& p : plugin_candidates("HEALTHC_SYNTAX_PLUGIN", HEALTHC_SYNTAX_PLUGIN_NAME,
                                                HEALTHC_PLUGIN_LIBDIR, HEALTHC_PLUGIN_FULL_LIBDIR)) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) continue;
    return fmt::format("{} {} {} {} {}.{}", p, st.st_dev, st.st_ino, st.st_size, st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
  }
  return "no parser plugin";
}

ParseResult parse(const SourceFile& file, DiagnosticList& diags) { return table().parse(file, diags); }
std::string written_name(const std::string& name) { return table().written_name(name); }

}  // namespace healthc::syntax

namespace healthc::format {

FormatResult format_card(std::string path, std::string_view text) {
  return syntax::table().format_card(std::move(path), text);
}

}  // namespace healthc::format
