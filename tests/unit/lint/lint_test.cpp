// The lint registry and suppressions: every rule has a warning or note code of its own and a
// documented rationale; `healthc-lint: disable=` comments are read as written.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "compiler/frontend.h"
#include "compiler/lint/lint.h"
#include "compiler/lint/suppression.h"

namespace healthc::lint {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LintRules, EveryRuleHasItsOwnWarningOrNoteCode) {
  std::set<std::string_view> codes, names;
  for (const Rule& r : rules()) {
    const DiagKindInfo& k = info(r.kind);
    EXPECT_EQ(k.code.substr(0, 1), "W") << k.code;
    EXPECT_NE(k.severity, Severity::Error) << k.code;
    EXPECT_TRUE(codes.insert(k.code).second) << k.code;
    EXPECT_TRUE(names.insert(r.name).second) << r.name;
    EXPECT_EQ(find_rule(k.code), &r);
  }
}

TEST(LintRules, EveryRuleIsDocumentedInLintMd) {
  const std::string doc = read_file(std::string(HEALTHC_SOURCE_DIR) + "/docs/lint.md");
  ASSERT_FALSE(doc.empty());
  for (const Rule& r : rules()) {
    std::string code(info(r.kind).code);
    std::string anchor = code + "-" + std::string(r.name);
    for (char& c : anchor) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(r.anchor, anchor);
    // The heading GitHub turns into that anchor.
    EXPECT_NE(doc.find("\n## " + code + " " + std::string(r.name) + "\n"), std::string::npos) << code;
  }
}

TEST(Suppressions, ReadTheListAfterDisable) {
  EXPECT_EQ(disabled_codes(" healthc-lint: disable=W101,W204"), (std::vector<std::string>{"W101", "W204"}));
  EXPECT_EQ(disabled_codes(" healthc-lint: disable=W101, w204 because reasons"),
            (std::vector<std::string>{"W101", "W204"}));
  EXPECT_TRUE(disabled_codes(" a plain comment").empty());
  EXPECT_TRUE(disabled_codes(" healthc-lint: enable=W101").empty());
}

TEST(Suppressions, ApplyToTheirLineAndTheNext) {
  SourceFile f("t.health", "a # healthc-lint: disable=W201\nb\nc\nd \"# healthc-lint: disable=W202\"\n");
  const Suppressions s(f);
  EXPECT_TRUE(s.suppresses("W201", 1));
  EXPECT_TRUE(s.suppresses("W201", 2));
  EXPECT_FALSE(s.suppresses("W201", 3));
  EXPECT_FALSE(s.suppresses("W202", 1));
  EXPECT_FALSE(s.suppresses("W202", 4));  // inside a string, not a comment
}

TEST(Lint, TheSpecExampleHasExactlyItsTwoKnownFindings) {
  FrontendResult r = run_frontend(std::string(HEALTHC_SOURCE_DIR) + "/examples/b2b_saas.health");
  ASSERT_TRUE(r.ok());
  const DiagnosticList found = lint(r.card, r.checked.checked, *r.file);
  std::vector<std::string> codes;
  for (const Diagnostic& d : found.items()) codes.push_back(d.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"W201", "W501"}));
}

}  // namespace
}  // namespace healthc::lint
