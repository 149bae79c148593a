// The dynamic section and dynamic symbols of an artefact, read from its bytes the way ld.so reads
// them (through PT_DYNAMIC and the PT_LOAD mappings, not the section headers, which it ignores),
// with every table bounds-checked. No LLVM, no ANTLR: part of healthc_core.
#include "runtime/aot/elf_image.h"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace healthc::aot {

namespace {

#if defined(__x86_64__)
constexpr uint32_t kIrelative = R_X86_64_IRELATIVE;
#elif defined(__aarch64__)
constexpr uint32_t kIrelative = R_AARCH64_IRELATIVE;
#else
constexpr uint32_t kIrelative = 0xffffffffu;
#endif

// The only libraries an artefact may need: its code calls log and sqrt, nothing else. A
// library's own initialisers would run when dlopen loads it, before any check of ours could.
bool allowed_library(std::string_view name) { return name == "libc.so.6" || name == "libm.so.6"; }

template <typename T>
bool get(std::string_view bytes, uint64_t offset, T& out) {
  if (offset > bytes.size() || sizeof(T) > bytes.size() - offset) return false;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return true;
}

// The file as mapped by its PT_LOAD headers: what the loader finds at a virtual address.
class Mapping {
 public:
  explicit Mapping(std::string_view elf) : elf_(elf) {}
  void add(const Elf64_Phdr& ph) { loads_.push_back(ph); }
  // The file bytes at [addr, addr + len), when one segment's file part holds all of them.
  bool at(uint64_t addr, uint64_t len, std::string_view& out) const {
    for (const Elf64_Phdr& ph : loads_) {
      if (addr < ph.p_vaddr || addr - ph.p_vaddr > ph.p_filesz) continue;
      const uint64_t skip = addr - ph.p_vaddr;
      if (len > ph.p_filesz - skip) continue;
      out = elf_.substr(ph.p_offset + skip, len);  // read_elf_image checked p_offset + p_filesz
      return true;
    }
    return false;
  }
  // Whether [addr, addr + len) is code: inside the file part of an executable segment.
  bool code(uint64_t addr, uint64_t len) const {
    for (const Elf64_Phdr& ph : loads_)
      if ((ph.p_flags & PF_X) && addr >= ph.p_vaddr && addr - ph.p_vaddr <= ph.p_filesz &&
          len <= ph.p_filesz - (addr - ph.p_vaddr))
        return true;
    return false;
  }
  // Why the segments are not what ld.so can map without faulting (a phrase), or empty: each
  // aligned as it requires, in ascending order, none overlapping another.
  std::string layout_problem() const {
    if (loads_.empty()) return "it has no loadable segment";
    uint64_t end = 0;
    for (size_t i = 0; i < loads_.size(); ++i) {
      const Elf64_Phdr& ph = loads_[i];
      const uint64_t align = ph.p_align ? ph.p_align : 1;
      if ((align & (align - 1)) || (ph.p_vaddr - ph.p_offset) % align || ph.p_memsz < ph.p_filesz ||
          ph.p_memsz > (uint64_t{1} << 40) || ph.p_vaddr > (uint64_t{1} << 40))
        return "its segments are damaged";
      const uint64_t page = uint64_t{4096};
      if (i > 0 && (ph.p_vaddr & ~(page - 1)) < end) return "its segments overlap";
      end = ph.p_vaddr + ph.p_memsz;
    }
    return {};
  }
  // Whether [addr, addr + len) of memory lies in one segment (for PT_GNU_RELRO, which ld.so
  // makes read-only after relocation).
  bool in_memory(uint64_t addr, uint64_t len) const {
    for (const Elf64_Phdr& ph : loads_)
      if (addr >= ph.p_vaddr && addr - ph.p_vaddr <= ph.p_memsz && len <= ph.p_memsz - (addr - ph.p_vaddr))
        return true;
    return false;
  }
  // From `addr` to the end of its segment's file part (for tables whose size is not recorded).
  bool from(uint64_t addr, std::string_view& out) const {
    for (const Elf64_Phdr& ph : loads_)
      if (addr >= ph.p_vaddr && addr - ph.p_vaddr < ph.p_filesz) return at(addr, ph.p_filesz - (addr - ph.p_vaddr), out);
    return false;
  }

