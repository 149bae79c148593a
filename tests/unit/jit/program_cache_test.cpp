// The program cache in front of the front end (compiler/jit/program_cache.h, compile.h's
// compile_scorecard_cached): a second compile of the same bytes and params skips the front end
// and gives the same program (and the same compiled code, found by the program's key); one
// changed byte, param value or param name misses; a damaged entry is a miss that is deleted;
// --no-cache neither reads nor writes it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "compiler/api/compile.h"
#include "compiler/ir/serialize.h"
#include "compiler/jit/program_cache.h"
#include "tests/unit/jit/engine_fixture.h"

namespace healthc {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCard = R"(scorecard "front cached"
param target = 40
fields { id : text key  a : number  b : number optional }
bands { low from 0 color red  high from 50 color green }
measure ma { value = a + target  score = linear(value, 0 -> 0, 100 -> 100) }
measure mb { score = ranges(b) { ..10 -> 20  10.. -> 90 } }
model default { ma 3  mb 1 }
)";

class ProgramCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("healthc-program-cache-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "cards");
    options_.cache_dir = (dir_ / "cache").string();
    options_.engine = Engine::Evaluator;  // the program is what is cached; no JIT needed here
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write_card(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / "cards" / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  size_t entries() const {
    size_t n = 0;
    if (fs::exists(dir_ / "cache"))
      for (const auto& e : fs::directory_iterator(dir_ / "cache")) n += e.path().extension() == ".ir";
    return n;
  }
  // Compiles `path`; whether the front end ran (a miss), and the program's binary form.
  bool compile(const std::string& path, std::string& program, std::string* text = nullptr) {
    std::string card_text;
    CompileOutcome out = compile_scorecard_cached(path, options_, card_text);
    EXPECT_TRUE(out.scorecard) << out.error;
    if (!out.scorecard) return false;
    program = ir::serialize(out.scorecard->program());
    if (text) *text = card_text;
    return out.scorecard->source() != nullptr;
  }

  fs::path dir_;
  CompileOptions options_;
};

TEST_F(ProgramCacheTest, BuildIdIsKnown) {
  // Without one nothing is cached; this toolchain's linker writes one.
  EXPECT_GE(jit::build_id().size(), 16u);
  EXPECT_EQ(jit::build_id(), jit::build_id());
}

TEST_F(ProgramCacheTest, KeyFollowsBytesAndParams) {
  const std::string k = jit::program_key(kCard, {}, "");
  EXPECT_EQ(k.size(), 64u);
  EXPECT_EQ(k, jit::program_key(kCard, {}, ""));
  std::string one_byte = kCard;
  one_byte[one_byte.size() - 3] ^= 1;  // a space becomes a '!'
  EXPECT_NE(k, jit::program_key(one_byte, {}, ""));
  EXPECT_NE(k, jit::program_key(kCard, {}, "libhealthc_syntax.so 1 2 3 4.5"));  // another parser plugin
  EXPECT_NE(k, jit::program_key(std::string(kCard) + "\n", {}, ""));
  EXPECT_NE(k, jit::program_key(kCard, {{"target", 40}}, ""));  // the default, but given: another key
  EXPECT_NE(jit::program_key(kCard, {{"target", 40}}, ""), jit::program_key(kCard, {{"target", 41}}, ""));
  EXPECT_NE(jit::program_key(kCard, {{"target", 0.0}}, ""), jit::program_key(kCard, {{"target", -0.0}}, ""));
  EXPECT_NE(jit::program_key(kCard, {{"target", 40}}, ""), jit::program_key(kCard, {{"targex", 40}}, ""));
  EXPECT_NE(jit::program_key(kCard, {{"a", 1}, {"b", 2}}, ""), jit::program_key(kCard, {{"b", 2}, {"a", 1}}, ""));
}

TEST_F(ProgramCacheTest, SecondCompileSkipsTheFrontEndWithTheSameProgram) {
  const std::string path = write_card("card.health", kCard);
  std::string first, second, text;
  EXPECT_TRUE(compile(path, first)) << "a hit before anything was stored";
  EXPECT_EQ(entries(), 1u);
  EXPECT_FALSE(compile(path, second, &text)) << "the second compile ran the front end";
  EXPECT_EQ(first, second);
  EXPECT_EQ(text, kCard);  // the card's text, for --store, without the front end
  // Another path with the same bytes is the same card.
  std::string copy;
  EXPECT_FALSE(compile(write_card("copy.health", kCard), copy));
  EXPECT_EQ(copy, first);
}

TEST_F(ProgramCacheTest, ChangedByteOrParamMisses) {
  const std::string path = write_card("card.health", kCard);
  std::string base, got;
  ASSERT_TRUE(compile(path, base));
  // One byte (a weight): the front end runs, and the program differs.
  std::string changed = kCard;
  changed.replace(changed.find("ma 3"), 4, "ma 4");
  write_card("card.health", changed);
  EXPECT_TRUE(compile(path, got));
  EXPECT_NE(got, base);
  EXPECT_FALSE(compile(path, got));
  // Back to the first bytes: its entry is still there.
  write_card("card.health", kCard);
  EXPECT_FALSE(compile(path, got));
  EXPECT_EQ(got, base);
  // A param: a miss, another program; then a hit with that param.
  options_.params = {{"target", 80}};
  std::string with_param;
  EXPECT_TRUE(compile(path, with_param));
  EXPECT_NE(with_param, base);
  EXPECT_FALSE(compile(path, got));
  EXPECT_EQ(got, with_param);
  options_.params = {{"target", 81}};
  EXPECT_TRUE(compile(path, got));
  // A param the card does not have is an error, and nothing is stored for it.
  const size_t before = entries();
  options_.params = {{"nope", 1}};
  std::string card_text;
  CompileOutcome out = compile_scorecard_cached(path, options_, card_text);
  EXPECT_FALSE(out.scorecard);
  EXPECT_NE(out.error.find("no param `nope`"), std::string::npos) << out.error;
  EXPECT_EQ(entries(), before);
}

TEST_F(ProgramCacheTest, CardWithErrorsIsNotStored) {
  const std::string path = write_card("bad.health", std::string(kCard) + "measure mc { score = nope }\n");
  std::string card_text;
  for (int i = 0; i < 2; ++i) {
    CompileOutcome out = compile_scorecard_cached(path, options_, card_text);
    EXPECT_FALSE(out.scorecard);
    ASSERT_TRUE(out.front);
    EXPECT_TRUE(out.front->diags.has_errors());
  }
  EXPECT_EQ(entries(), 0u);
}

TEST_F(ProgramCacheTest, DamagedEntryIsAMissAndIsDeleted) {
  const std::string path = write_card("card.health", kCard);
  std::string base, got;
  ASSERT_TRUE(compile(path, base));
  fs::path entry;
  for (const auto& e : fs::directory_iterator(dir_ / "cache"))
    if (e.path().extension() == ".ir") entry = e.path();
  ASSERT_FALSE(entry.empty());
  std::string bytes;
  {
    std::ifstream in(entry, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[bytes.size() - 5] ^= 0x20;
  std::ofstream(entry, std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_FALSE(jit::load_program(jit::CacheOptions{true, options_.cache_dir}, jit::program_key(kCard, {}, "")));
  EXPECT_FALSE(fs::exists(entry));
  EXPECT_TRUE(compile(path, got)) << "a damaged entry was used";
  EXPECT_EQ(got, base);
  EXPECT_FALSE(compile(path, got));
}

TEST_F(ProgramCacheTest, NoCacheNeitherReadsNorWrites) {
  const std::string path = write_card("card.health", kCard);
  std::string got;
  options_.use_cache = false;
  EXPECT_TRUE(compile(path, got));
  EXPECT_TRUE(compile(path, got));
  EXPECT_EQ(entries(), 0u);
  options_.use_cache = true;
  EXPECT_TRUE(compile(path, got));
  options_.use_cache = false;
  EXPECT_TRUE(compile(path, got)) << "--no-cache read the program cache";
}

}  // namespace
}  // namespace healthc
