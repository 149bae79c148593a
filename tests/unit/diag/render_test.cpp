// The diagnostic renderer: positions, carets, long lines, JSON.
#include <gtest/gtest.h>

#include "compiler/diag/render.h"

namespace healthc {
namespace {

TEST(Render, CaretUnderlinesTheRange) {
  SourceFile f("a.health", "line one\nmeasure  bad here\n");
  Diagnostic d{DiagKind::UnknownName, Severity::Error, "E0101", {18, 21}, "unknown name `bad`", {}};
  const std::string out = render_text(f, d, {});
  EXPECT_EQ(out,
            "a.health:2:10: error[E0101]: unknown name `bad`\n"
            "    2 | measure  bad here\n"
            "      |          ^~~\n");
}

TEST(Render, ColumnsCountCharactersNotBytes) {
  SourceFile f("a.health", "label \"caf\xC3\xA9\" x\n");
  EXPECT_EQ(f.position(13).column, 13u);  // é is two bytes, one column
}

TEST(Render, LongLinesShowAWindowAroundTheRange) {
  std::string line(5000, 'a');
  SourceFile f("a.health", line + "\n");
  Diagnostic d{DiagKind::UnknownName, Severity::Error, "E0101", {4000, 4001}, "x", {}};
  const std::string out = render_text(f, d, {});
  EXPECT_LT(out.size(), 600u);
  EXPECT_NE(out.find("..."), std::string::npos);
}

TEST(Render, JsonCarriesTheSameFacts) {
  SourceFile f("a.health", "abc\n");
  Diagnostic d{DiagKind::UnknownName, Severity::Error, "E0101", {1, 2}, "unknown name `b`", {}};
  EXPECT_EQ(render_json(f, d),
            R"({"code":"E0101","file":"a.health","message":"unknown name `b`","notes":[],)"
            R"("range":{"column":2,"end_column":3,"end_line":1,"line":1},"severity":"error"})");
}

}  // namespace
}  // namespace healthc
