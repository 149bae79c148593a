// Ahead-of-time artefacts: both batch variants through the JIT's own pipeline
// (compiler/jit/pipeline.h) for a chosen CPU, linked into one module with the constants the
// loader checks (runtime/aot/layout.h), emitted as a position-independent object file and,
// for --emit shared, linked into a shared object by the system's C compiler driver.
#include "compiler/jit/aot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/Linker/Linker.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "compiler/codegen/codegen.h"
#include "compiler/ir/batch_abi.h"
#include "compiler/ir/serialize.h"
#include "compiler/ir/verify.h"
#include "compiler/jit/pipeline.h"
#include "runtime/aot/cpu.h"
#include "runtime/aot/layout.h"

extern char** environ;

#ifndef HEALTHC_VERSION_STRING
#define HEALTHC_VERSION_STRING "unknown"
#endif

namespace healthc::jit {

namespace {

const char* artefact_function(Variant v) { return v == Variant::Basic ? aot::symbol::kBasic : aot::symbol::kDetail; }

// The target for --cpu: the host as the JIT sees it, or a named x86-64 level with no extra
// features. Position-independent either way: the object goes into a shared object.
llvm::Expected<llvm::orc::JITTargetMachineBuilder> target_for(const std::string& cpu) {
  llvm::orc::JITTargetMachineBuilder target{llvm::Triple(llvm::sys::getProcessTriple())};
  if (cpu == "native") {
    auto host = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!host) return host.takeError();
    target = std::move(*host);
  } else {
    if (target.getTargetTriple().getArch() != llvm::Triple::x86_64)
      return llvm::make_error<llvm::StringError>("--cpu " + cpu + " is an x86-64 level, but this machine is " +
                                                     target.getTargetTriple().getArchName().str() +
                                                     ": use --cpu native",
                                                 llvm::inconvertibleErrorCode());
    target.setCPU(cpu);
  }
  target.setRelocationModel(llvm::Reloc::PIC_);
  target.setCodeGenOptLevel(llvm::CodeGenOpt::Default);
  return target;
}

void add_constant(llvm::Module& m, llvm::Constant* value, const char* name) {
  auto* g = new llvm::GlobalVariable(m, value->getType(), true, llvm::GlobalValue::ExternalLinkage, value, name);
  g->setAlignment(llvm::Align(8));
}

void add_string(llvm::Module& m, const std::string& s, const char* name) {
  add_constant(m, llvm::ConstantDataArray::getString(m.getContext(), s, true), name);
}

// The checked features (runtime/aot/cpu.h) that `tm` generates code for, comma-separated.
std::string features_of(const llvm::TargetMachine& tm) {
  std::string out;
  const llvm::MCSubtargetInfo* sti = tm.getMCSubtargetInfo();
  for (std::string_view f : aot::kCheckedFeatures) {
    std::string enable(1, '+');  // built up, not "+" + f: GCC 12 warns falsely (-Wrestrict) on that
    enable += f;
    if (sti->checkFeatures(enable)) {
      if (!out.empty()) out += ',';
      out += f;
    }
  }
  return out;
}

// Writes `bytes` to a fresh file beside `path` and returns its name (empty, with `error`).
std::string write_temp(const std::string& path, std::string_view bytes, const char* suffix, std::string& error) {
  std::string name = path + ".tmp-XXXXXX" + suffix;
  const int fd = mkstemps(name.data(), static_cast<int>(std::strlen(suffix)));
  if (fd < 0) {
    error = "cannot write beside `" + path + "`: " + std::strerror(errno);
    return {};
  }
  (void)::fchmod(fd, 0644);  // an artefact is for others to read, unlike mkstemp's 0600
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = "cannot write `" + name + "`: " + std::strerror(errno);
      ::close(fd);
      std::remove(name.c_str());
      return {};
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    error = "cannot write `" + name + "`: " + std::strerror(errno);
    std::remove(name.c_str());
    return {};
  }
  return name;
}

// The C compiler driver: $CC (which may carry arguments, as in `ccache gcc`), else `cc`.
std::vector<std::string> c_compiler() {
  std::vector<std::string> words;
  const char* env = std::getenv("CC");
  std::istringstream in(env && *env ? env : "cc");
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty()) words.push_back("cc");
  return words;
}

