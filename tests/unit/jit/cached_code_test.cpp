// A cache hit without LLVM (compiler/jit/cached_code.h, object_loader.h): what the JIT stored
// is found by the LLVM-free key and loaded by the LLVM-free loader, and scores bit for bit as
// the evaluator does, for a kernel card with library calls (log, sqrt, text comparison), a
// split card and both variants; a miss, a damaged entry and objects the loader cannot load
// give no code (and never a crash), so the caller asks the JIT.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "compiler/jit/cache_key.h"
#include "compiler/jit/cached_code.h"
#include "compiler/jit/object_cache.h"
#include "compiler/jit/object_loader.h"
#include "tests/unit/jit/engine_fixture.h"

namespace healthc {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCard = R"(scorecard "cached"
fields { id : text key  plan : text  a : number  b : number optional }
bands { low from 0 color red  high from 50 color green }
measure ma { value = log(a + 1) * 20 + sqrt(a)  score = linear(value, 0 -> 0, 100 -> 100) }
measure mb { score = ranges(b) { ..10 -> 20  10.. -> 90 } }
measure mc { value = a  score = if plan == "gold" then 100 else clamp(value, 0, 100) }
model default { ma 3  mb 1  mc 2 }
label good when score >= 50
)";

// A card past the split threshold (codegen/split_emit.h): many measures over two fields.
std::string split_card(int measures) {
  std::string s = "scorecard \"split\"\nfields { id : text key  a : number  b : number optional }\n";
  s += "bands { low from 0 color red  high from 50 color green }\n";
  for (int m = 0; m < measures; ++m)
    s += "measure m" + std::to_string(m) + " { value = " + (m % 2 ? "a" : "b") + " * " + std::to_string(1 + m % 5) +
         "  score = linear(value, 0 -> 0, " + std::to_string(40 + m % 50) + " -> 100)  missing = 10 }\n";
  s += "model default {";
  for (int m = 0; m < measures; ++m) s += " m" + std::to_string(m) + " " + std::to_string(1 + m % 4);
  return s + " }\n";
}

class CachedCodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("healthc-cached-code-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  jit::CacheOptions cache() const { return {true, dir_.string()}; }

  // Compiles `variant` into the cache with the JIT, then loads it without LLVM and compares.
  void check_card(const std::string& text, jit::Variant variant) {
    const ir::Program p = testing::lower_text(text);
    ASSERT_FALSE(p.measures.empty());
    constexpr size_t kRows = 300;
    testing::Columns cols(p, kRows);
    for (size_t r = 0; r < kRows; ++r)
      for (size_t f = 0; f < p.fields.size(); ++f) {
        if (p.fields[f].type == ir::FieldType::Text) continue;
        if (r % 7 == f) cols.missing(f, r);
        else cols.set(f, r, double((r * 13 + f * 5) % 90));
      }
    const bool detail = variant == jit::Variant::Detail;
    EXPECT_TRUE(jit::load_cached(p, variant, cache()).code == std::nullopt) << "a hit before anything was stored";
    jit::CompileResult compiled = jit::compile(p, variant, cache());
    ASSERT_TRUE(compiled.scorer) << compiled.error;
    ASSERT_FALSE(compiled.from_cache);
    jit::CachedLookup hit = jit::load_cached(p, variant, cache());
    ASSERT_TRUE(hit.code) << "the JIT's entry was not found or not loaded";
    ASSERT_TRUE(hit.code->fn && hit.code->owner);
    testing::Outputs got(kRows, p.measures.size(), detail);
    const ir::BatchColumns in = cols.view();
    const ir::BatchOutputs o = got.view();
    hit.code->fn(&in, &o);
    testing::expect_same(got, testing::run_eval(p, cols, kRows, detail));
    // The other variant is another entry: not there yet.
    const jit::Variant other = detail ? jit::Variant::Basic : jit::Variant::Detail;
    EXPECT_FALSE(jit::load_cached(p, other, cache()).code);
  }
  fs::path entry() const {
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().extension() == ".o") return e.path();
    return {};
  }

  fs::path dir_;
};

