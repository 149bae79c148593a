// Reads an artefact's dynamic section and dynamic symbols from its file bytes, as the dynamic
// loader would see them, so that every check runs before dlopen (which runs a file's
// initialisers and IFUNC resolvers while it loads it): the loader accepts a file only when
// nothing in it would run before its batch functions are called.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace healthc::aot {

struct ElfSymbol {
  uint64_t value = 0;      // st_value: the address relative to the load base
  std::string_view bytes;  // its st_size bytes in the file; empty when not all of them are there
  unsigned type = 0;       // STT_*
  bool code = false;       // a function wholly inside the file part of an executable segment
};

struct ElfImage {
  // The defined dynamic symbols whose names start with `healthc_` (the only ones the loader uses).
  std::map<std::string, ElfSymbol, std::less<>> symbols;
  // Why the file would run code of its own, or need something other than libc and libm, when it
  // is loaded (a phrase: "it has initialisation code (DT_INIT)"); empty for a healthc artefact.
  std::string foreign;
};

// Parses `elf` (a 64-bit little-endian ELF shared object for this machine, as elf_problem in
// artefact.cpp has checked) into `out`. Returns why it is damaged (a phrase), or
// empty. Every table is bounds-checked against the file: no offset read from it reaches past it.
std::string read_elf_image(std::string_view elf, ElfImage& out);

}  // namespace healthc::aot
