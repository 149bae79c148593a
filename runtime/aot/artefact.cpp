// Loads an ahead-of-time artefact. From the bytes read, before any of its code can run: the
// file's checksum and ELF structure, its dynamic symbols, the ABI version before anything else
// in it, that nothing in it runs at load (initialisers, IFUNC resolvers, other libraries), the
// CPU features against this machine, the IR's checksum, deserialization and verification. Only
// then are those same bytes dlopened for the batch functions. No LLVM, no ANTLR: healthc_core.
#include "runtime/aot/artefact.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "compiler/ir/batch_abi.h"
#include "compiler/ir/serialize.h"
#include "compiler/ir/verify.h"
#include "runtime/aot/cpu.h"
#include "runtime/aot/elf_image.h"
#include "runtime/aot/library.h"
#include "runtime/aot/layout.h"

namespace healthc::aot {

namespace {

constexpr const char* kRecompile = "recompile it with `healthc compile CARD --emit shared`";

// A data symbol of the artefact as the file bytes its symbol table gives it (empty when absent),
// so that no value read from the artefact (a size, a string without its NUL) reaches past it.
std::string_view symbol_bytes(const ElfImage& image, const char* name) {
  const auto it = image.symbols.find(std::string_view(name));
  return it == image.symbols.end() ? std::string_view() : it->second.bytes;
}

// A NUL-ended string constant of the artefact, or null when it is absent or not NUL-ended.
const char* text_symbol(const ElfImage& image, const char* name) {
  const std::string_view bytes = symbol_bytes(image, name);
  return bytes.find('\0') == std::string_view::npos ? nullptr : bytes.data();
}

// A fixed-size constant of the artefact; false when it is absent or smaller than T.
template <typename T>
bool value_symbol(const ElfImage& image, const char* name, T& out) {
  const std::string_view bytes = symbol_bytes(image, name);
  if (bytes.size() < sizeof(T)) return false;
  std::memcpy(&out, bytes.data(), sizeof(T));
  return true;
}

// The batch function `name` of the loaded library, provided dlsym finds it where the symbol
// table that was checked puts it (else null: the loader and the checks disagree about the file).
ir::BatchFn batch_function(const Library& lib, const ElfImage& image, const char* name) {
  const auto it = image.symbols.find(std::string_view(name));
  void* at = dlsym(lib.handle, name);
  link_map* map = nullptr;
  if (it == image.symbols.end() || !it->second.code || !at ||
      dlinfo(lib.handle, RTLD_DI_LINKMAP, &map) != 0 || !map ||
      reinterpret_cast<uintptr_t>(at) != map->l_addr + it->second.value)
    return nullptr;
  return reinterpret_cast<ir::BatchFn>(at);
}

bool check_cpu(const std::string& path, const ElfImage& image, std::string& error) {
  const char* cpu = text_symbol(image, symbol::kCpu);
  const char* features = text_symbol(image, symbol::kCpuFeatures);
  if (!cpu || !features) {
    error = "`" + path + "` does not say which CPU it was compiled for; it is damaged or not from healthc: " +
            kRecompile;
    return false;
  }
  error = check_features(path, cpu, features, host_has);
  return error.empty();
}

bool read_program(const std::string& path, const ElfImage& image, ir::Program& program, std::string& error) {
  const std::string_view stored = symbol_bytes(image, symbol::kIr);
  uint64_t size = 0, recorded = 0;
  if (stored.empty() || !value_symbol(image, symbol::kIrSize, size) ||
      !value_symbol(image, symbol::kIrChecksum, recorded) || size > stored.size()) {
    error = "`" + path + "` holds no scorecard program; it is damaged or not from healthc: " + kRecompile;
    return false;
  }
  const std::string_view blob = stored.substr(0, size);
  if (checksum(blob) != recorded) {
    error = "`" + path + "` is damaged: its scorecard program does not match its checksum; " + kRecompile;
    return false;
  }
  std::string why;
  if (!ir::deserialize(blob, program, why)) {
    error = "`" + path + "` is damaged or from another healthc release: its scorecard program cannot be read (" +
            why + "); " + kRecompile;
    return false;
  }
  const std::vector<std::string> problems = ir::verify(program);
  if (!problems.empty()) {
    error = "`" + path + "` holds an invalid scorecard program (" + problems.front() + "); " + kRecompile;
    return false;
  }
  return true;
}

std::string with_advice(const char* problem) { return std::string(problem) + "; " + kRecompile; }

#if defined(__x86_64__)
constexpr int kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr int kHostMachine = EM_AARCH64;
#else
constexpr int kHostMachine = EM_NONE;
#endif

// Why the ELF image `elf` (the file at `path` without its trailer) is not a whole shared object
// for this machine (with what to do about it), or empty. dlopen maps segments without checking
// that the file holds them: a truncated artefact would fault (SIGBUS) inside dlopen.
std::string elf_problem(const std::string& path, std::string_view elf) {
  const uint64_t size = elf.size();
  Elf64_Ehdr eh{};
  if (size < sizeof eh) return with_advice("it is truncated");
  std::memcpy(&eh, elf.data(), sizeof eh);
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != kHostMachine)
    return with_advice("it is built for another kind of machine");
  if (eh.e_type == ET_REL)
    return "it is an object file (`--emit obj`): link it into a shared object first (cc -shared -nostartfiles -o card.so " + path +
           " -lm), or compile the card with `--emit shared`";
  if (eh.e_type != ET_DYN) return with_advice("it is not a shared object");
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > size ||
      uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr) > size - eh.e_phoff)
    return with_advice("it is truncated or damaged");
  if (eh.e_shnum && (eh.e_shoff > size || uint64_t{eh.e_shnum} * eh.e_shentsize > size - eh.e_shoff))
    return with_advice("it is truncated");
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    std::memcpy(&ph, elf.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset) return with_advice("it is truncated");
  }
  return {};
}

