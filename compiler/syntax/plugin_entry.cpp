// libhealthc_syntax.so's one exported symbol (compiler/syntax/plugin.map): the parser's table
// (plugin_api.h) over the functions of parse.h and format.h, for a caller of the same table ABI.
#include "compiler/syntax/plugin_api.h"

extern "C" __attribute__((visibility("default"))) const healthc::syntax::Api* healthc_syntax_plugin_v1(uint32_t abi) {
  using namespace healthc;
  static const std::string build = syntax::plugin_build();
  static const syntax::Api table{syntax::kPluginAbi, build.c_str(), syntax::parse, syntax::written_name,
                                 format::format_card};
  return abi == syntax::kPluginAbi ? &table : nullptr;
}
