// The artefact loader runs no code of a file before accepting it (runtime/aot/elf_image.h,
// runtime/aot/library.h): healthc's own artefacts have nothing that runs at load, a file whose
// dynamic section asks for initialisers or other libraries is refused from its bytes, damaged
// tables are refused without a crash, and the no-memfd path loads a private copy of the bytes.
// The same with real compiled files (constructors, IFUNCs, DT_NEEDED) is in tests/aot/run.sh.
#include <dlfcn.h>
#include <elf.h>
#include <gtest/gtest.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "compiler/jit/aot.h"
#include "runtime/aot/artefact.h"
#include "runtime/aot/elf_image.h"
#include "runtime/aot/layout.h"
#include "runtime/aot/library.h"
#include "tests/unit/aot/aot_test_util.h"
#include "tests/unit/jit/engine_fixture.h"

namespace healthc {
namespace {

const char* kCard = R"(scorecard "safe"
fields {
  id : text key
  seats : number
}
bands {
  low from 0 color red
  high from 50 color green
}
measure size {
  score = clamp(seats * 3, 0, 100)
}
model default {
  size 1
}
)";

using aot_test::read_file;
using aot_test::TempPath;
using aot_test::write_file;

// A shared artefact's ELF bytes, without the trailer (as a hand-linked object would be, so that
// patched copies reach the checks after the whole-file checksum).
std::string artefact_elf() {
  TempPath so("base.so");
  EXPECT_EQ(jit::write_artefact(testing::lower_text(kCard), {}, so.path).error, "");
  std::string bytes = read_file(so.path);
  EXPECT_EQ(bytes.substr(bytes.size() - aot::kTrailerSize, 8), aot::kTrailerMagic);
  bytes.resize(bytes.size() - aot::kTrailerSize);
  return bytes;
}

// The file offset of the PT_DYNAMIC table (healthc's artefacts map it at offset == address
// within its segment, as ld lays out every shared object).
size_t dynamic_offset(const std::string& elf) {
  Elf64_Ehdr eh{};
  std::memcpy(&eh, elf.data(), sizeof eh);
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    std::memcpy(&ph, elf.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type == PT_DYNAMIC) return ph.p_offset;
  }
  return 0;
}

// Replaces the first dynamic entry tagged `from` with (`to`, `value`).
bool retag(std::string& elf, int64_t from, int64_t to, uint64_t value) {
  for (size_t at = dynamic_offset(elf); at && at + sizeof(Elf64_Dyn) <= elf.size(); at += sizeof(Elf64_Dyn)) {
    Elf64_Dyn d{};
    std::memcpy(&d, elf.data() + at, sizeof d);
    if (d.d_tag == DT_NULL) return false;
    if (d.d_tag == from) {
      d.d_tag = to;
      d.d_un.d_val = value;
      std::memcpy(elf.data() + at, &d, sizeof d);
      return true;
    }
  }
  return false;
}

TEST(AotSafety, OurArtefactsHaveNothingThatRunsAtLoad) {
  const std::string elf = artefact_elf();
  aot::ElfImage image;
  ASSERT_EQ(aot::read_elf_image(elf, image), "");
  EXPECT_EQ(image.foreign, "");
  for (const char* name : {aot::symbol::kAbiVersion, aot::symbol::kCpu, aot::symbol::kCpuFeatures, aot::symbol::kIr,
                           aot::symbol::kIrSize, aot::symbol::kIrChecksum, aot::symbol::kBasic, aot::symbol::kDetail})
    EXPECT_EQ(image.symbols.count(name), 1u) << name;
  EXPECT_EQ(image.symbols.at(aot::symbol::kAbiVersion).bytes.size(), 4u);
  EXPECT_EQ(image.symbols.at(aot::symbol::kBasic).type, unsigned{STT_FUNC});
}

