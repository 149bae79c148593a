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
            R"({"code":"E0101","file":"a.health","fixits":[],"message":"unknown name `b`","notes":[],)"
            R"("range":{"column":2,"end_column":3,"end_line":1,"line":1},"severity":"error"})");
}

TEST(Render, FixItShowsTheReplacementUnderTheCaret) {
  SourceFile f("a.health", "x\nvalue = tenur\n");
  Diagnostic d{DiagKind::UnknownName, Severity::Error, "E0101", {10, 15}, "unknown name `tenur`", {}, {}};
  d.fixits.push_back(FixIt{{10, 15}, "tenure"});
  EXPECT_EQ(render_text(f, d, {}),
            "a.health:2:9: error[E0101]: unknown name `tenur`\n"
            "    2 | value = tenur\n"
            "      |         ^~~~~\n"
            "      |         tenure\n");
}

TEST(Render, FixItOnAnotherLineIsAHelpLine) {
  SourceFile f("a.health", "group g 50\n  m 10\n");
  Diagnostic d{DiagKind::SyntaxError, Severity::Error, "E0005", {14, 15}, "missing `{`", {}, {}};
  d.fixits.push_back(FixIt{{10, 10}, " {"});
  EXPECT_NE(render_text(f, d, {}).find("      = help: insert ` {` at 1:11\n"), std::string::npos);
}

TEST(Render, JsonListsFixIts) {
  SourceFile f("a.health", "a && b\n");
  Diagnostic d{DiagKind::OperatorSlip, Severity::Error, "E0016", {2, 4}, "m", {}, {}};
  d.fixits.push_back(FixIt{{2, 4}, "and"});
  EXPECT_NE(render_json(f, d).find(R"("fixits":[{"range":{"column":3,"end_column":5,"end_line":1,"line":1},"replacement":"and"}])"),
            std::string::npos);
}

}  // namespace
}  // namespace healthc