 private:
  std::string_view elf_;
  std::vector<Elf64_Phdr> loads_;
};

struct Dynamic {
  uint64_t strtab = 0, strsz = 0, symtab = 0, syment = 0, hash = 0, gnu_hash = 0;
  bool has_strtab = false, has_symtab = false, has_hash = false, has_gnu_hash = false;
  struct Table {
    uint64_t addr = 0, size = 0, ent = 0;
    bool present = false;
  } rela, rel, jmprel;
  uint64_t pltrel = DT_RELA;
  std::vector<uint64_t> needed;
  std::string foreign;  // the first tag that means code of the file runs at load or unload
};

void flag(Dynamic& d, const char* what) {
  if (d.foreign.empty()) d.foreign = what;
}

// The tags of PT_DYNAMIC, up to DT_NULL.
bool read_dynamic(std::string_view table, Dynamic& d) {
  uint64_t init_array_size = 0, fini_array_size = 0;
  bool init_array = false, fini_array = false;
  for (uint64_t at = 0;; at += sizeof(Elf64_Dyn)) {
    Elf64_Dyn e{};
    if (!get(table, at, e)) return false;  // no DT_NULL inside the segment
    const uint64_t v = e.d_un.d_val;
    switch (e.d_tag) {
      case DT_NULL:
        if (init_array && init_array_size) flag(d, "it has initialisation code (DT_INIT_ARRAY)");
        if (fini_array && fini_array_size) flag(d, "it has finalisation code (DT_FINI_ARRAY)");
        return true;
      case DT_STRTAB: d.strtab = v; d.has_strtab = true; break;
      case DT_STRSZ: d.strsz = v; break;
      case DT_SYMTAB: d.symtab = v; d.has_symtab = true; break;
      case DT_SYMENT: d.syment = v; break;
      case DT_HASH: d.hash = v; d.has_hash = true; break;
      case DT_GNU_HASH: d.gnu_hash = v; d.has_gnu_hash = true; break;
      case DT_RELA: d.rela.addr = v; d.rela.present = true; break;
      case DT_RELASZ: d.rela.size = v; break;
      case DT_RELAENT: d.rela.ent = v; break;
      case DT_REL: d.rel.addr = v; d.rel.present = true; break;
      case DT_RELSZ: d.rel.size = v; break;
      case DT_RELENT: d.rel.ent = v; break;
      case DT_JMPREL: d.jmprel.addr = v; d.jmprel.present = true; break;
      case DT_PLTRELSZ: d.jmprel.size = v; break;
      case DT_PLTREL: d.pltrel = v; break;
      case DT_NEEDED: d.needed.push_back(v); break;
      case DT_INIT: flag(d, "it has initialisation code (DT_INIT)"); break;
      case DT_INIT_ARRAY: init_array = true; break;
      case DT_INIT_ARRAYSZ: init_array_size = v; break;
      case DT_PREINIT_ARRAY: flag(d, "it has initialisation code (DT_PREINIT_ARRAY)"); break;
      case DT_FINI: flag(d, "it has finalisation code (DT_FINI)"); break;
      case DT_FINI_ARRAY: fini_array = true; break;
      case DT_FINI_ARRAYSZ: fini_array_size = v; break;
      case DT_RPATH:
      case DT_RUNPATH: flag(d, "it names its own library search path (DT_RPATH or DT_RUNPATH)"); break;
      case DT_AUXILIARY:
      case DT_FILTER:
      case DT_AUDIT:
      case DT_DEPAUDIT: flag(d, "it asks the loader to load other libraries (a filter or an audit library)"); break;
      default: break;
    }
  }
}

// The number of dynamic symbols, from the hash tables (the section headers are not what the
// loader uses). The larger count when there are both, so that no symbol escapes the checks.
bool symbol_count(const Mapping& map, const Dynamic& d, uint64_t& count) {
  count = 0;
  if (!d.has_hash && !d.has_gnu_hash) return false;
  std::string_view t;
  if (d.has_hash) {
    uint32_t nchain = 0;
    if (!map.from(d.hash, t) || !get(t, 4, nchain)) return false;
    count = nchain;
  }
  if (d.has_gnu_hash) {
    uint32_t nbuckets = 0, symoffset = 0, bloom_size = 0;
    if (!map.from(d.gnu_hash, t) || !get(t, 0, nbuckets) || !get(t, 4, symoffset) || !get(t, 8, bloom_size))
      return false;
    const uint64_t buckets = 16 + uint64_t{bloom_size} * 8;
    const uint64_t chain = buckets + uint64_t{nbuckets} * 4;
    uint32_t last = 0;
    for (uint64_t i = 0; i < nbuckets; ++i) {
      uint32_t b = 0;
      if (!get(t, buckets + i * 4, b)) return false;
      last = std::max(last, b);
    }
    uint64_t n = symoffset;
    if (last >= symoffset) {
      for (uint64_t i = last;; ++i) {  // a chain ends at the entry with its low bit set
        uint32_t h = 0;
        if (!get(t, chain + (i - symoffset) * 4, h)) return false;
        if (h & 1) {
          n = i + 1;
          break;
        }
      }
    }
    count = std::max(count, n);
  }
  return true;
}

// Whether a relocation table has an IRELATIVE entry, whose resolver runs during relocation.
bool has_irelative(const Mapping& map, const Dynamic::Table& table, bool rela, bool& damaged) {
  if (!table.present || table.size == 0) return false;
  const uint64_t ent = table.ent ? table.ent : (rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel));
  std::string_view t;
  if (ent < sizeof(Elf64_Rel) || !map.at(table.addr, table.size, t)) {
    damaged = true;
    return false;
  }
  for (uint64_t at = 0; at + ent <= t.size(); at += ent) {
    Elf64_Rel r{};
    get(t, at, r);  // r_offset and r_info lead both Elf64_Rel and Elf64_Rela
    if (ELF64_R_TYPE(r.r_info) == kIrelative) return true;
  }
  return false;
}

}  // namespace

