// The JIT's table where the JIT is linked in (libhealthc.so, the tests, the benchmarks).
#include "compiler/jit/plugin_api.h"

namespace healthc::jit {

const Api* api(std::string&) { return &linked_table(); }

}  // namespace healthc::jit
