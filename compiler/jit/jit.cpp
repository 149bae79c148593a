// ORC LLJIT set-up: host target, the O2 pipeline (so the row loop vectorises where it can),
// and process symbols (memcmp) visible to generated code.
#include "compiler/jit/jit.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <llvm/ADT/StringExtras.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/SHA1.h>

#include <cstdlib>
#include <fstream>
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
                                                          llvm::orc::JITTargetMachineBuilder& jtmb, bool opt,
                                                          Variant variant) {
  auto tm = jtmb.createTargetMachine();
  if (!tm) return tm.takeError();
  auto module = codegen::generate(program, ctx, static_cast<codegen::Variant>(variant));
  module->setDataLayout((*tm)->createDataLayout());
  module->setTargetTriple((*tm)->getTargetTriple().str());
  std::string err;
  llvm::raw_string_ostream es(err);
  if (llvm::verifyModule(*module, &es))
    return llvm::make_error<llvm::StringError>("generated code is invalid: " + es.str(), llvm::inconvertibleErrorCode());
  if (opt) optimise(*module, **tm);
  return module;
}

// Bump when generated code changes for the same IR, so old cached objects are not reused.
constexpr const char* kCodegenVersion = "healthc-codegen-2";

std::string cache_key(const ir::Program& program, const llvm::orc::JITTargetMachineBuilder& jtmb, Variant variant) {
  llvm::SHA1 sha;
  sha.update(kCodegenVersion);
  sha.update(variant == Variant::Basic ? "basic" : "detail");
  sha.update(LLVM_VERSION_STRING);
  sha.update(jtmb.getTargetTriple().str());
  sha.update(jtmb.getCPU());
  sha.update(jtmb.getFeatures().getString());
  sha.update(ir::print(program));
  return llvm::toHex(sha.final(), true);
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> compile_object(const ir::Program& program,
                                                                  llvm::orc::JITTargetMachineBuilder& jtmb,
                                                                  Variant variant) {
  llvm::LLVMContext ctx;
  auto module = build_module(program, ctx, jtmb, true, variant);
  if (!module) return module.takeError();
  auto tm = jtmb.createTargetMachine();
  if (!tm) return tm.takeError();
  llvm::SmallVector<char, 0> buf;
  llvm::raw_svector_ostream os(buf);
  llvm::legacy::PassManager pm;
  if ((*tm)->addPassesToEmitFile(pm, os, nullptr, llvm::CGFT_ObjectFile))
    return llvm::make_error<llvm::StringError>("cannot emit object code", llvm::inconvertibleErrorCode());
  pm.run(**module);
  return llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(buf.data(), buf.size()), "healthc-scorecard");
}

// Stores `obj` as `path` atomically (write aside, rename), so concurrent runs never read a
// partial object. Failure to cache is not an error.
void store(const std::string& dir, const std::string& path, const llvm::MemoryBuffer& obj) {
  if (llvm::sys::fs::create_directories(dir)) return;
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(obj.getBufferStart(), static_cast<std::streamsize>(obj.getBufferSize()));
    if (!out) return;
  }
  if (llvm::sys::fs::rename(tmp, path)) llvm::sys::fs::remove(tmp);
}

}  // namespace

std::string cache_dir(const CacheOptions& cache) {
  if (!cache.dir.empty()) return cache.dir;
  if (const char* d = std::getenv("HEALTHC_CACHE_DIR"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::string(d) + "/healthc";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/healthc";
  return {};
}

struct Compiler {
  static CompileResult run(const ir::Program& program, Variant variant, const CacheOptions& cache) {
    init_llvm();
    CompileResult out;
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) return {nullptr, to_string(jtmb.takeError())};
    jtmb->setCodeGenOptLevel(llvm::CodeGenOpt::Default);
    const std::string dir = cache.enabled ? cache_dir(cache) : "";
    const std::string path = dir.empty() ? "" : dir + "/" + cache_key(program, *jtmb, variant) + ".o";
    std::unique_ptr<llvm::MemoryBuffer> object;
    if (!path.empty()) {
      if (auto cached = llvm::MemoryBuffer::getFile(path)) {
        object = std::move(*cached);
        out.from_cache = true;
      }
    }
    if (!object) {
      auto compiled = compile_object(program, *jtmb, variant);
      if (!compiled) return {nullptr, to_string(compiled.takeError())};
      object = std::move(*compiled);
      if (!path.empty()) store(dir, path, *object);
    }
    auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(*jtmb).create();
    if (!jit) return {nullptr, to_string(jit.takeError())};
    auto gen = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess((*jit)->getDataLayout().getGlobalPrefix());
    if (!gen) return {nullptr, to_string(gen.takeError())};
    (*jit)->getMainJITDylib().addGenerator(std::move(*gen));
    if (auto e = (*jit)->addObjectFile(std::move(object))) return {nullptr, to_string(std::move(e))};
    auto scorer = std::unique_ptr<NativeScorer>(new NativeScorer());
    scorer->impl_ = std::make_unique<NativeScorer::Impl>();
    auto fn = (*jit)->lookup(codegen::function_name(static_cast<codegen::Variant>(variant)));
    if (!fn) return {nullptr, to_string(fn.takeError())};
    scorer->fn_ = reinterpret_cast<ir::BatchFn>(fn->getAddress());
    scorer->impl_->jit = std::move(*jit);
    out.scorer = std::move(scorer);
    return out;
  }
};

CompileResult compile(const ir::Program& program, Variant variant, const CacheOptions& cache) {
  return Compiler::run(program, variant, cache);
}

std::string emit_text(const ir::Program& program, Emit what, Variant variant) {
  init_llvm();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) return "error: " + to_string(jtmb.takeError()) + "\n";
  llvm::LLVMContext ctx;
  auto module = build_module(program, ctx, *jtmb, what != Emit::LlvmUnoptimized, variant);
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
