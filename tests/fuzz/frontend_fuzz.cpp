// Fuzz target: the front end on arbitrary bytes. Parse and check; on a clean card also lint,
// lower, print the IR, and score a few extreme rows with the reference evaluator. Besides "no
// crash, no sanitizer report": every diagnostic has a code and a range inside the file, they
// come sorted and capped, a rejected card says why, and scores keep their encodings.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "compiler/diag/render.h"
#include "compiler/lint/lint.h"
#include "compiler/api/compile.h"
#include "tests/fuzz/fuzz_invariants.h"

namespace healthc::fuzz {
namespace {

// Larger cards only slow the fuzzer down; their problems (issue 12's deep chains) have tests.
constexpr size_t kMaxCardBytes = 64 * 1024;
constexpr size_t kRenderedDiagnostics = 3;

void check_front(const FrontendResult& front, const std::string& text) {
  require(front.file != nullptr, "the front end lost the file: " + front.read_error);
  require(front.file->text() == text, "the source file does not hold the input");
  check_diagnostics(front.diags, text.size());
  const auto& items = front.diags.items();
  for (size_t i = 1; i < items.size(); ++i)
    require(items[i - 1].range.begin <= items[i].range.begin, "diagnostics are not sorted by position");
  require(front.diags.count(Severity::Error) <= kMaxErrors + 1, "more errors than the cap");
  require(front.ok() || front.diags.has_errors(), "the card was rejected without an error");
  // The renderers map ranges to lines and columns. A few diagnostics exercise them: rendering
  // all of a mutated card's 100 errors took a third of each run (render_test.cpp covers more).
  for (size_t i = 0; i < items.size() && i < kRenderedDiagnostics; ++i) {
    render_text(*front.file, items[i], RenderOptions{});
    render_json(*front.file, items[i]);
  }
}

// Rows at the edges of what a reader can produce: zeros, the largest and smallest finite
// numbers, the first and last enum members and dates, empty and long text, missing cells.
rt::ColumnBlock extreme_rows(const rt::Schema& schema) {
  constexpr double kMax = std::numeric_limits<double>::max();
  constexpr double kTiny = std::numeric_limits<double>::denorm_min();
  const double numbers[] = {0.0, kMax, -kMax, kTiny, -0.0, 1e15, -1.5, 100.0};
  const double dates[] = {0, 2932896, -719162, 20000, 20400, 1, -1, 20100};  // 9999-12-31, 0001-01-01
  const char* texts[] = {"", "k", "x", "y", "\xF0\x9F\x98\x80", "a long text cell, longer than most", "0", " "};
  constexpr size_t kRows = std::size(numbers);
  rt::ColumnBlock b;
  b.reset(schema);
  b.rows = kRows;
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    const rt::FieldSpec& spec = schema.fields[f];
    b.valid[f].resize(kRows);
    if (spec.type == rt::FieldType::Text) b.text[f].resize(kRows);
    else b.num[f].resize(kRows);
    const double last_member = spec.members.empty() ? 0 : static_cast<double>(spec.members.size() - 1);
    for (size_t r = 0; r < kRows; ++r) {
      b.valid[f][r] = !spec.optional || (r + f) % 3 != 2;
      switch (spec.type) {
        case rt::FieldType::Text: {
          const std::string_view t = spec.key ? b.keep("key" + std::to_string(r)) : b.keep(texts[r]);
          b.text[f][r] = rt::TextRef{t.data(), t.size()};
          break;
        }
        case rt::FieldType::Enum: b.num[f][r] = r % 2 ? last_member : 0; break;
        case rt::FieldType::Bool: b.num[f][r] = static_cast<double>(r % 2); break;
        case rt::FieldType::Date: b.num[f][r] = dates[r]; break;
        case rt::FieldType::Number: b.num[f][r] = numbers[r]; break;
      }
    }
  }
  return b;
}

void check_scores(const ir::Program& p, const BlockScores& s) {
  const auto nseg = static_cast<int32_t>(p.segments.size());
  const auto nbands = static_cast<int32_t>(p.bands.size());
  const auto nlabels = static_cast<int32_t>(p.labels.size());
  const auto novr = static_cast<int32_t>(p.overrides.size());
  for (size_t r = 0; r < s.rows; ++r) {
    const std::string row = "row " + std::to_string(r) + ": ";
    require(s.segment[r] >= 0 && s.segment[r] <= nseg, row + "segment " + std::to_string(s.segment[r]));
    require(s.score[r] >= -1 && s.score[r] <= 100, row + "score " + std::to_string(s.score[r]));
    require(s.band[r] >= 0 && s.band[r] <= nbands, row + "band " + std::to_string(s.band[r]));
    require(s.label[r] >= -1 && s.label[r] < nlabels, row + "label " + std::to_string(s.label[r]));
    require(s.override_[r] >= -1 && s.override_[r] < novr, row + "override " + std::to_string(s.override_[r]));
  }
  for (size_t i = 0; i < s.m_score.size(); ++i) {
    if (s.m_score_valid[i]) require(std::isfinite(s.m_score[i]), "a measure score that is not finite");
    if (s.m_weight_valid[i]) require(std::isfinite(s.m_weight[i]), "an effective weight that is not finite");
  }
}

}  // namespace
}  // namespace healthc::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace healthc;
  if (size > fuzz::kMaxCardBytes) return -1;  // not added to the corpus
  const std::string text(reinterpret_cast<const char*>(data), size);
  CompileOptions options;
  options.engine = Engine::Evaluator;
  options.use_cache = false;
  const CompileOutcome out = compile_scorecard_text("fuzz.health", text, options);
  fuzz::require(out.scorecard != nullptr || out.front != nullptr, "compile lost the front end: " + out.error);
  const FrontendResult& front = out.scorecard ? *out.scorecard->source() : *out.front;
  fuzz::check_front(front, text);
  if (!out.scorecard) {
    fuzz::require(!front.ok(), "a clean card did not compile: " + out.error);
    return 0;
  }
  const DiagnosticList findings = lint::lint(front.card, front.checked.checked, *front.file);
  fuzz::check_diagnostics(findings, text.size());
  const ir::Program& program = out.scorecard->program();
  ir::print(program);
  const rt::ColumnBlock block = fuzz::extreme_rows(out.scorecard->schema());
  BlockScores scores;
  for (const double as_of : {20100.0, -719162.0, 2932896.0}) {
    out.scorecard->score(block, as_of, /*detail=*/true, scores);
    fuzz::check_scores(program, scores);
  }
  return 0;
}
