// The program cache (program_cache.h): its key (libnettle's SHA-256), the build id read from
// this module's own ELF notes, and entries stored through ObjectCache.
#include "compiler/jit/program_cache.h"

#include <elf.h>
#include <link.h>

#include <cstdint>
#include <cstring>

#include "compiler/ir/serialize.h"
#include "compiler/jit/cache_key.h"
#include "compiler/jit/object_cache.h"

namespace healthc::jit {

namespace {

constexpr std::string_view kEntrySuffix = ".ir";

struct BuildIdSearch {
  uintptr_t address = 0;  // inside the module wanted
  std::string id;
};

// The module whose loaded segments hold `address`; its NT_GNU_BUILD_ID note as hex.
int find_build_id(dl_phdr_info* info, size_t, void* data) {
  auto* search = static_cast<BuildIdSearch*>(data);
  bool mine = false;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum && !mine; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    mine = ph.p_type == PT_LOAD && search->address >= start && search->address - start < ph.p_memsz;
  }
  if (!mine) return 0;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const auto* at = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
    const unsigned char* end = at + ph.p_memsz;
    auto align4 = [](size_t n) { return (n + 3) & ~size_t(3); };
    while (end - at >= static_cast<ptrdiff_t>(sizeof(ElfW(Nhdr)))) {
      ElfW(Nhdr) note;
      std::memcpy(&note, at, sizeof note);
      const unsigned char* name = at + sizeof note;
      const unsigned char* desc = name + align4(note.n_namesz);
      if (desc + note.n_descsz > end) break;
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0 &&
          note.n_descsz > 0) {
        static const char* hex = "0123456789abcdef";
        for (size_t b = 0; b < note.n_descsz; ++b) search->id += hex[desc[b] >> 4], search->id += hex[desc[b] & 15];
        return 1;
      }
      at = desc + align4(note.n_descsz);
    }
  }
  return 1;  // this module, without a build id
}

}  // namespace

const std::string& build_id() {
  static const std::string id = [] {
    BuildIdSearch search;
    search.address = reinterpret_cast<uintptr_t>(&find_build_id);
    dl_iterate_phdr(find_build_id, &search);
    return search.id;
  }();
  return id;
}

std::string program_key(std::string_view card_text, const std::vector<std::pair<std::string, double>>& params,
                        std::string_view parser) {
  if (build_id().empty()) return {};
  KeyHasher key;
  const auto update = [&](std::string_view part) { key.update(part); };
  update(kProgramCacheVersion);
  update(build_id());
  update(parser);
  update(card_text);
  for (const auto& param : params) {
    uint64_t bits = 0;
    std::memcpy(&bits, &param.second, sizeof bits);
    char value[8];
    for (int i = 0; i < 8; ++i) value[i] = static_cast<char>(bits >> (8 * i));
    update(param.first);
    update(std::string_view(value, sizeof value));
  }
  return key.hex();
}

std::optional<ir::Program> load_program(const CacheOptions& cache, const std::string& key) {
  if (!cache.enabled || key.empty()) return std::nullopt;
  const std::string dir = cache_dir(cache);
  if (dir.empty()) return std::nullopt;
  const ObjectCache entries(dir, key, kEntrySuffix);
  // Its notes (a directory others can write, a damaged entry) are the compiled-code cache's
  // to say, once, when the program's objects are looked up; a damaged entry is deleted here.
  ObjectCache::Lookup hit = entries.load();
  if (!hit.hit) return std::nullopt;
  ir::Program program;
  std::string error;
  if (!ir::deserialize(hit.object, program, error)) {
    entries.discard();
    return std::nullopt;
  }
  return program;
}

void store_program(const CacheOptions& cache, const std::string& key, const ir::Program& program) {
  if (!cache.enabled || key.empty()) return;
  const std::string dir = cache_dir(cache);
  if (dir.empty()) return;
  (void)ObjectCache(dir, key, kEntrySuffix).store(ir::serialize(program));  // the JIT says when it cannot store
}

}  // namespace healthc::jit
