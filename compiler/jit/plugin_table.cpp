// The JIT's table (plugin_api.h) over the functions of jit.h and aot.h: exported by the plugin
// (plugin_entry.cpp), returned directly where the JIT is linked in (plugin_linked.cpp).
#include "compiler/jit/plugin_api.h"

namespace healthc::jit {

namespace {

NativeCode compile_native(const ir::Program& program, Variant variant, const CacheOptions& cache) {
  CompileResult r = compile(program, variant, cache);
  NativeCode code;
  code.notes = std::move(r.notes);
  code.use_evaluator = r.use_evaluator;
  if (!r.scorer) {
    code.error = r.error;
    return code;
  }
  code.fn = r.scorer->function();
  // Made here, so the deleter that runs ~NativeScorer (and LLVM's destructors) is this module's.
  code.owner = std::shared_ptr<NativeScorer>(std::move(r.scorer));
  return code;
}

}  // namespace

const Api& linked_table() {
  static const std::string build = plugin_build();
  static const Api table{kPluginAbi, build.c_str(), compile_native, write_artefact, emit_text, code_size, is_split};
  return table;
}

}  // namespace healthc::jit
