// `healthc compile CARD --emit ir|llvm|llvm-raw|asm`: shows what each stage made.
#include <fmt/format.h>

#include "compiler/driver/scoring_options.h"
#include "compiler/jit/jit.h"

namespace healthc::driver {

int run_compile(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("card", po::value<std::string>()->required(), "the scorecard (.health)")
      ("emit", po::value<std::string>()->default_value("ir"),
       "`ir` (scoring IR), `llvm` (optimised LLVM IR), `llvm-raw` (before optimisation) or `asm`");
  add_scoring_options(opts);
  po::positional_options_description pos;
  pos.add("card", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("compile", "CARD [--emit ir|llvm|llvm-raw|asm]\n\nPrints a stage's output for CARD.", opts, pos,
                     args, vm, code))
    return code;
  const std::string emit = vm["emit"].as<std::string>();
  if (emit != "ir" && emit != "llvm" && emit != "llvm-raw" && emit != "asm")
    return usage_error("compile", "--emit must be `ir`, `llvm`, `llvm-raw` or `asm`");
  // The IR needs no native code: compile with the evaluator engine, then emit on demand.
  std::vector<std::string> engine_args = args;
  auto card = load_scorecard("compile", vm, code);
  if (!card) return code;
  if (emit == "ir") fmt::print("{}", ir::print(card->program()));
  else
    fmt::print("{}", jit::emit_text(card->program(), emit == "asm"        ? jit::Emit::Asm
                                                     : emit == "llvm-raw" ? jit::Emit::LlvmUnoptimized
                                                                          : jit::Emit::Llvm));
  return kExitOk;
}

}  // namespace healthc::driver
