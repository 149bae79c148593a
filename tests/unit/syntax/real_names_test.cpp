// Real-world names (spec v2): enum members with `= "text"` spellings, keywords as enum
// members, and backquoted names, through parsing, checking, lowering and the IR's binary form.
#include <gtest/gtest.h>

#include "compiler/frontend.h"
#include "compiler/ir/conventions.h"
#include "compiler/ir/serialize.h"
#include "tests/unit/ir/ir_test_util.h"

namespace healthc {
namespace {

constexpr const char* kCard = R"(scorecard "Telecom"
fields {
  id       : text key
  state    : enum(ny, in, or, not, `and`)
  contract : enum(monthly = "Month-to-month", annual = "One \"year\"", biennial)
  `value`  : number
}
bands { low from 0 color red  high from 50 color green }
measure `score` { value = `value`  score = linear(value, 0 -> 0, 72 -> 100) }
measure term { score = match contract { monthly -> 20, annual -> 60, `biennial` -> 90 } }
measure region { score = match state { `in` -> 40, `or` -> 60, _ -> 50 } }
model default { group `group` 70 { `score` 50  term 50 }  region 30 }
segment midwest when state == `in` or state in [`not`, `and`] use default
)";

TEST(RealNames, KeywordsAreMembersAndBackquotedNamesAreTheirNames) {
  FrontendResult r = run_frontend_text("t.health", kCard);
  ASSERT_TRUE(r.ok()) << r.diags.items().front().message;
  const ast::Field& state = r.card.fields[1];
  ASSERT_EQ(state.members.size(), 5u);
  EXPECT_EQ(state.members[1].text, "in");
  EXPECT_EQ(state.members[4].text, "and");
  EXPECT_EQ(r.card.fields[3].name.text, "value");
  EXPECT_EQ(r.card.measures[0].name.text, "score");
}

TEST(RealNames, SpellingsReachTheProgramAndItsBinaryForm) {
  const ir::Program p = testing::lower_text(kCard);
  const ir::Field& contract = p.fields[2];
  ASSERT_EQ(contract.spellings.size(), 3u);
  EXPECT_EQ(ir::member_spelling(contract, 0), "Month-to-month");
  EXPECT_EQ(ir::member_spelling(contract, 1), "One \"year\"");
  EXPECT_EQ(ir::member_spelling(contract, 2), "biennial");  // no `= "..."`: its name
  EXPECT_TRUE(p.fields[1].spellings.empty());              // no spelling at all: none kept
  EXPECT_EQ(ir::member_spelling(p.fields[1], 1), "in");
  ir::Program q;
  std::string error;
  ASSERT_TRUE(ir::deserialize(ir::serialize(p), q, error)) << error;
  EXPECT_EQ(q.fields[2].spellings, contract.spellings);
  EXPECT_TRUE(q.fields[1].spellings.empty());
}

TEST(RealNames, KeywordMembersNeedBackquotesOutsideTheEnum) {
  std::string text = kCard;
  text.replace(text.find("state == `in`"), 13, "state == in");
  FrontendResult r = run_frontend_text("t.health", text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diags.items().front().code, std::string("E0005"));
}

}  // namespace
}  // namespace healthc
