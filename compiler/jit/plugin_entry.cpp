// libhealthc_jit.so's one exported symbol (compiler/jit/plugin.map): the JIT's table for a
// caller built against the same table ABI.
#include "compiler/jit/plugin_api.h"

extern "C" __attribute__((visibility("default"))) const healthc::jit::Api* healthc_jit_plugin_v1(uint32_t abi) {
  return abi == healthc::jit::kPluginAbi ? &healthc::jit::linked_table() : nullptr;
}
