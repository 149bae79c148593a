// The batch functions' symbol names in generated code: no LLVM here, so the LLVM-free loader
// of cached code (compiler/jit/cached_code.h) finds them by the same names codegen gives them.
#pragma once

namespace healthc::codegen {

inline constexpr const char* kBasicFunction = "healthc_score_batch";
inline constexpr const char* kDetailFunction = "healthc_score_batch_detail";

}  // namespace healthc::codegen
