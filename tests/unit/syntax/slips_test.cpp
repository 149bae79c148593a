// First-card slips (compiler/syntax/slips.cpp): each gives exactly one error with the fix-it,
// and the card reads on as if it were fixed (no cascade).
#include <gtest/gtest.h>

#include <string>

#include "compiler/frontend.h"

namespace healthc {
namespace {

std::string card_with(const std::string& fields, const std::string& rest) {
  return "scorecard \"T\"\nfields {\n  id : text key\n  x : number\n  t : enum(a, b)\n" + fields +
         "}\nbands { low from 0 color red  high from 50 color green }\n"
         "measure m { value = x  score = linear(value, 0 -> 0, 10 -> 100) }\n"
         "model default { m 100 }\n" + rest;
}

// The one error of `text`, its code and the text its fix-it writes.
std::pair<std::string, std::string> only_error(const std::string& text) {
  FrontendResult r = run_frontend_text("t.health", text);
  std::vector<const Diagnostic*> errors;
  for (const Diagnostic& d : r.diags.items())
    if (d.severity == Severity::Error) errors.push_back(&d);
  EXPECT_EQ(errors.size(), 1u) << text;
  if (errors.size() != 1) return {};
  return {errors[0]->code, errors[0]->fixits.empty() ? "" : errors[0]->fixits[0].replacement};
}

TEST(Slips, OtherLanguagesOperatorsAreFixedInPlace) {
  EXPECT_EQ(only_error(card_with("", "label l when x > 1 && t == a\n")), std::make_pair(std::string("E0016"), std::string("and")));
  EXPECT_EQ(only_error(card_with("", "label l when x > 1 || t == a\n")), std::make_pair(std::string("E0016"), std::string("or")));
  EXPECT_EQ(only_error(card_with("", "label l when !(x > 1)\n")), std::make_pair(std::string("E0016"), std::string("not ")));
  EXPECT_EQ(only_error(card_with("", "label l when t = a\n")), std::make_pair(std::string("E0016"), std::string("==")));
  EXPECT_EQ(only_error(card_with("", "label l when t <> a\n")), std::make_pair(std::string("E0016"), std::string("!=")));
  EXPECT_EQ(only_error(card_with("", "label l when x is null\n")), std::make_pair(std::string("E0016"), std::string("missing")));
}

TEST(Slips, AssignmentOutsideAConditionIsLeftAlone) {
  FrontendResult r = run_frontend_text("t.health", card_with("", "param p = 3\nlabel l when x > p\n"));
  EXPECT_FALSE(r.diags.has_errors());
}

TEST(Slips, KeywordAsANameShowsTheBackquotedForm) {
  EXPECT_EQ(only_error(card_with("  value : number\n", "")), std::make_pair(std::string("E0017"), std::string("`value`")));
  EXPECT_EQ(only_error(card_with("", "label band when x > 1\n")), std::make_pair(std::string("E0017"), std::string("`band`")));
}

TEST(Slips, MisspeltTypeIsOneErrorAndItsFieldStillResolves) {
  // `y` is read as a number field, so the measure that reads it gives no error of its own.
  EXPECT_EQ(only_error(card_with("  y : numbr\n", "measure n { value = y  score = value }\n")),
            std::make_pair(std::string("E0018"), std::string("number")));
}

TEST(Slips, MisspeltDeclarationKeywordIsOneError) {
  EXPECT_EQ(only_error(card_with("", "lable l when x > 1\n")), std::make_pair(std::string("E0019"), std::string("label")));
}

TEST(Slips, MissingBraceIsReportedWhereItIsMissingWithANote) {
  FrontendResult r = run_frontend_text("t.health", card_with("", "model other {\n  group g 50\n    m 10\n  }\n}\n"));
  ASSERT_FALSE(r.diags.items().empty());
  const Diagnostic& d = r.diags.items()[0];
  EXPECT_EQ(r.file->position(d.range.begin).line, 11u);  // the end of `group g 50`, not the next line
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].message, "the group starts here");
  ASSERT_EQ(d.fixits.size(), 1u);
  EXPECT_EQ(d.fixits[0].replacement, " {");
}

TEST(Slips, DataFileGivenAsACardIsSaidOnce) {
  FrontendResult r = run_frontend_text("a.csv", "account_id,tier,seats\na1,smb,3\n");
  ASSERT_EQ(r.diags.items().size(), 1u);
  EXPECT_EQ(r.diags.items()[0].code, "E0020");
  FrontendResult j = run_frontend_text("a.jsonl", "{\"account_id\": \"a1\"}\n");
  ASSERT_EQ(j.diags.items().size(), 1u);
  EXPECT_EQ(j.diags.items()[0].code, "E0020");
}

}  // namespace
}  // namespace healthc
