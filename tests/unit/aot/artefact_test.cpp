// Ahead-of-time artefacts (compiler/jit/aot.h, runtime/aot/artefact.h): what an artefact
// records for each CPU level, that a damaged IR blob is refused by its checksum, that a card
// past the compile budget becomes an IR-only artefact scored by the evaluator, and that the
// loader recognises artefacts by content. Fake and stale artefacts built with the C compiler
// are tested end to end by tests/aot/run.sh.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "compiler/ir/serialize.h"
#include "compiler/ir/verify.h"
#include "compiler/jit/aot.h"
#include "runtime/aot/artefact.h"
#include "runtime/aot/cpu.h"
#include "runtime/aot/layout.h"
#include "tests/unit/aot/aot_test_util.h"
#include "tests/unit/jit/engine_fixture.h"

namespace healthc {
namespace {

const char* kCard = R"(scorecard "tiny"
fields {
  id : text key
  seats : number
  logins : number optional
}
bands {
  low from 0 color red
  high from 50 color green
}
measure adoption {
  value = logins / seats
  score = linear(value, 0 -> 0, 2 -> 100)
  missing = 10
}
measure size {
  score = clamp(seats * 3, 0, 100)
}
model default {
  adoption 2
  size 1
}
label good when score >= 50
label rest otherwise
)";

using aot_test::read_file;
using aot_test::TempPath;
using aot_test::write_file;

TEST(AotEmit, EachCpuLevelRecordsItsFeatures) {
  const ir::Program p = testing::lower_text(kCard);
  jit::ArtefactOptions v2, v3, v4;
  v2.cpu = "x86-64-v2";
  v4.cpu = "x86-64-v4";
  jit::ArtefactResult r2, r3, r4;
  EXPECT_FALSE(jit::emit_artefact_object(p, v2, r2).empty());
  EXPECT_FALSE(jit::emit_artefact_object(p, v3, r3).empty());
  EXPECT_FALSE(jit::emit_artefact_object(p, v4, r4).empty());
  EXPECT_EQ(r2.cpu, "x86-64-v2");
  EXPECT_EQ(r3.cpu, "x86-64-v3");  // the default
  EXPECT_EQ(r2.features, "sse3,ssse3,sse4.1,sse4.2,popcnt");
  EXPECT_EQ(r3.features, "sse3,ssse3,sse4.1,sse4.2,popcnt,avx,avx2,fma,bmi,bmi2");
  EXPECT_EQ(r4.features, r3.features + ",avx512f,avx512bw,avx512cd,avx512dq,avx512vl");
  for (const auto* r : {&r2, &r3, &r4}) EXPECT_EQ(r->error, "");
}

TEST(AotEmit, AnUnknownCpuLevelIsAnError) {
  jit::ArtefactOptions o;
  o.cpu = "pentium";
  jit::ArtefactResult r;
  EXPECT_TRUE(jit::emit_artefact_object(testing::lower_text(kCard), o, r).empty());
  EXPECT_NE(r.error.find("--cpu must be"), std::string::npos);
}

TEST(AotLoad, AnArtefactScoresLikeTheEvaluator) {
  const ir::Program p = testing::lower_text(kCard);
  TempPath so("tiny.so");
  ASSERT_EQ(jit::write_artefact(p, {}, so.path).error, "");
  EXPECT_TRUE(aot::is_artefact(so.path));
  aot::LoadResult r = aot::load_artefact(so.path);
  ASSERT_TRUE(r.scorecard) << r.error;
  EXPECT_TRUE(r.notes.empty());
  EXPECT_EQ(r.scorecard->source(), nullptr);
  EXPECT_EQ(ir::serialize(r.scorecard->program()), ir::serialize(p));  // the program it was made from
  testing::Columns cols(p, 5);
  for (size_t row = 0; row < 5; ++row) cols.set(1, row, double(row * 7)), cols.set(2, row, double(row * row));
  cols.missing(2, 3);
  for (bool detail : {false, true}) {
    testing::Outputs got(5, p.measures.size(), detail);
    const ir::BatchColumns in = cols.view();
    r.scorecard->score(in, detail, got.view());
    EXPECT_FALSE(r.scorecard->prepare(detail).use_evaluator);
    EXPECT_NE(r.scorecard->prepare(detail).fn, nullptr);
    testing::expect_same(got, testing::run_eval(p, cols, 5, detail));
  }
}

TEST(AotLoad, AFlippedBitAnywhereIsRefusedByTheFileChecksum) {
  TempPath so("flipped.so");
  ASSERT_EQ(jit::write_artefact(testing::lower_text(kCard), {}, so.path).error, "");
  const std::string bytes = read_file(so.path);
  ASSERT_EQ(bytes.substr(bytes.size() - aot::kTrailerSize, 8), aot::kTrailerMagic);
  TempPath damaged("damaged.so");
  // In the ELF header, in the code, in the data, in the trailer's checksum.
  for (size_t at : {size_t{20}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 3}) {
    std::string copy = bytes;
    copy[at] ^= 0x10;
    write_file(damaged.path, copy);
    aot::LoadResult r = aot::load_artefact(damaged.path);
    EXPECT_FALSE(r.scorecard) << "byte " << at;
    EXPECT_NE(r.error.find("do not match the checksum"), std::string::npos) << r.error;
  }
}

TEST(AotLoad, WithoutTheTrailerAFlippedBitInTheIrIsRefusedByItsOwnChecksum) {
  const ir::Program p = testing::lower_text(kCard);
  TempPath so("flipped.so");
  ASSERT_EQ(jit::write_artefact(p, {}, so.path).error, "");
  std::string bytes = read_file(so.path);
  bytes.resize(bytes.size() - aot::kTrailerSize);  // as if linked by hand from --emit obj
  const std::string blob = ir::serialize(p);
  const size_t at = bytes.find(blob);
  ASSERT_NE(at, std::string::npos);  // the IR is stored verbatim
  TempPath hand("hand.so");
  write_file(hand.path, bytes);
  EXPECT_TRUE(aot::load_artefact(hand.path).scorecard);  // no trailer is allowed
  bytes[at + blob.size() / 2] ^= 0x04;
  TempPath damaged("damaged.so");
  write_file(damaged.path, bytes);
  aot::LoadResult r = aot::load_artefact(damaged.path);
  EXPECT_FALSE(r.scorecard);
  EXPECT_NE(r.error.find("does not match its checksum"), std::string::npos) << r.error;
}

TEST(AotLoad, PastTheBudgetTheArtefactHoldsTheIrForTheEvaluator) {
  ir::Program p = testing::lower_text(kCard);
  // Padding at the end of the labels block: constants nothing reads, but code to compile. (The
  // artefact's IR must verify, so unlike LargeCard.PastTheBudget... it stays inside a block.)
  ASSERT_EQ(p.labels_block.end, p.code.size());
  p.code.insert(p.code.end(), jit::kCompileBudget, ir::Inst{ir::Op::Const});
  p.labels_block.end = static_cast<uint32_t>(p.code.size());
  p.alerts_block = {p.labels_block.end, p.labels_block.end};  // the (empty) alerts block follows
  ASSERT_TRUE(ir::verify(p).empty()) << ir::verify(p).front();
  ASSERT_GT(jit::code_size(p, jit::Variant::Basic), jit::kCompileBudget);
  TempPath so("budget.so");
  const jit::ArtefactResult w = jit::write_artefact(p, {}, so.path);
  ASSERT_EQ(w.error, "");
  ASSERT_EQ(w.notes.size(), 2u);  // both variants
  EXPECT_NE(w.notes[0].find("reference evaluator"), std::string::npos);
  aot::LoadResult r = aot::load_artefact(so.path);
  ASSERT_TRUE(r.scorecard) << r.error;
  ASSERT_EQ(r.notes.size(), 1u);  // one for both variants
  EXPECT_NE(r.notes[0].find("has no native code (the card is past the compile budget)"), std::string::npos)
      << r.notes[0];
  testing::Columns cols(p, 4);
  for (size_t row = 0; row < 4; ++row) cols.set(1, row, double(row * 11)), cols.set(2, row, double(row));
  for (bool detail : {false, true}) {
    testing::Outputs got(4, p.measures.size(), detail);
    const ir::BatchColumns in = cols.view();
    r.scorecard->score(in, detail, got.view());
    EXPECT_TRUE(r.scorecard->prepare(detail).use_evaluator);
    testing::expect_same(got, testing::run_eval(p, cols, 4, detail));
  }
}

TEST(AotLoad, AnArtefactReplacedAtTheSamePathLoadsAsTheNewCard) {
  TempPath so("redeployed.so");
  std::string text = kCard;
  ASSERT_EQ(jit::write_artefact(testing::lower_text(text), {}, so.path).error, "");
  aot::LoadResult first = aot::load_artefact(so.path);
  ASSERT_TRUE(first.scorecard) << first.error;
  // A new version deployed in place (written aside and renamed, as healthc compile does) while
  // the old one is still in use.
  text.replace(text.find("\"tiny\""), 6, "\"tiny v2\"");
  ASSERT_EQ(jit::write_artefact(testing::lower_text(text), {}, so.path).error, "");
  aot::LoadResult second = aot::load_artefact(so.path);
  ASSERT_TRUE(second.scorecard) << second.error;
  EXPECT_EQ(first.scorecard->program().title, "tiny");
  EXPECT_EQ(second.scorecard->program().title, "tiny v2");
  EXPECT_NE(first.scorecard->prepare(0).fn, second.scorecard->prepare(0).fn);  // two libraries
}

// Mappings of loaded artefacts (their in-memory copies are named so) in this process.
int artefact_mappings() {
  std::ifstream maps("/proc/self/maps");
  int n = 0;
  for (std::string line; std::getline(maps, line);) n += line.find("memfd:healthc-artefact") != std::string::npos;
  return n;
}

TEST(AotLoad, TheCodeIsUnloadedWithTheLastCardUsingIt) {
  TempPath so("unload.so");
  ASSERT_EQ(jit::write_artefact(testing::lower_text(kCard), {}, so.path).error, "");
  const int before = artefact_mappings();
  aot::LoadResult r = aot::load_artefact(so.path);
  ASSERT_TRUE(r.scorecard) << r.error;
  EXPECT_GT(artefact_mappings(), before);
  std::shared_ptr<const Scorecard> copy = r.scorecard;
  r.scorecard.reset();
  EXPECT_GT(artefact_mappings(), before);  // still in use
  copy.reset();
  EXPECT_EQ(artefact_mappings(), before);
}

TEST(AotLoad, TextIsNotAnArtefact) {
  TempPath txt("card.so");
  write_file(txt.path, kCard);
  EXPECT_FALSE(aot::is_artefact(txt.path));
  aot::LoadResult r = aot::load_artefact(txt.path);
  EXPECT_FALSE(r.scorecard);
  EXPECT_NE(r.error.find("is not a compiled scorecard"), std::string::npos) << r.error;
  EXPECT_FALSE(aot::is_artefact(txt.path + ".absent"));
  EXPECT_NE(aot::load_artefact(txt.path + ".absent").error.find("cannot read"), std::string::npos);
}

TEST(AotCpu, UnknownFeatureNamesAreUnknown) {
  EXPECT_EQ(aot::host_has("avx9000"), aot::FeatureCheck::Unknown);
  EXPECT_EQ(aot::host_has("sse4.2"), aot::FeatureCheck::Present);  // every x86-64-v2 machine
}

// A machine with SSE4.2 but no AVX, for the loader's check.
aot::FeatureCheck old_machine(std::string_view f) {
  if (f == "avx" || f == "avx2" || f == "fma" || f == "bmi" || f == "bmi2") return aot::FeatureCheck::Missing;
  return aot::host_has(f) == aot::FeatureCheck::Unknown ? aot::FeatureCheck::Unknown : aot::FeatureCheck::Present;
}

TEST(AotCpu, AFeatureTheMachineLacksIsRefusedWithTheLevelToUse) {
  EXPECT_EQ(aot::check_features("c.so", "x86-64-v2", "sse3,ssse3,sse4.1,sse4.2,popcnt", old_machine), "");
  EXPECT_EQ(aot::check_features("c.so", "x86-64-v3", "sse4.2,popcnt,avx,avx2", old_machine),
            "`c.so` was compiled for CPU `x86-64-v3` and needs `avx`, which this machine does not have: recompile it "
            "with a lower --cpu level (x86-64-v2 runs on every x86-64 server of the last decade) or with --cpu native "
            "on this machine");
  EXPECT_EQ(aot::check_features("c.so", "future", "sse4.2,avx10", old_machine),
            "`c.so` was compiled for CPU `future` and needs `avx10`, a CPU feature this runtime cannot check: "
            "recompile it with a lower --cpu level, or load it with the healthc release that compiled it");
  EXPECT_EQ(aot::check_features("c.so", "x86-64-v2", "", old_machine), "");
}

}  // namespace
}  // namespace healthc
