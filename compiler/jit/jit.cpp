// ORC LLJIT set-up: host target, the O2 pipeline (so the row loop vectorises where it can),
// process symbols (memcmp, calloc) visible to generated code, and the object cache.
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

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <cstdlib>
#include <mutex>

#include "compiler/codegen/codegen.h"
#include "compiler/ir/serialize.h"
#include "compiler/jit/cache_key.h"
#include "compiler/jit/object_cache.h"

static_assert(healthc::jit::kMaxSplitTileRows == healthc::codegen::kMaxTileRows);
#include "compiler/jit/pipeline.h"

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

void optimise(llvm::Module& m, llvm::TargetMachine& tm, llvm::OptimizationLevel level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  if (level.getSpeedupLevel() < 2) {  // split cards: vectorising every chunk's loop tripled compile time
    tuning.LoopVectorization = false;
    tuning.SLPVectorization = false;
    tuning.LoopUnrolling = false;
  }
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(level).run(m, mam);
}

// How hard to optimise a card by its size (codegen::code_size). Small cards: one kernel at
// O2, so the row loop vectorises. Larger ones are split into small functions
// (codegen/split_emit.h) whose time is in the sheer amount of code, so optimisation buys
// less per second of compiling. The bench card gen500 (basic, size about 9,000): O1 with
// vectorisation 8.6 s to compile and 2.8 us a row; O1 without it 2.5 s and 4.7 us; no IR
// passes and CodeGenOpt::None 0.5 s and 10.3 us (the evaluator: 39 us). docs/performance.md.
enum class Tier { Kernel, SplitOptimised, SplitFast };
constexpr size_t kFastCompileSize = 12000;  // about 700 measures: O1 + Less stays near 3 s

Tier tier_of(const ir::Program& program, Variant variant) {
  const size_t size = codegen::code_size(program, static_cast<codegen::Variant>(variant));
  return size <= codegen::kSplitSize ? Tier::Kernel : size <= kFastCompileSize ? Tier::SplitOptimised : Tier::SplitFast;
}

llvm::CodeGenOpt::Level codegen_level(Tier t) {
  return t == Tier::Kernel ? llvm::CodeGenOpt::Default : t == Tier::SplitOptimised ? llvm::CodeGenOpt::Less
                                                                                    : llvm::CodeGenOpt::None;
}

// Builds and optimises the module for the host.
llvm::Expected<std::unique_ptr<llvm::Module>> build_module(const ir::Program& program, llvm::LLVMContext& ctx,
                                                          llvm::orc::JITTargetMachineBuilder& jtmb, bool opt,
                                                          Variant variant) {
  const Tier tier = tier_of(program, variant);
  llvm::orc::JITTargetMachineBuilder builder = jtmb;
  builder.setCodeGenOptLevel(codegen_level(tier));
  auto tm = builder.createTargetMachine();
  if (!tm) return tm.takeError();
  auto module = codegen::generate(program, ctx, static_cast<codegen::Variant>(variant));
  module->setDataLayout((*tm)->createDataLayout());
  module->setTargetTriple((*tm)->getTargetTriple().str());
  std::string err;
  llvm::raw_string_ostream es(err);
  if (llvm::verifyModule(*module, &es))
    return llvm::make_error<llvm::StringError>("generated code is invalid: " + es.str(), llvm::inconvertibleErrorCode());
  if (opt && tier != Tier::SplitFast)
    optimise(*module, **tm, tier == Tier::Kernel ? llvm::OptimizationLevel::O2 : llvm::OptimizationLevel::O1);
  return module;
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> compile_object(const ir::Program& program,
                                                                  llvm::orc::JITTargetMachineBuilder& jtmb,
                                                                  Variant variant) {
  llvm::LLVMContext ctx;
  auto module = build_module(program, ctx, jtmb, true, variant);
  if (!module) return module.takeError();
  llvm::orc::JITTargetMachineBuilder builder = jtmb;
  builder.setCodeGenOptLevel(codegen_level(tier_of(program, variant)));
  auto tm = builder.createTargetMachine();
  if (!tm) return tm.takeError();
  llvm::SmallVector<char, 0> buf;
  llvm::raw_svector_ostream os(buf);
  llvm::legacy::PassManager pm;
  if ((*tm)->addPassesToEmitFile(pm, os, nullptr, llvm::CGFT_ObjectFile))
    return llvm::make_error<llvm::StringError>("cannot emit object code", llvm::inconvertibleErrorCode());
  pm.run(**module);
  return llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(buf.data(), buf.size()), "healthc-scorecard");
}

}  // namespace

