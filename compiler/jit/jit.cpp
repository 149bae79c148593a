// ORC LLJIT set-up: host target, the O2 pipeline (so the row loop vectorises where it can),
// and process symbols (memcmp) visible to generated code.
#include "compiler/jit/jit.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <mutex>

#include "compiler/codegen/codegen.h"

namespace healthc::jit {

struct NativeScorer::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};
NativeScorer::~NativeScorer() = default;

namespace {

void init_llvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

std::string to_string(llvm::Error e) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << e;
  return os.str();
}

void optimise(llvm::Module& m, llvm::TargetMachine& tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(m, mam);
}

// Builds and optimises the module for the host.
llvm::Expected<std::unique_ptr<llvm::Module>> build_module(const ir::Program& program, llvm::LLVMContext& ctx,
                                                          llvm::orc::JITTargetMachineBuilder& jtmb, bool opt) {
  auto tm = jtmb.createTargetMachine();
  if (!tm) return tm.takeError();
  auto module = codegen::generate(program, ctx);
  module->setDataLayout((*tm)->createDataLayout());
  module->setTargetTriple((*tm)->getTargetTriple().str());
  std::string err;
  llvm::raw_string_ostream es(err);
  if (llvm::verifyModule(*module, &es))
    return llvm::make_error<llvm::StringError>("generated code is invalid: " + es.str(), llvm::inconvertibleErrorCode());
  if (opt) optimise(*module, **tm);
  return module;
}

}  // namespace

struct Compiler {
  static CompileResult run(const ir::Program& program) {
    init_llvm();
    CompileResult out;
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) return {nullptr, to_string(jtmb.takeError())};
    jtmb->setCodeGenOptLevel(llvm::CodeGenOpt::Default);
    auto ctx = std::make_unique<llvm::LLVMContext>();
    auto module = build_module(program, *ctx, *jtmb, true);
    if (!module) return {nullptr, to_string(module.takeError())};
    auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(*jtmb).create();
    if (!jit) return {nullptr, to_string(jit.takeError())};
    auto gen = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess((*jit)->getDataLayout().getGlobalPrefix());
    if (!gen) return {nullptr, to_string(gen.takeError())};
    (*jit)->getMainJITDylib().addGenerator(std::move(*gen));
    if (auto e = (*jit)->addIRModule(llvm::orc::ThreadSafeModule(std::move(*module), std::move(ctx))))
      return {nullptr, to_string(std::move(e))};
    auto scorer = std::unique_ptr<NativeScorer>(new NativeScorer());
    scorer->impl_ = std::make_unique<NativeScorer::Impl>();
    auto basic = (*jit)->lookup(codegen::kBasicFunction);
    if (!basic) return {nullptr, to_string(basic.takeError())};
    auto detail = (*jit)->lookup(codegen::kDetailFunction);
    if (!detail) return {nullptr, to_string(detail.takeError())};
    scorer->basic_ = reinterpret_cast<ir::BatchFn>(basic->getAddress());
    scorer->detail_ = reinterpret_cast<ir::BatchFn>(detail->getAddress());
    scorer->impl_->jit = std::move(*jit);
    out.scorer = std::move(scorer);
    return out;
  }
};

CompileResult compile(const ir::Program& program) { return Compiler::run(program); }

std::string emit_text(const ir::Program& program, Emit what) {
  init_llvm();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) return "error: " + to_string(jtmb.takeError()) + "\n";
  llvm::LLVMContext ctx;
  auto module = build_module(program, ctx, *jtmb, what != Emit::LlvmUnoptimized);
  if (!module) return "error: " + to_string(module.takeError()) + "\n";
  std::string out;
  llvm::raw_string_ostream os(out);
  if (what != Emit::Asm) {
    (*module)->print(os, nullptr);
    return os.str();
  }
  auto tm = jtmb->createTargetMachine();
  if (!tm) return "error: " + to_string(tm.takeError()) + "\n";
  llvm::SmallString<0> buf;
  llvm::raw_svector_ostream bos(buf);
  llvm::legacy::PassManager pm;
  if ((*tm)->addPassesToEmitFile(pm, bos, nullptr, llvm::CGFT_AssemblyFile)) return "error: cannot emit assembly\n";
  pm.run(**module);
  return std::string(buf.str());
}

}  // namespace healthc::jit
