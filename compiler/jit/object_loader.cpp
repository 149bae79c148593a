// The LLVM-free loader of cached objects (object_loader.h): ELF64 little-endian ET_REL for
// x86-64; SHF_ALLOC sections in three page-aligned groups (code, read-only data, writable data);
// RELA relocations R_X86_64_64, PC64, PC32, PLT32, 32 and 32S (the last four only when their
// value fits, as it does within the mapping).
#include "compiler/jit/object_loader.h"

#include <dlfcn.h>
#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace healthc::jit {

namespace {

struct Placed {
  bool loaded = false;
  uint64_t offset = 0;  // from the mapping's base
};

template <typename T>
bool read_at(std::string_view bytes, uint64_t offset, T& out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return true;
}

bool in_range(std::string_view bytes, uint64_t offset, uint64_t size) {
  return offset <= bytes.size() && size <= bytes.size() - offset;
}

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

struct Mapping {
  void* base = MAP_FAILED;
  size_t size = 0;
  ~Mapping() {
    if (base != MAP_FAILED) ::munmap(base, size);
  }
};

}  // namespace

LoadedFunction load_object_function(std::string_view object, std::string_view symbol) {
  LoadedFunction out;
  auto fail = [&](std::string why) {
    out.error = std::move(why);
    return out;
  };
#if !defined(__x86_64__)
  (void)object, (void)symbol;
  return fail("the cached-code loader is for x86-64 only");
#else
  Elf64_Ehdr eh{};
  if (!read_at(object, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) return fail("not an ELF file");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_type != ET_REL ||
      eh.e_machine != EM_X86_64)
    return fail("not an x86-64 relocatable object");
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || !in_range(object, eh.e_shoff, uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr)))
    return fail("its section headers are damaged");
  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  for (size_t i = 0; i < sections.size(); ++i) read_at(object, eh.e_shoff + i * sizeof(Elf64_Shdr), sections[i]);

  // Lay out the sections: code, then read-only data, then writable data, each group on its pages.
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<Placed> placed(sections.size());
  uint64_t group_end[3] = {0, 0, 0};
  uint64_t cursor = 0;
  for (int group = 0; group < 3; ++group) {
    for (size_t i = 0; i < sections.size(); ++i) {
      const Elf64_Shdr& s = sections[i];
      if (!(s.sh_flags & SHF_ALLOC)) continue;
      const int g = (s.sh_flags & SHF_EXECINSTR) ? 0 : (s.sh_flags & SHF_WRITE) ? 2 : 1;
      if (g != group) continue;
      if (s.sh_type != SHT_PROGBITS && s.sh_type != SHT_NOBITS && s.sh_type != SHT_X86_64_UNWIND)
        return fail("it has an allocated section of type " + std::to_string(s.sh_type));
      if (s.sh_flags & SHF_TLS) return fail("it has thread-local data");
      const uint64_t align = s.sh_addralign ? s.sh_addralign : 1;
      if ((align & (align - 1)) != 0 || align > page) return fail("a section's alignment is unusable");
      if (s.sh_size > (uint64_t(1) << 31)) return fail("a section is too large");
      if (s.sh_type != SHT_NOBITS && !in_range(object, s.sh_offset, s.sh_size)) return fail("a section lies outside the file");
      cursor = align_up(cursor, align);
      placed[i] = {true, cursor};
      cursor += s.sh_size;
    }
    cursor = align_up(cursor, page);
    group_end[group] = cursor;
  }
  if (cursor == 0) return fail("it has no code");

  auto map = std::make_shared<Mapping>();
  map->size = cursor;
  map->base = ::mmap(nullptr, map->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map->base == MAP_FAILED) return fail(std::string("cannot map memory: ") + std::strerror(errno));
  auto* base = static_cast<uint8_t*>(map->base);
  for (size_t i = 0; i < sections.size(); ++i)
    if (placed[i].loaded && sections[i].sh_type != SHT_NOBITS)
      std::memcpy(base + placed[i].offset, object.data() + sections[i].sh_offset, sections[i].sh_size);

  // The symbol table and its names.
  size_t symtab = sections.size();
  for (size_t i = 0; i < sections.size(); ++i)
    if (sections[i].sh_type == SHT_SYMTAB) symtab = i;
  if (symtab == sections.size()) return fail("it has no symbol table");
  const Elf64_Shdr& st = sections[symtab];
  if (st.sh_entsize != sizeof(Elf64_Sym) || !in_range(object, st.sh_offset, st.sh_size) || st.sh_link >= sections.size())
    return fail("its symbol table is damaged");
  const Elf64_Shdr& strtab = sections[st.sh_link];
  if (!in_range(object, strtab.sh_offset, strtab.sh_size)) return fail("its string table is damaged");
  const std::string_view names = object.substr(strtab.sh_offset, strtab.sh_size);
  const size_t symbol_count = st.sh_size / sizeof(Elf64_Sym);
  auto symbol_at = [&](size_t index, Elf64_Sym& sym) {
    return index < symbol_count && read_at(object, st.sh_offset + index * sizeof(Elf64_Sym), sym);
  };
  auto name_of = [&](const Elf64_Sym& sym) -> std::string_view {
    if (sym.st_name >= names.size()) return {};
    const std::string_view rest = names.substr(sym.st_name);
    return rest.substr(0, rest.find('\0'));
  };
  // A symbol's address, or why it has none.
  auto address_of = [&](const Elf64_Sym& sym, uint64_t& address) -> std::string {
    if (sym.st_shndx == SHN_UNDEF) {
      const std::string name(name_of(sym));
      if (name.empty()) return "it refers to an unnamed undefined symbol";
      void* p = ::dlsym(RTLD_DEFAULT, name.c_str());
      if (!p) return "it needs `" + name + "`, which this process does not have";
      address = reinterpret_cast<uint64_t>(p);
      return {};
    }
    if (sym.st_shndx == SHN_ABS) return address = sym.st_value, std::string();
    if (sym.st_shndx >= sections.size() || !placed[sym.st_shndx].loaded)
      return "it refers to a section that is not loaded";
    address = reinterpret_cast<uint64_t>(base) + placed[sym.st_shndx].offset + sym.st_value;
    return {};
  };

  for (size_t r = 0; r < sections.size(); ++r) {
    const Elf64_Shdr& rs = sections[r];
    if (rs.sh_type == SHT_REL) return fail("it has REL relocations");
    if (rs.sh_type != SHT_RELA) continue;
    if (rs.sh_info >= sections.size()) return fail("a relocation section is damaged");
    if (!placed[rs.sh_info].loaded) continue;  // relocations of debug information and the like
    if (rs.sh_link != symtab || rs.sh_entsize != sizeof(Elf64_Rela) || !in_range(object, rs.sh_offset, rs.sh_size))
      return fail("a relocation section is damaged");
    const Elf64_Shdr& target = sections[rs.sh_info];
    uint8_t* where_base = base + placed[rs.sh_info].offset;
    for (uint64_t off = 0; off + sizeof(Elf64_Rela) <= rs.sh_size; off += sizeof(Elf64_Rela)) {
      Elf64_Rela rel{};
      read_at(object, rs.sh_offset + off, rel);
      const uint32_t type = ELF64_R_TYPE(rel.r_info);
      if (type == R_X86_64_NONE) continue;
      Elf64_Sym sym{};
      if (!symbol_at(ELF64_R_SYM(rel.r_info), sym)) return fail("a relocation names a missing symbol");
      uint64_t s = 0;
      if (std::string why = address_of(sym, s); !why.empty()) return fail(why);
      const uint64_t width = type == R_X86_64_64 || type == R_X86_64_PC64 ? 8 : 4;
      if (rel.r_offset > target.sh_size || target.sh_size - rel.r_offset < width)
        return fail("a relocation lies outside its section");
      uint8_t* where = where_base + rel.r_offset;
      const uint64_t p = reinterpret_cast<uint64_t>(where);
      const uint64_t value = s + static_cast<uint64_t>(rel.r_addend);
      if (type == R_X86_64_64) {
        std::memcpy(where, &value, 8);
      } else if (type == R_X86_64_PC64) {
        const uint64_t v = value - p;
        std::memcpy(where, &v, 8);
      } else if (type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_32S || type == R_X86_64_32) {
        const bool pc = type == R_X86_64_PC32 || type == R_X86_64_PLT32;
        const int64_t v = pc ? static_cast<int64_t>(value - p) : static_cast<int64_t>(value);
        const bool fits = type == R_X86_64_32 ? v >= 0 && v <= int64_t(UINT32_MAX) : v >= INT32_MIN && v <= INT32_MAX;
        if (!fits) return fail("a 32-bit relocation does not reach its target");
        const uint32_t v32 = static_cast<uint32_t>(v);
        std::memcpy(where, &v32, 4);
      } else {
        return fail("it has relocations of type " + std::to_string(type));
      }
    }
  }

  // The function, before the pages change hands.
  void* fn = nullptr;
  for (size_t i = 0; i < symbol_count && !fn; ++i) {
    Elf64_Sym sym{};
    if (!symbol_at(i, sym) || sym.st_shndx == SHN_UNDEF || ELF64_ST_TYPE(sym.st_info) != STT_FUNC) continue;
    if (name_of(sym) != symbol) continue;
    uint64_t a = 0;
    // An absolute or out-of-range section index is not code (and must not index `sections`).
    if (sym.st_shndx >= sections.size() || !placed[sym.st_shndx].loaded) continue;
    if (address_of(sym, a).empty() && (sections[sym.st_shndx].sh_flags & SHF_EXECINSTR) &&
        sym.st_value < sections[sym.st_shndx].sh_size)
      fn = reinterpret_cast<void*>(a);
  }
  if (!fn) return fail("it has no function `" + std::string(symbol) + "`");
  if (group_end[0] > 0 && ::mprotect(base, group_end[0], PROT_READ | PROT_EXEC) != 0)
    return fail(std::string("cannot make the code executable: ") + std::strerror(errno));
  if (group_end[1] > group_end[0] && ::mprotect(base + group_end[0], group_end[1] - group_end[0], PROT_READ) != 0)
    return fail(std::string("cannot protect the constants: ") + std::strerror(errno));
  out.address = fn;
  out.owner = std::move(map);
  return out;
#endif
}

}  // namespace healthc::jit
