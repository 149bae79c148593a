// The compiled-code cache never trusts an entry by its name: a truncated, bit-flipped,
// foreign or insecurely stored entry is not loaded, the card is compiled afresh with a note,
// and the scores are the evaluator's.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "compiler/jit/object_cache.h"
#include "tests/unit/jit/engine_fixture.h"

namespace healthc {
namespace {

namespace fs = std::filesystem;
using testing::Columns;

constexpr const char* kCard = R"(scorecard "cache"
fields { id : text key  a : number  b : number optional }
bands { low from 0 color red  high from 50 color green }
measure ma { value = a * 2  score = linear(value, 0 -> 0, 100 -> 100) }
measure mb { score = ranges(b) { ..10 -> 20  10.. -> 90 } }
model default { ma 3  mb 1 }
label good when score >= 50
)";

class ObjectCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("healthc-cache-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    program_ = testing::lower_text(kCard);
    for (size_t r = 0; r < kRows; ++r) {
      cols_.set(1, r, double(r * 7 % 60));
      if (r % 3) cols_.set(2, r, double(r % 20));
      else cols_.missing(2, r);
    }
    expected_ = testing::run_eval(program_, cols_, kRows, true);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, ec);
    fs::remove_all(dir_, ec);
  }

  // Compiles through the cache and checks the scores; returns what jit::compile said.
  jit::CompileResult compile_and_check() {
    jit::CompileResult r;
    testing::Outputs got = testing::run_jit(program_, cols_, kRows, true, {true, dir_.string()}, &r);
    testing::expect_same(got, expected_);
    return r;
  }
  fs::path entry() const {
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().extension() == ".o") return e.path();
    return {};
  }
  std::string read(const fs::path& p) const {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  void write(const fs::path& p, const std::string& bytes) const {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  static bool mentions(const jit::CompileResult& r, const std::string& what) {
    for (const std::string& n : r.notes)
      if (n.find(what) != std::string::npos) return true;
    return false;
  }

  static constexpr size_t kRows = 40;
  fs::path dir_;
  ir::Program program_;
  Columns cols_{testing::lower_text(kCard), kRows};
  testing::Outputs expected_{0, 0, false};
};

TEST_F(ObjectCacheTest, DirectoryIsCreatedPrivateAndAHitIsUsed) {
  jit::CompileResult first = compile_and_check();
  EXPECT_FALSE(first.from_cache);
  EXPECT_TRUE(first.notes.empty());
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_FALSE(entry().empty());
  jit::CompileResult second = compile_and_check();
  EXPECT_TRUE(second.from_cache);
  EXPECT_TRUE(second.notes.empty());
}

TEST_F(ObjectCacheTest, TruncatedEntryIsDiscardedAndReplaced) {
  compile_and_check();
  const fs::path e = entry();
  const std::string whole = read(e);
  for (size_t keep : {size_t(0), size_t(10), whole.size() / 2, whole.size() - 1}) {
    write(e, whole.substr(0, keep));
    jit::CompileResult r = compile_and_check();
    EXPECT_FALSE(r.from_cache) << keep;
    EXPECT_TRUE(mentions(r, "discarded")) << keep;
    // The bad entry was replaced: the next run is a clean hit (it used to fail every run).
    jit::CompileResult again = compile_and_check();
    EXPECT_TRUE(again.from_cache) << keep;
    EXPECT_TRUE(again.notes.empty()) << keep;
  }
}

TEST_F(ObjectCacheTest, FlippedBitsInTheObjectAreDetected) {
  compile_and_check();
  const fs::path e = entry();
  const std::string whole = read(e);
  // Three flipped bits at spread positions, as in the report that found 52 crashes in 60.
  for (size_t trial = 0; trial < 8; ++trial) {
    std::string bad = whole;
    for (size_t k = 0; k < 3; ++k) bad[(trial * 977 + k * 1543 + 61) % bad.size()] ^= char(1 << ((trial + k) % 8));
    write(e, bad);
    jit::CompileResult r = compile_and_check();
    EXPECT_FALSE(r.from_cache) << trial;
    EXPECT_TRUE(mentions(r, "discarded")) << trial;
  }
}

TEST_F(ObjectCacheTest, EveryFlippedByteOfAnEntryIsDetected) {
  const std::string key = "0123456789abcdef";
  const std::string object = "\x7f" "ELF a small object, not a real one";
  const std::string entry = jit::ObjectCache::encode(key, object);
  std::string_view got;
  std::string error;
  ASSERT_TRUE(jit::ObjectCache::decode(entry, key, got, error)) << error;
  EXPECT_EQ(got, object);
  for (size_t i = 0; i < entry.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80, 0xff}) {
      std::string bad = entry;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      EXPECT_FALSE(jit::ObjectCache::decode(bad, key, got, error)) << "byte " << i << " mask " << int(mask);
    }
  }
  EXPECT_FALSE(jit::ObjectCache::decode(entry, "0123456789abcdeF", got, error));  // another key
  EXPECT_FALSE(jit::ObjectCache::decode(entry + "x", key, got, error));            // trailing bytes
}

TEST_F(ObjectCacheTest, WorldWritableDirectoryIsNeverLoaded) {
  compile_and_check();
  fs::permissions(dir_, fs::perms::all);  // 0777: anyone could have planted the entry
  jit::CompileResult r = compile_and_check();
  EXPECT_FALSE(r.from_cache);
  EXPECT_TRUE(mentions(r, "others can write it"));
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_write);  // 0770
  EXPECT_FALSE(compile_and_check().from_cache);
  fs::permissions(dir_, fs::perms::owner_all);
  EXPECT_TRUE(compile_and_check().from_cache);
}

TEST_F(ObjectCacheTest, EntryWritableByOthersOrNotOursIsNeverLoaded) {
  compile_and_check();
  const fs::path e = entry();
  fs::permissions(e, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_write);
  jit::CompileResult r = compile_and_check();
  EXPECT_FALSE(r.from_cache);
  EXPECT_TRUE(mentions(r, "not used"));
  if (::geteuid() == 0) {  // only root can give a file away
    fs::permissions(e, fs::perms::owner_read | fs::perms::owner_write);
    ASSERT_EQ(::chown(e.c_str(), 12345, 12345), 0);
    jit::CompileResult foreign = compile_and_check();
    EXPECT_FALSE(foreign.from_cache);
    EXPECT_TRUE(mentions(foreign, "not owned by you"));
  }
}

TEST_F(ObjectCacheTest, SymlinkedEntryIsNeverLoaded) {
  compile_and_check();
  const fs::path e = entry();
  const fs::path real = dir_ / "elsewhere";
  fs::rename(e, real);
  fs::create_symlink(real, e);
  jit::CompileResult r = compile_and_check();
  EXPECT_FALSE(r.from_cache);
  EXPECT_TRUE(mentions(r, "symbolic link"));
}

}  // namespace
}  // namespace healthc
