// The formatter: the layout of each construct, comments kept in place, idempotence, and a card
// that does not parse left as it was.
#include <gtest/gtest.h>

#include <string>

#include "compiler/format/format.h"

namespace healthc {
namespace {

std::string fmt_ok(const std::string& text) {
  format::FormatResult r = format::format_card("t.health", text);
  EXPECT_TRUE(r.ok) << text;
  // Idempotent: the formatted text is its own layout.
  format::FormatResult again = format::format_card("t.health", r.text);
  EXPECT_TRUE(again.ok);
  EXPECT_EQ(again.text, r.text) << "not idempotent on:\n" << text;
  return r.text;
}

TEST(Format, FieldsAlignTheirColonsAndTrailingComments) {
  EXPECT_EQ(fmt_ok("scorecard \"T\"\nfields { id : text key   seats:number optional # licensed\n"
                   "plan : enum(a,b) x:number  # the x\n}\n"),
            "scorecard \"T\"\n\nfields {\n"
            "  id    : text key\n"
            "  seats : number optional   # licensed\n"
            "  plan  : enum(a, b)\n"
            "  x     : number            # the x\n"
            "}\n");
}

TEST(Format, EnumSpellingsKeywordMembersAndBackquotedNamesKeepTheirText) {
  EXPECT_EQ(fmt_ok("fields { `in` : enum( in , or ,monthly=\"Month-to-month\" , ) key }"),
            "fields {\n  `in` : enum(in, or, monthly = \"Month-to-month\",) key\n}\n");
}

TEST(Format, BandsAlignEveryColumn) {
  EXPECT_EQ(fmt_ok("bands {\ncritical from 0 color red \"Critical\"\nat_risk from 31 color yellow \"At risk\"\n"
                   "ok from 100 color green\n}"),
            "bands {\n"
            "  critical from 0   color red    \"Critical\"\n"
            "  at_risk  from 31  color yellow \"At risk\"\n"
            "  ok       from 100 color green\n"
            "}\n");
}

TEST(Format, ParamsWrittenTogetherAlignTheirEquals) {
  EXPECT_EQ(fmt_ok("param a = 1\nparam longer=-50%   # drop\n\nparam c = 2\n"),
            "param a      = 1\nparam longer = -50%   # drop\n\nparam c = 2\n");
}

TEST(Format, MeasureItemsOneARowAndRangesAligned) {
  EXPECT_EQ(fmt_ok("measure m \"M\" subjective stale after 90 days of d { value = -x*2+1e1 score = ranges(value) "
                   "{ ..20% -> 10 20%..40% -> 45 40%.. -> 100 } missing = unscored }"),
            "measure m \"M\" subjective stale after 90 days of d {\n"
            "  value = -x * 2 + 1e1\n"
            "  score = ranges(value) {\n"
            "    ..20%    -> 10\n"
            "    20%..40% -> 45\n"
            "    40%..    -> 100\n"
            "  }\n"
            "  missing = unscored\n"
            "}\n");
}

TEST(Format, LinearAndMatchStayOnOneRowUntilTooWide) {
  EXPECT_EQ(fmt_ok("measure m { score = linear( value , -40% -> 0 , 25% -> 100 ) }\n"
                   "measure s { score = match p { green -> 100, \"x y\" -> 50, _ -> 0 } }"),
            "measure m {\n  score = linear(value, -40% -> 0, 25% -> 100)\n}\n\n"
            "measure s {\n  score = match p { green -> 100, \"x y\" -> 50, _ -> 0 }\n}\n");
  std::string points;
  for (int i = 0; i < 20; ++i) points += ", " + std::to_string(i * 10) + " -> " + std::to_string(i * 5);
  const std::string wide = fmt_ok("measure m { score = linear(value" + points + ") }");
  EXPECT_NE(wide.find("  score = linear(value,\n    0   -> 0,\n    10  -> 5,\n"), std::string::npos) << wide;
  EXPECT_NE(wide.find("    190 -> 95)\n}\n"), std::string::npos) << wide;
}

TEST(Format, ModelWeightsAlignPerBlock) {
  EXPECT_EQ(fmt_ok("model inbound extends default { group funds \"Funds\" 50 { deposit_trend 45 ratio 30 } "
                   "drop sentiment support 15 compliance 20 }"),
            "model inbound extends default {\n"
            "  group funds \"Funds\" 50 {\n"
            "    deposit_trend 45\n"
            "    ratio         30\n"
            "  }\n"
            "  drop sentiment\n"
            "  support    15\n"
            "  compliance 20\n"
            "}\n");
}

TEST(Format, RunsOfOneLineDeclarationsAlignNameAndTitle) {
  EXPECT_EQ(fmt_ok("label expand \"Expand\" when score >= 80\nlabel review otherwise\n"
                   "label steady \"Steady state\" when band==healthy or band == watch\n"),
            "label expand \"Expand\"       when score >= 80\n"
            "label review                otherwise\n"
            "label steady \"Steady state\" when band == healthy or band == watch\n");
  EXPECT_EQ(fmt_ok("segment new_logo \"Onboarding\" when days_live < 90 use onboarding\n"
                   "segment enterprise when tier == enterprise use enterprise\n"),
            "segment new_logo   \"Onboarding\" when days_live < 90 use onboarding\n"
            "segment enterprise              when tier == enterprise use enterprise\n");
}

TEST(Format, OverridesAlertsAndRollups) {
  EXPECT_EQ(fmt_ok("override collapse \"Usage collapse\" when usage_trend.value <= collapse => band critical\n"
                   "override escalation for enterprise, smb when p1_open>=5 => score 10\n"
                   "alert went \"Went critical\" when band == critical severity critical\n"
                   "alert fell when previous.band==healthy and change(score,7 days)<=-15\n"
                   "rollup tiers \"By tier\" by tier weight seats\nrollup pulse by tier , csm_pulse\n"),
            "override collapse   \"Usage collapse\" when usage_trend.value <= collapse => band critical\n"
            "override escalation                  for enterprise, smb when p1_open >= 5 => score 10\n\n"
            "alert went \"Went critical\" when band == critical severity critical\n"
            "alert fell                 when previous.band == healthy and change(score, 7 days) <= -15\n\n"
            "rollup tiers \"By tier\" by tier weight seats\n"
            "rollup pulse           by tier, csm_pulse\n");
}

TEST(Format, ExpressionsSpaceOperatorsAndHugCallsAndMembers) {
  EXPECT_EQ(fmt_ok("label l when not(a) and x in[ a,b ] and y not in [] and z is not missing and "
                   "-(x+1)*2 > coalesce( p.value , 1 ) and previous.m.score > if b then 1 else 0"),
            "label l when not (a) and x in [a, b] and y not in [] and z is not missing and "
            "-(x + 1) * 2 > coalesce(p.value, 1) and previous.m.score > if b then 1 else 0\n");
}

TEST(Format, OneBlankLineBetweenDeclarationsAndNoneInsideBlockEdges) {
  EXPECT_EQ(fmt_ok("scorecard \"T\"\n\n\n\nfields {\n\n  id : text key\n\n\n  x : number\n\n}\nparam p = 1"),
            "scorecard \"T\"\n\nfields {\n  id : text key\n\n  x  : number\n}\n\nparam p = 1\n");
}

TEST(Format, CommentsStayWhereTheyWere) {
  const std::string in =
      "# header\n\nscorecard \"T\"  // title\n# before fields\nfields { # opening\n  id : text key\n"
      "  # inside\n  x : number\n  # before the brace\n}\n\n# before m\nmeasure m {\n  score = linear(x, # points\n"
      "    0 -> 0, 10 -> 100)\n}\n# at the end\n";
  const std::string out = fmt_ok(in);
  EXPECT_EQ(out,
            "# header\n\nscorecard \"T\"   // title\n\n# before fields\nfields {   # opening\n  id : text key\n"
            "  # inside\n  x  : number\n  # before the brace\n}\n\n# before m\nmeasure m {\n"
            "  score = linear(x,   # points\n      0 -> 0, 10 -> 100)\n}\n# at the end\n");
}

TEST(Format, ACommentInsideAnExpressionBreaksTheRowAndStays) {
  const std::string out = fmt_ok("label l when a and\n  # why b\n  b\nlabel m when c\n");
  EXPECT_EQ(out, "label l when a and\n    # why b\n    b\nlabel m when c\n");
}

TEST(Format, EmptyBlocksAndAnEmptyCard) {
  EXPECT_EQ(fmt_ok("fields {   }\nmodel default {}"), "fields {}\n\nmodel default {}\n");
  EXPECT_EQ(fmt_ok("fields { # none yet\n}"), "fields {   # none yet\n}\n");
  EXPECT_EQ(fmt_ok(""), "");
  EXPECT_EQ(fmt_ok("# only a comment   \n"), "# only a comment\n");
}

TEST(Format, TitlesInUtf8AlignByCharacters) {
  EXPECT_EQ(fmt_ok("label a \"Réussi\" when x\nlabel bb \"Ok\" when y\n"),
            "label a  \"Réussi\" when x\nlabel bb \"Ok\"     when y\n");
}

TEST(Format, ACardThatDoesNotParseIsReturnedAsGiven) {
  const std::string broken = "fields {\n  id : text key\nmeasure m { value = x &&& y }\n";
  format::FormatResult r = format::format_card("bad.health", broken);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.text, broken);
  EXPECT_TRUE(r.diags.has_errors());
}

TEST(Format, TokensAreNeverAddedDroppedOrReordered) {
  const std::string in = "measure m{value=a-b/c*(d+e)score=match t{a->1 b->2,}}";
  const std::string out = fmt_ok(in);
  std::string squeezed_in, squeezed_out;
  for (char c : in)
    if (c != ' ' && c != '\n') squeezed_in += c;
  for (char c : out)
    if (c != ' ' && c != '\n') squeezed_out += c;
  EXPECT_EQ(squeezed_in, squeezed_out);
}

}  // namespace
}  // namespace healthc