// For the ahead-of-time emitter (compiler/jit/pipeline.h): the same set-up and pipeline.
namespace pipeline {
void init() { init_llvm(); }
llvm::Expected<std::unique_ptr<llvm::Module>> build(const ir::Program& program, llvm::LLVMContext& ctx,
                                                    const llvm::orc::JITTargetMachineBuilder& target, Variant variant) {
  llvm::orc::JITTargetMachineBuilder builder = target;
  return build_module(program, ctx, builder, true, variant);
}
llvm::CodeGenOpt::Level codegen_level(const ir::Program& program, Variant variant) {
  return jit::codegen_level(tier_of(program, variant));
}
const char* codegen_version() { return kCodegenVersion; }
std::string message(llvm::Error error) { return to_string(std::move(error)); }
}  // namespace pipeline

struct Compiler {
  // Loads `object` into a fresh JIT and finds the batch function.
  static llvm::Expected<std::unique_ptr<NativeScorer>> link(std::unique_ptr<llvm::MemoryBuffer> object,
                                                            llvm::orc::JITTargetMachineBuilder& jtmb, Variant variant) {
    auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(jtmb).create();
    if (!jit) return jit.takeError();
    auto gen = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess((*jit)->getDataLayout().getGlobalPrefix());
    if (!gen) return gen.takeError();
    (*jit)->getMainJITDylib().addGenerator(std::move(*gen));
    if (auto e = (*jit)->addObjectFile(std::move(object))) return e;
    auto fn = (*jit)->lookup(codegen::function_name(static_cast<codegen::Variant>(variant)));
    if (!fn) return fn.takeError();
    auto scorer = std::unique_ptr<NativeScorer>(new NativeScorer());
    scorer->impl_ = std::make_unique<NativeScorer::Impl>();
    scorer->fn_ = reinterpret_cast<ir::BatchFn>(fn->getAddress());
    scorer->impl_->jit = std::move(*jit);
    return scorer;
  }

  static CompileResult run(const ir::Program& program, Variant variant, const CacheOptions& cache) {
    init_llvm();
    CompileResult out;
    const size_t size = codegen::code_size(program, static_cast<codegen::Variant>(variant));
    if (size > kCompileBudget) {
      out.use_evaluator = true;
      out.notes.push_back("the card is too large to compile (" + std::to_string(size) + " operations, the budget is " +
                          std::to_string(kCompileBudget) + "): scoring with the reference evaluator");
      return out;
    }
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) {
      out.error = to_string(jtmb.takeError());
      return out;
    }
    jtmb->setCodeGenOptLevel(llvm::CodeGenOpt::Default);
    const std::string dir = cache.enabled ? cache_dir(cache) : "";
    std::unique_ptr<ObjectCache> store;
    if (!dir.empty()) store = std::make_unique<ObjectCache>(dir, cache_key(program, variant));
    if (store) {
      ObjectCache::Lookup hit = store->load();
      if (!hit.note.empty()) out.notes.push_back(hit.note);
      if (hit.hit) {
        auto scorer = link(llvm::MemoryBuffer::getMemBufferCopy(hit.object, "healthc-scorecard"), *jtmb, variant);
        if (scorer) {
          out.scorer = std::move(*scorer);
          out.from_cache = true;
          return out;
        }
        // It verified, so it is what we once wrote, but this LLVM cannot load it: replace it.
        store->discard();
        out.notes.push_back("discarded compiled-code cache entry `" + store->path() +
                            "`: it could not be loaded (" + to_string(scorer.takeError()) + "); compiled afresh");
      }
    }
    auto compiled = compile_object(program, *jtmb, variant);
    if (!compiled) {
      out.error = to_string(compiled.takeError());
      return out;
    }
    // Failing to cache is not an error, and not worth a note on every run (a read-only home).
    if (store) {
      const llvm::StringRef bytes = (*compiled)->getBuffer();
      (void)store->store(std::string_view(bytes.data(), bytes.size()));
    }
    auto scorer = link(std::move(*compiled), *jtmb, variant);
    if (!scorer) {
      out.error = to_string(scorer.takeError());
      return out;
    }
    out.scorer = std::move(*scorer);
    return out;
  }
};

size_t code_size(const ir::Program& program, Variant variant) {
  return codegen::code_size(program, static_cast<codegen::Variant>(variant));
}
bool is_split(const ir::Program& program, Variant variant) { return tier_of(program, variant) != Tier::Kernel; }

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