// Runs `argv`, collecting what it prints; the exit status, or -1 when it could not start.
int run_tool(const std::vector<std::string>& argv, std::string& output, int& spawn_errno) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) {
    spawn_errno = errno;
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], 2);
  posix_spawn_file_actions_addclose(&actions, pipefd[0]);
  posix_spawn_file_actions_addclose(&actions, pipefd[1]);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipefd[1]);
  if (rc != 0) {
    ::close(pipefd[0]);
    spawn_errno = rc;
    return -1;
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, static_cast<size_t>(n));
  }
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// Links `object` (a file) into the shared object `out`; an error sentence, or empty.
std::string link_shared(const std::string& object, const std::string& out) {
  std::vector<std::string> argv = c_compiler();
  const std::string driver = argv[0];
  // No start files: they would give the artefact initialisation and finalisation code (DT_INIT,
  // DT_INIT_ARRAY, DT_FINI), which the loader refuses, since dlopen would run it before any check.
  for (const char* a : {"-shared", "-nostartfiles", "-o"}) argv.push_back(a);
  argv.push_back(out);
  argv.push_back(object);
  argv.push_back("-lm");  // log and sqrt; floor and round are inlined at every x86-64 level we target
  std::string output;
  int spawn_errno = 0;
  const int status = run_tool(argv, output, spawn_errno);
  if (status < 0)
    return "cannot link the shared object: the C compiler `" + driver + "` could not be run (" +
           std::strerror(spawn_errno) + "); install one, set $CC to one, or use --emit obj and link it yourself";
  if (status != 0) {
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    return "linking the shared object with `" + driver + "` failed (exit status " + std::to_string(status) + ")" +
           (output.empty() ? "" : ":\n" + output);
  }
  return {};
}

// Appends the checksum trailer (runtime/aot/layout.h) to the linked shared object.
std::string append_trailer(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return "cannot read the linked shared object `" + path + "`";
  const uint64_t sum = aot::checksum(bytes.str());
  std::string trailer(aot::kTrailerMagic);
  for (int i = 0; i < 8; ++i) trailer.push_back(static_cast<char>(sum >> (8 * i) & 0xff));
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(trailer.data(), static_cast<std::streamsize>(trailer.size()));
  out.close();
  if (!out) return "cannot write `" + path + "`: " + std::strerror(errno);
  return {};
}

}  // namespace

