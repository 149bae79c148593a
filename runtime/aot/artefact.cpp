// Loads an ahead-of-time artefact: the file's checksum and ELF structure, dlopen of the bytes
// checked, the ABI version before anything else in it, the CPU features against this machine,
// the IR's checksum, deserialization and verification, and only then the batch functions. No
// LLVM, no ANTLR: part of healthc_core.
#include "runtime/aot/artefact.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include "compiler/ir/batch_abi.h"
#include "compiler/ir/serialize.h"
#include "compiler/ir/verify.h"
#include "runtime/aot/cpu.h"
#include "runtime/aot/layout.h"

namespace healthc::aot {

namespace {

constexpr const char* kRecompile = "recompile it with `healthc compile CARD --emit shared`";

// dlerror() is one process-wide slot: keep the call and the read together.
std::mutex& dl_mutex() {
  static std::mutex m;
  return m;
}

// The artefact's library handle; closed when the last Scorecard using its code goes.
struct Library {
  void* handle = nullptr;
  int fd = -1;  // the in-memory copy it was loaded from, kept open while it is loaded
  ~Library() {
    if (handle) dlclose(handle);
    if (fd >= 0) ::close(fd);
  }
};

// Loads the bytes that were checked, not the file again: a file replaced in between would be
// code nobody checked, and dlopen of a path already loaded returns the old library even when
// the file there is new (a service that redeploys card.so in place would keep the old card).
// So the bytes go into an anonymous in-memory file, opened by its /proc/self/fd name, unique
// while the fd stays open. Without memfd or /proc, the file itself is opened.
void* open_library(const std::string& path, std::string_view bytes, int& fd) {
  fd = static_cast<int>(::memfd_create("healthc-artefact", MFD_CLOEXEC));
  if (fd >= 0) {
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    if (done == bytes.size()) {
      const std::string name = "/proc/self/fd/" + std::to_string(fd);
      if (::access(name.c_str(), R_OK) == 0) return dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    }
    ::close(fd);
    fd = -1;
  }
  // dlopen takes a path with a slash as a file, without one as a library name to search for.
  const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  return dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
}

// A data symbol of the artefact as the bytes its symbol table gives it (empty when absent), so
// that no value read from the artefact (a size, a string without its NUL) reaches past it.
std::string_view symbol_bytes(void* handle, const char* name) {
  void* at = dlsym(handle, name);
  Dl_info info{};
  void* entry = nullptr;  // the symbol's ElfW(Sym)
  if (!at || !dladdr1(at, &info, &entry, RTLD_DL_SYMENT) || !entry) return {};
  return {static_cast<const char*>(at), static_cast<size_t>(static_cast<const ElfW(Sym)*>(entry)->st_size)};
}

// A NUL-ended string constant of the artefact, or null when it is absent or not NUL-ended.
const char* text_symbol(void* handle, const char* name) {
  const std::string_view bytes = symbol_bytes(handle, name);
  return bytes.find('\0') == std::string_view::npos ? nullptr : bytes.data();
}

// A fixed-size constant of the artefact; false when it is absent or smaller than T.
template <typename T>
bool value_symbol(void* handle, const char* name, T& out) {
  const std::string_view bytes = symbol_bytes(handle, name);
  if (bytes.size() < sizeof(T)) return false;
  std::memcpy(&out, bytes.data(), sizeof(T));
  return true;
}

bool check_cpu(const std::string& path, void* handle, std::string& error) {
  const char* cpu = text_symbol(handle, symbol::kCpu);
  const char* features = text_symbol(handle, symbol::kCpuFeatures);
  if (!cpu || !features) {
    error = "`" + path + "` does not say which CPU it was compiled for; it is damaged or not from healthc: " +
            kRecompile;
    return false;
  }
  error = check_features(path, cpu, features, host_has);
  return error.empty();
}

bool read_program(const std::string& path, void* handle, ir::Program& program, std::string& error) {
  const std::string_view stored = symbol_bytes(handle, symbol::kIr);
  uint64_t size = 0, recorded = 0;
  if (stored.empty() || !value_symbol(handle, symbol::kIrSize, size) ||
      !value_symbol(handle, symbol::kIrChecksum, recorded) || size > stored.size()) {
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
    return "it is an object file (`--emit obj`): link it into a shared object first (cc -shared -o card.so " + path +
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
    return true;  // linked by hand from --emit obj: no trailer
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
  auto lib = std::make_shared<Library>();
  {
    std::lock_guard<std::mutex> lock(dl_mutex());
    lib->handle = open_library(path, bytes, lib->fd);
    if (!lib->handle) {
      const char* why = dlerror();
      error = "cannot load `" + path + "` (" + (why ? why : "unknown reason") +
              "): it is damaged, truncated or built for another machine; " + kRecompile;
      return out;
    }
  }
  void* h = lib->handle;
  uint32_t abi = 0;
  if (!value_symbol(h, symbol::kAbiVersion, abi)) {
    error = "`" + path + "` is a shared object but not a compiled scorecard (it has no `" + symbol::kAbiVersion +
            "`): pass the .health file, or " + kRecompile;
    return out;
  }
  if (abi != ir::kAbiVersion) {
    const char* made_by = text_symbol(h, symbol::kHealthcVersion);
    error = "`" + path + "` was compiled for artefact ABI version " + std::to_string(abi) +
            (made_by ? std::string(" (by healthc ") + made_by + ")" : std::string()) +
            ", and this runtime reads version " + std::to_string(ir::kAbiVersion) + ": " + kRecompile +
            " using this release";
    return out;
  }
  if (!check_cpu(path, h, error)) return out;
  ir::Program program;
  if (!read_program(path, h, program, error)) return out;
  auto basic = reinterpret_cast<ir::BatchFn>(dlsym(h, symbol::kBasic));
  auto detail = reinterpret_cast<ir::BatchFn>(dlsym(h, symbol::kDetail));
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