TEST_F(CachedCodeTest, KernelCardBothVariants) {
  check_card(kCard, jit::Variant::Basic);
  fs::remove_all(dir_);
  check_card(kCard, jit::Variant::Detail);
}

TEST_F(CachedCodeTest, SplitCard) {
  const std::string text = split_card(90);
  ASSERT_TRUE(jit::is_split(testing::lower_text(text), jit::Variant::Detail));
  check_card(text, jit::Variant::Detail);
}

TEST_F(CachedCodeTest, KeyFollowsProgramAndVariantAndIsStable) {
  const ir::Program p = testing::lower_text(kCard);
  ir::Program q = p;
  q.measures[0].name += "x";
  EXPECT_EQ(jit::cache_key(p, jit::Variant::Basic), jit::cache_key(p, jit::Variant::Basic));
  EXPECT_NE(jit::cache_key(p, jit::Variant::Basic), jit::cache_key(p, jit::Variant::Detail));
  EXPECT_NE(jit::cache_key(p, jit::Variant::Basic), jit::cache_key(q, jit::Variant::Basic));
  EXPECT_EQ(jit::cache_key(p, jit::Variant::Basic).size(), 64u);
  EXPECT_FALSE(jit::host_signature().empty());
  EXPECT_EQ(jit::host_signature(), jit::host_signature());
}

TEST_F(CachedCodeTest, DamagedEntryIsNotLoadedAndIsDiscarded) {
  const ir::Program p = testing::lower_text(kCard);
  ASSERT_TRUE(jit::compile(p, jit::Variant::Basic, cache()).scorer);
  const fs::path e = entry();
  ASSERT_FALSE(e.empty());
  std::string bytes;
  {
    std::ifstream in(e, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[bytes.size() - 10] ^= 0x40;
  std::ofstream(e, std::ios::binary | std::ios::trunc) << bytes;
  jit::CachedLookup hit = jit::load_cached(p, jit::Variant::Basic, cache());
  EXPECT_FALSE(hit.code);
  ASSERT_EQ(hit.notes.size(), 1u);
  EXPECT_NE(hit.notes[0].find("checksum"), std::string::npos) << hit.notes[0];
  EXPECT_FALSE(fs::exists(e));
}

TEST_F(CachedCodeTest, LoaderRefusesWhatItCannotLoad) {
  const ir::Program p = testing::lower_text(kCard);
  ASSERT_TRUE(jit::compile(p, jit::Variant::Basic, cache()).scorer);
  jit::ObjectCache store(dir_.string(), jit::cache_key(p, jit::Variant::Basic));
  const jit::ObjectCache::Lookup hit = store.load();
  ASSERT_TRUE(hit.hit);
  const std::string& object = hit.object;
  EXPECT_TRUE(jit::load_object_function(object, "healthc_score_batch").address);
  EXPECT_NE(jit::load_object_function(object, "no_such_function").error.find("no function"), std::string::npos);
  EXPECT_FALSE(jit::load_object_function("", "healthc_score_batch").address);
  EXPECT_FALSE(jit::load_object_function("not an object at all", "healthc_score_batch").address);
  // Every truncation and a damaged byte at every 97th offset: an error or a load, never a crash
  // or a read past the bytes (the sanitizer build checks that).
  for (size_t n = 0; n < object.size(); n += 61)
    EXPECT_FALSE(jit::load_object_function(object.substr(0, n), "healthc_score_batch").address) << n;
  for (size_t i = 0; i < 64 && i < object.size(); ++i) {  // the ELF header: class, type, machine, tables
    std::string bad = object;
    bad[i] = static_cast<char>(bad[i] ^ 0xff);
    (void)jit::load_object_function(bad, "healthc_score_batch");
  }
}

}  // namespace
}  // namespace healthc