std::string emit_artefact_object(const ir::Program& program, const ArtefactOptions& options, ArtefactResult& result) {
  pipeline::init();
  if (!is_aot_cpu(options.cpu)) {
    result.error = "--cpu must be `native`, `x86-64-v2`, `x86-64-v3` or `x86-64-v4`";
    return {};
  }
  // The loader refuses a program that does not verify: better to say so now than ship it.
  if (const std::vector<std::string> problems = ir::verify(program); !problems.empty()) {
    result.error = "the scoring IR is invalid (" + problems.front() + "): this is a bug in healthc";
    return {};
  }
  auto target = target_for(options.cpu);
  if (!target) {
    result.error = pipeline::message(target.takeError());
    return {};
  }
  llvm::LLVMContext ctx;
  std::unique_ptr<llvm::Module> merged;
  // One back-end level for the module: the lower of the two variants' (they differ only for
  // split cards, where the detail variant is the larger). Either way the results are the same.
  llvm::CodeGenOpt::Level level = llvm::CodeGenOpt::Aggressive;
  for (Variant v : {Variant::Basic, Variant::Detail}) {
    const size_t size = code_size(program, v);
    if (size > kCompileBudget) {
      result.notes.push_back(std::string("the card is too large to compile its ") +
                             (v == Variant::Basic ? "basic" : "detail") + " variant (" + std::to_string(size) +
                             " operations, the budget is " + std::to_string(kCompileBudget) +
                             "): the artefact holds its IR and the reference evaluator scores it");
      continue;
    }
    auto module = pipeline::build(program, ctx, *target, v);
    if (!module) {
      result.error = "code generation failed: " + pipeline::message(module.takeError());
      return {};
    }
    llvm::Function* fn = (*module)->getFunction(codegen::function_name(static_cast<codegen::Variant>(v)));
    if (!fn) {
      result.error = "code generation failed: the module has no batch function";
      return {};
    }
    fn->setName(artefact_function(v));
    level = std::min(level, pipeline::codegen_level(program, v));
    if (!merged) merged = std::move(*module);
    else if (llvm::Linker::linkModules(*merged, std::move(*module))) {
      result.error = "code generation failed: the two variants could not be linked into one module";
      return {};
    }
  }
  llvm::orc::JITTargetMachineBuilder builder = *target;
  builder.setCodeGenOptLevel(level == llvm::CodeGenOpt::Aggressive ? llvm::CodeGenOpt::Default : level);
  auto tm = builder.createTargetMachine();
  if (!tm) {
    result.error = pipeline::message(tm.takeError());
    return {};
  }
  if (!merged) {  // both variants past the budget: the IR alone
    merged = std::make_unique<llvm::Module>("healthc-artefact", ctx);
    merged->setDataLayout((*tm)->createDataLayout());
    merged->setTargetTriple((*tm)->getTargetTriple().str());
  }
  result.cpu = (*tm)->getTargetCPU().str();
  result.features = features_of(**tm);
  const std::string ir_bytes = ir::serialize(program);
  llvm::Module& m = *merged;
  add_constant(m, llvm::ConstantInt::get(llvm::Type::getInt32Ty(ctx), ir::kAbiVersion), aot::symbol::kAbiVersion);
  add_string(m, HEALTHC_VERSION_STRING, aot::symbol::kHealthcVersion);
  add_string(m, pipeline::codegen_version(), aot::symbol::kCodegenVersion);
  add_string(m, result.cpu, aot::symbol::kCpu);
  add_string(m, result.features, aot::symbol::kCpuFeatures);
  const llvm::ArrayRef<uint8_t> ir_array(reinterpret_cast<const uint8_t*>(ir_bytes.data()), ir_bytes.size());
  add_constant(m, llvm::ConstantDataArray::get(ctx, ir_array), aot::symbol::kIr);
  add_constant(m, llvm::ConstantInt::get(llvm::Type::getInt64Ty(ctx), ir_bytes.size()), aot::symbol::kIrSize);
  add_constant(m, llvm::ConstantInt::get(llvm::Type::getInt64Ty(ctx), aot::checksum(ir_bytes)),
               aot::symbol::kIrChecksum);
  llvm::SmallVector<char, 0> buf;
  llvm::raw_svector_ostream os(buf);
  llvm::legacy::PassManager pm;
  if ((*tm)->addPassesToEmitFile(pm, os, nullptr, llvm::CGFT_ObjectFile)) {
    result.error = "cannot emit object code for this target";
    return {};
  }
  pm.run(m);
  return std::string(buf.data(), buf.size());
}

ArtefactResult write_artefact(const ir::Program& program, const ArtefactOptions& options, const std::string& given) {
  ArtefactResult result;
  // Through a symlink to its target (the link stays a link); never over a device or a FIFO,
  // which the rename below would replace rather than write to.
  std::string path = given;
  struct stat st {};
  if (::stat(given.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      result.error = "`" + given + "` is not a regular file: an artefact is written to a file of its own";
      return result;
    }
    if (char* real = ::realpath(given.c_str(), nullptr)) {
      path = real;
      std::free(real);
    }
  }
  const std::string object = emit_artefact_object(program, options, result);
  if (!result.error.empty()) return result;
  // Written aside and renamed into place, so a failed run leaves an old artefact as it was.
  const std::string obj_tmp = write_temp(path, object, ".o", result.error);
  if (obj_tmp.empty()) return result;
  std::string final_tmp = obj_tmp;
  if (options.kind == ArtefactKind::Shared) {
    std::string so_tmp = write_temp(path, "", ".so", result.error);
    if (so_tmp.empty()) {
      std::remove(obj_tmp.c_str());
      return result;
    }
    result.error = link_shared(obj_tmp, so_tmp);
    std::remove(obj_tmp.c_str());
    if (result.error.empty()) result.error = append_trailer(so_tmp);
    if (!result.error.empty()) {
      std::remove(so_tmp.c_str());
      return result;
    }
    final_tmp = so_tmp;
  }
  if (std::rename(final_tmp.c_str(), path.c_str()) != 0) {
    result.error = "cannot write `" + path + "`: " + std::strerror(errno);
    std::remove(final_tmp.c_str());
  }
  return result;
}

}  // namespace healthc::jit
