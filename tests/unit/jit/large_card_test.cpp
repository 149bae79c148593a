// Large cards compile in time and memory linear in the card (issue 12: 2,000 measures took
// 53 s and 2.2 GB, 10,000 were killed at 23.6 GB, 5,000 segments took 181 s), and both
// engines agree on them bit for bit. The same shape of card as scripts/gen_large_card.py.
// Time and memory limits here are loose guards against a return of superlinear growth, not
// speed tests (docs/performance.md has the measured figures).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <string>

#include "tests/unit/jit/engine_fixture.h"

namespace healthc {
namespace {

constexpr int kFields = 8;

std::string large_card(int measures, int segments, int models) {
  std::string s = "scorecard \"large\"\nfields {\n  id : text key\n";
  for (int f = 0; f < kFields; ++f) s += "  f" + std::to_string(f) + " : number" + (f % 2 ? " optional" : "") + "\n";
  s += "}\nbands {\n  low from 0 color red\n  mid from 40 color yellow\n  high from 70 color green\n}\n";
  auto n = [](int v) { return std::to_string(v); };
  for (int m = 0; m < measures; ++m) {
    const std::string f = "f" + n(m % kFields);
    s += "measure m" + n(m) + " {\n";
    switch (m % 3) {
      case 0:
        s += "  value = " + f + " * " + n(1 + m % 7) + " + " + n(m % 11) + "\n";
        s += "  score = linear(value, " + n(m % 13) + " -> 0, " + n(50 + m % 29) + " -> 100)\n";
        break;
      case 1: {
        const std::string lo = n(10 + m % 5), hi = n(60 + m % 9);
        s += "  value = " + f + "\n  score = ranges(value) { .." + lo + " -> 20  " + lo + ".." + hi + " -> 60  " + hi +
             ".. -> 95 }\n";
        break;
      }
      default: s += "  score = clamp(" + f + " * 2 - " + n(m % 17) + ", 0, 100)\n";
    }
    if ((m % kFields) % 2) s += "  missing = " + n(m % 100) + "\n";
    s += "}\n";
  }
  s += "model default {\n";
  for (int m = 0; m < measures; ++m) s += "  m" + n(m) + " " + n(1 + m % 9) + "\n";
  s += "}\n";
  for (int k = 1; k < models; ++k) {
    s += "model x" + n(k) + " {\n";
    for (int m = k % measures; m < measures; m += models) s += "  m" + n(m) + " " + n(1 + (m + k) % 5) + "\n";
    s += "}\n";
  }
  for (int g = 0; g < segments; ++g)
    s += "segment s" + n(g) + " when f" + n(g % kFields) + " >= " + n(segments - g) + " and f0 < " + n(g + 1000) +
         " use " + (models <= 1 || g % models == 0 ? std::string("default") : "x" + n(g % models)) + "\n";
  s += "override floor_low when f0 < 1 and f1 is missing => floor 10\n";
  s += "label good when score >= 70\nlabel rest otherwise\n";
  return s;
}

// Deterministic rows: values 0..120 spread over the segment thresholds, some missing.
testing::Columns rows_for(const ir::Program& p, size_t rows, int spread) {
  testing::Columns cols(p, rows);
  for (size_t r = 0; r < rows; ++r)
    for (int f = 0; f < kFields; ++f) {
      const size_t field = static_cast<size_t>(f) + 1;  // after the key
      if (f % 2 && (r + f) % 5 == 0) cols.missing(field, r);
      else cols.set(field, r, double((r * 37 + f * 11) % static_cast<size_t>(spread)));
    }
  return cols;
}

long peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

void compile_and_compare(const std::string& text, size_t rows, int spread) {
  const auto t0 = std::chrono::steady_clock::now();
  const ir::Program p = testing::lower_text(text);
  ASSERT_FALSE(p.measures.empty());
  const testing::Columns cols = rows_for(p, rows, spread);
  for (bool detail : {false, true}) {
    const auto variant = detail ? jit::Variant::Detail : jit::Variant::Basic;
    EXPECT_TRUE(jit::is_split(p, variant));                       // the split emitter's case
    EXPECT_LE(jit::code_size(p, variant), jit::kCompileBudget);  // compiled, not evaluated
    jit::CompileResult r;
    const testing::Outputs jit_out = testing::run_jit(p, cols, rows, detail, {false, ""}, &r);
    EXPECT_FALSE(r.use_evaluator);
    EXPECT_TRUE(r.notes.empty());
    testing::expect_same(jit_out, testing::run_eval(p, cols, rows, detail));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(seconds, 120) << "both variants took " << seconds << " s";
  EXPECT_LT(peak_rss_mb(), 3000);
}

TEST(LargeCard, TenThousandMeasuresCompileAndAgreeWithTheEvaluator) {
  // Its scratch columns make its tiles shorter than the longest: several of them and a part.
  compile_and_compare(large_card(10000, 0, 1), 2 * jit::kMaxSplitTileRows + 37, 121);
}

TEST(LargeCard, FiveThousandSegmentsCompileAndAgreeWithTheEvaluator) {
  // Values up to 6,000 so accounts land in many different segments (and models).
  compile_and_compare(large_card(20, 5000, 4), 200, 6000);
}

TEST(LargeCard, PastTheBudgetTheJitDefersToTheEvaluator) {
  ir::Program p = testing::lower_text(large_card(3, 0, 1));
  // Padding outside every block: never run, but it counts as code to compile.
  p.code.insert(p.code.end(), jit::kCompileBudget, ir::Inst{ir::Op::Missing});
  ASSERT_GT(jit::code_size(p, jit::Variant::Basic), jit::kCompileBudget);
  const auto t0 = std::chrono::steady_clock::now();
  jit::CompileResult r = jit::compile(p, jit::Variant::Basic, {false, ""});
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5);  // LLVM never ran
  EXPECT_FALSE(r.scorer);
  EXPECT_TRUE(r.error.empty());
  EXPECT_TRUE(r.use_evaluator);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("reference evaluator"), std::string::npos);
}

}  // namespace
}  // namespace healthc