std::string read_elf_image(std::string_view elf, ElfImage& out) {
  out = {};
  Elf64_Ehdr eh{};
  if (!get(elf, 0, eh)) return "it is truncated";
  Mapping map(elf);
  Elf64_Phdr dyn{};
  int dynamics = 0;
  std::vector<Elf64_Phdr> relro;
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    if (!get(elf, eh.e_phoff + uint64_t(i) * sizeof ph, ph)) return "it is truncated";
    // Checked here too (not only by elf_problem), so that no caller can make a view past the file.
    if (ph.p_offset > elf.size() || ph.p_filesz > elf.size() - ph.p_offset) return "it is truncated";
    if (ph.p_type == PT_LOAD) map.add(ph);
    if (ph.p_type == PT_GNU_RELRO) relro.push_back(ph);
    if (ph.p_type == PT_DYNAMIC) {
      dyn = ph;
      ++dynamics;
    }
  }
  if (std::string problem = map.layout_problem(); !problem.empty()) return problem;
  for (const Elf64_Phdr& ph : relro)
    if (!map.in_memory(ph.p_vaddr, ph.p_memsz)) return "its segments are damaged";
  if (dynamics != 1) return "it has no dynamic section, or more than one";
  std::string_view table;
  if (!map.at(dyn.p_vaddr, dyn.p_filesz, table)) return "its dynamic section is outside the file";
  Dynamic d;
  if (!read_dynamic(table, d)) return "its dynamic section has no end";
  if (!d.has_strtab || !d.has_symtab || (d.syment && d.syment != sizeof(Elf64_Sym)))
    return "it has no dynamic symbol table";
  std::string_view strtab;
  if (!map.at(d.strtab, d.strsz, strtab)) return "its dynamic string table is outside the file";
  auto name_at = [&](uint64_t offset, std::string_view& name) {
    if (offset >= strtab.size()) return false;
    const size_t end = strtab.find('\0', offset);
    if (end == std::string_view::npos) return false;
    name = strtab.substr(offset, end - offset);
    return true;
  };
  std::string foreign = d.foreign;
  for (uint64_t n : d.needed) {
    std::string_view name;
    if (!name_at(n, name)) return "its list of needed libraries is damaged";
    if (!allowed_library(name) && foreign.empty())
      foreign = "it needs the library `" + std::string(name) + "`, and healthc artefacts need only libc and libm";
  }
  uint64_t count = 0;
  if (!symbol_count(map, d, count)) return "its symbol hash table is missing or damaged";
  std::string_view symtab;
  if (count > elf.size() / sizeof(Elf64_Sym) || !map.at(d.symtab, count * sizeof(Elf64_Sym), symtab))
    return "its dynamic symbol table is outside the file";
  for (uint64_t i = 0; i < count; ++i) {
    Elf64_Sym s{};
    get(symtab, i * sizeof s, s);
    std::string_view name;
    if (!name_at(s.st_name, name)) return "its dynamic symbol table is damaged";
    const unsigned type = ELF64_ST_TYPE(s.st_info);
    if (type == STT_GNU_IFUNC && foreign.empty())
      foreign = "it has an IFUNC symbol `" + std::string(name) + "`, whose resolver would run when it is loaded";
    if (s.st_shndx == SHN_UNDEF || name.substr(0, 8) != "healthc_") continue;
    ElfSymbol sym;
    sym.value = s.st_value;
    sym.type = type;
    if (!map.at(s.st_value, s.st_size, sym.bytes)) sym.bytes = {};
    sym.code = type == STT_FUNC && s.st_size > 0 && map.code(s.st_value, s.st_size);
    if (!out.symbols.emplace(std::string(name), sym).second)
      return "it defines `" + std::string(name) + "` twice";
  }
  bool damaged = false;
  if ((has_irelative(map, d.rela, true, damaged) || has_irelative(map, d.rel, false, damaged) ||
       has_irelative(map, d.jmprel, d.pltrel != DT_REL, damaged)) &&
      foreign.empty())
    foreign = "it has IRELATIVE relocations, whose resolvers would run when it is loaded";
  if (damaged) return "its relocation tables are outside the file";
  out.foreign = std::move(foreign);
  return {};
}

}  // namespace healthc::aot