// Each tag healthc never writes, patched into a real artefact (ld will not put a preinit
// array into a shared object, so this is the only way to make one): refused by name.
TEST(AotSafety, ATagThatRunsCodeIsRefusedBeforeLoading) {
  const std::string base = artefact_elf();
  const struct {
    int64_t tag;
    const char* says;
  } cases[] = {{DT_PREINIT_ARRAY, "DT_PREINIT_ARRAY"}, {DT_INIT, "DT_INIT)"},   {DT_FINI, "DT_FINI)"},
               {DT_RUNPATH, "DT_RUNPATH"},             {DT_AUDIT, "audit library"}};
  for (const auto& c : cases) {
    std::string elf = base;
    ASSERT_TRUE(retag(elf, DT_SYMENT, c.tag, 0x1000));
    TempPath so("tag.so");
    write_file(so.path, elf);
    const aot::LoadResult r = aot::load_artefact(so.path);
    EXPECT_FALSE(r.scorecard) << c.says;
    EXPECT_NE(r.error.find("is refused without being loaded"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find(c.says), std::string::npos) << r.error;
  }
  // A DT_NEEDED naming another library (the name is one of the artefact's own strings).
  std::string elf = base;
  ASSERT_TRUE(retag(elf, DT_SYMENT, DT_NEEDED, 1));
  TempPath so("needed.so");
  write_file(so.path, elf);
  const aot::LoadResult r = aot::load_artefact(so.path);
  EXPECT_FALSE(r.scorecard);
  EXPECT_NE(r.error.find("it needs the library `"), std::string::npos) << r.error;
  // The unpatched bytes load: what was refused was the tag.
  write_file(so.path, base);
  EXPECT_TRUE(aot::load_artefact(so.path).scorecard);
}

TEST(AotSafety, TablesOutsideTheFileAreRefusedWithoutACrash) {
  const std::string base = artefact_elf();
  for (int64_t tag : {DT_STRTAB, DT_SYMTAB, DT_GNU_HASH, DT_STRSZ}) {
    std::string elf = base;
    ASSERT_TRUE(retag(elf, tag, tag, 0x7fffffffffffull)) << tag;
    aot::ElfImage image;
    EXPECT_NE(aot::read_elf_image(elf, image), "") << tag;
  }
  // Every byte of the headers and dynamic tables, each flipped: the parser answers, never
  // reading past the file (run under ASan/UBSan by the sanitizer build).
  for (size_t i = 0; i < std::min<size_t>(base.size(), 0x1000); ++i) {
    std::string elf = base;
    elf[i] = static_cast<char>(elf[i] ^ 0x41);
    aot::ElfImage image;
    (void)aot::read_elf_image(elf, image);
  }
  // Every byte of the ELF and program headers flipped: refused or loaded and scored, never a
  // crash in dlopen (segments that are missing, misaligned or overlapping are refused first).
  // Beyond the headers, without the trailer a damaged symbol value can point anywhere into the
  // code: that is what the trailer's whole-file checksum is for.
  Elf64_Ehdr eh{};
  std::memcpy(&eh, base.data(), sizeof eh);
  TempPath so("flip.so");
  for (size_t i = 0; i < eh.e_phoff + size_t{eh.e_phnum} * sizeof(Elf64_Phdr); ++i) {
    std::string elf = base;
    elf[i] = static_cast<char>(elf[i] ^ 0x41);
    write_file(so.path, elf);
    const aot::LoadResult r = aot::load_artefact(so.path);
    EXPECT_TRUE(r.scorecard || !r.error.empty()) << i;
    if (r.scorecard) {  // a flip that changes nothing the loader relies on: its code still runs
      const ir::Program& p = r.scorecard->program();
      testing::Columns cols(p, 3);
      for (size_t row = 0; row < 3; ++row) cols.set(1, row, double(row * 20));
      testing::Outputs got(3, p.measures.size(), true);
      r.scorecard->score(cols.view(), true, got.view());
    }
  }
  // A function symbol outside the executable segment is refused, not called.
  aot::ElfImage image;
  ASSERT_EQ(aot::read_elf_image(base, image), "");
  EXPECT_TRUE(image.symbols.at(aot::symbol::kBasic).code);
  EXPECT_FALSE(image.symbols.at(aot::symbol::kAbiVersion).code);
}

TEST(AotSafety, WithoutMemfdAPrivateCopyOfTheCheckedBytesIsLoaded) {
  TempPath so("tempfile.so");
  ASSERT_EQ(jit::write_artefact(testing::lower_text(kCard), {}, so.path).error, "");
  const std::string bytes = read_file(so.path);
  std::string error;
  const std::shared_ptr<aot::Library> lib = aot::open_checked(bytes, aot::LoadVia::TempFile, error);
  ASSERT_TRUE(lib) << error;
  EXPECT_EQ(lib->fd, -1);
  link_map* map = nullptr;
  ASSERT_EQ(dlinfo(lib->handle, RTLD_DI_LINKMAP, &map), 0);
  const std::string loaded = map->l_name;
  EXPECT_NE(loaded, so.path);
  EXPECT_NE(loaded.find("/healthc-artefact-"), std::string::npos) << loaded;
  struct stat st {};
  EXPECT_NE(::stat(loaded.c_str(), &st), 0) << "the private copy is left behind";
  const std::string dir = loaded.substr(0, loaded.rfind('/'));
  EXPECT_NE(::stat(dir.c_str(), &st), 0) << "the private directory is left behind";
  EXPECT_TRUE(dlsym(lib->handle, aot::symbol::kBasic));
  // The memfd path, for comparison: loaded from /proc/self/fd, the fd kept open.
  const std::shared_ptr<aot::Library> mem = aot::open_checked(bytes, aot::LoadVia::Memfd, error);
  ASSERT_TRUE(mem) << error;
  EXPECT_GE(mem->fd, 0);
  // Bytes that are not a shared object: an error, no handle.
  EXPECT_FALSE(aot::open_checked("not elf", aot::LoadVia::TempFile, error));
  EXPECT_NE(error, "");
}

}  // namespace
}  // namespace healthc