// The ELF image of `bytes` (without the trailer), or why the file is damaged.
bool strip_trailer(std::string_view bytes, std::string_view& elf) {
  elf = bytes;
  if (bytes.size() < kTrailerSize || bytes.substr(bytes.size() - kTrailerSize, 8) != kTrailerMagic)
    return true;  // linked by hand from --emit obj: every check but this one still runs before dlopen
  elf = bytes.substr(0, bytes.size() - kTrailerSize);
  uint64_t recorded = 0;
  for (int i = 0; i < 8; ++i)
    recorded |= uint64_t{static_cast<unsigned char>(bytes[bytes.size() - 8 + i])} << (8 * i);
  return checksum(elf) == recorded;
}

}  // namespace

bool is_artefact(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

LoadResult load_artefact(const std::string& path) {
  LoadResult out;
  std::string& error = out.error;
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      error = "cannot read `" + path + "`: " + std::strerror(errno);
      return out;
    }
    std::ostringstream all;
    all << in.rdbuf();
    bytes = std::move(all).str();
  }
  // Before dlopen, whose mapping of a damaged file can crash the process: the file must be an
  // ELF shared object for this machine, whole, and match its checksum. Then, before anything
  // else of its contents is used, its ABI version.
  if (bytes.size() < 4 || bytes.compare(0, 4, "\x7f" "ELF") != 0) {
    error = "`" + path + "` is not a compiled scorecard (not an ELF shared object): pass the .health file, or " +
            kRecompile;
    return out;
  }
  std::string_view elf;
  if (!strip_trailer(bytes, elf)) {
    error = "`" + path + "` is damaged: its contents do not match the checksum `healthc compile` wrote; " + kRecompile;
    return out;
  }
  if (const std::string problem = elf_problem(path, elf); !problem.empty()) {
    error = "`" + path + "` cannot be loaded: " + problem;
    return out;
  }
  // Every check runs on the bytes read, before dlopen: loading runs a file's initialisers and
  // IFUNC resolvers, so a file is loaded only once it has passed all of them.
  ElfImage image;
  if (const std::string problem = read_elf_image(elf, image); !problem.empty()) {
    error = "`" + path + "` cannot be loaded: " + with_advice(problem.c_str());
    return out;
  }
  uint32_t abi = 0;
  if (!value_symbol(image, symbol::kAbiVersion, abi)) {
    error = "`" + path + "` is a shared object but not a compiled scorecard (it has no `" + symbol::kAbiVersion +
            "`): pass the .health file, or " + kRecompile;
    return out;
  }
  if (abi != ir::kAbiVersion) {
    const char* made_by = text_symbol(image, symbol::kHealthcVersion);
    error = "`" + path + "` was compiled for artefact ABI version " + std::to_string(abi) +
            (made_by ? std::string(" (by healthc ") + made_by + ")" : std::string()) +
            ", and this runtime reads version " + std::to_string(ir::kAbiVersion) + ": " + kRecompile +
            " using this release";
    return out;
  }
  if (!image.foreign.empty()) {
    error = "`" + path + "` is refused without being loaded: " + image.foreign +
            ". healthc never writes such a file: recompile it with `healthc compile CARD --emit shared`, "
            "or link an `--emit obj` object with `cc -shared -nostartfiles -o card.so card.o -lm`";
    return out;
  }
  if (!check_cpu(path, image, error)) return out;
  ir::Program program;
  if (!read_program(path, image, program, error)) return out;
  std::string why;
  const std::shared_ptr<Library> lib = open_checked(bytes, default_load_via(), why);
  if (!lib) {
    error = "cannot load `" + path + "` (" + why + "): it is damaged, truncated or built for another machine; " +
            kRecompile;
    return out;
  }
  const bool has_basic = image.symbols.count(symbol::kBasic) > 0;
  const bool has_detail = image.symbols.count(symbol::kDetail) > 0;
  const ir::BatchFn basic = has_basic ? batch_function(*lib, image, symbol::kBasic) : nullptr;
  const ir::BatchFn detail = has_detail ? batch_function(*lib, image, symbol::kDetail) : nullptr;
  if ((has_basic && !basic) || (has_detail && !detail)) {
    error = "`" + path + "` is damaged: its batch functions are not where its symbol table says; " + kRecompile;
    return out;
  }
  if (basic && detail) {
    out.scorecard = Scorecard::make_native(std::move(program), basic, detail, lib);
    return out;
  }
  // A variant past the compile budget has no code: the evaluator scores it, and says so.
  out.notes.push_back("`" + path + "` has no native code" +
                      (basic || detail ? std::string(" for its ") + (basic ? "detail" : "basic") + " variant" : "") +
                      " (the card is past the compile budget): scoring it with the reference evaluator");
  const ir::BatchFn fns[2] = {basic, detail};
  NativeCompiler code = [fns, lib](const ir::Program&, int variant) {
    NativeCode n;
    n.fn = fns[variant];
    n.owner = lib;
    n.use_evaluator = n.fn == nullptr;
    return n;
  };
  out.scorecard = Scorecard::make(std::move(program), nullptr, Engine::Jit, std::move(code));
  return out;
}

std::shared_ptr<const Scorecard> load(const std::string& path, std::string& error) {
  LoadResult r = load_artefact(path);
  error = std::move(r.error);
  return std::move(r.scorecard);
}

}  // namespace healthc::aot
