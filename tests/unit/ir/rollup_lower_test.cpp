// Roll-ups in the IR: lowered as the card declares them, listed, serialized exactly, and
// refused by the verifier when they name fields that cannot group or weigh.
#include <gtest/gtest.h>

#include "compiler/ir/serialize.h"
#include "compiler/ir/verify.h"
#include "tests/unit/ir/ir_test_util.h"

namespace healthc::ir {
namespace {

const char* kCard = R"(scorecard "R"
fields { id : text key  region : text optional  plan : enum(basic, pro)  paying : bool  arr : number optional
         since : date optional }
bands { low from 0 color red  high from 50 color green }
measure m { value = arr  score = linear(value, 0 -> 0, 10 -> 100) }
model default { m 1 }
rollup by_region "By region" by region weight arr
rollup mix by plan, paying, region
)";

bool mentions(const std::vector<std::string>& problems, const std::string& what) {
  for (const std::string& p : problems)
    if (p.find(what) != std::string::npos) return true;
  return false;
}

TEST(RollupLowering, KeepsNamesFieldsAndWeightInFileOrder) {
  const Program p = testing::lower_text(kCard);
  ASSERT_EQ(p.rollups.size(), 2u);
  EXPECT_EQ(p.rollups[0].name, "by_region");
  EXPECT_EQ(p.rollups[0].title, "By region");
  EXPECT_EQ(p.rollups[0].by, std::vector<int32_t>({1}));
  EXPECT_EQ(p.rollups[0].weight, 4);
  EXPECT_EQ(p.rollups[1].title, "");
  EXPECT_EQ(p.rollups[1].by, std::vector<int32_t>({2, 3, 1}));  // as written, not field order
  EXPECT_EQ(p.rollups[1].weight, -1);
  const std::string listing = print(p);
  EXPECT_NE(listing.find("rollup by_region \"By region\" by region weight arr\n"), std::string::npos) << listing;
  EXPECT_NE(listing.find("rollup mix by plan, paying, region\n"), std::string::npos) << listing;
  EXPECT_TRUE(verify(p).empty());
}

TEST(RollupLowering, SerializesExactly) {
  const Program p = testing::lower_text(kCard);
  Program q;
  std::string error;
  ASSERT_TRUE(deserialize(serialize(p), q, error)) << error;
  ASSERT_EQ(q.rollups.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(q.rollups[i].name, p.rollups[i].name);
    EXPECT_EQ(q.rollups[i].title, p.rollups[i].title);
    EXPECT_EQ(q.rollups[i].by, p.rollups[i].by);
    EXPECT_EQ(q.rollups[i].weight, p.rollups[i].weight);
  }
  // A card without roll-ups serializes differently from one with them (the JIT cache key).
  Program none = p;
  none.rollups.clear();
  EXPECT_NE(serialize(none), serialize(p));
}

TEST(RollupLowering, VerifierRefusesFieldsThatCannotGroupOrWeigh) {
  Program p = testing::lower_text(kCard);
  Program bad = p;
  bad.rollups[0].by = {4};  // a number
  EXPECT_TRUE(mentions(verify(bad), "not a text, enum or bool field"));
  bad = p;
  bad.rollups[0].by = {5};  // a date
  EXPECT_TRUE(mentions(verify(bad), "not a text, enum or bool field"));
  bad = p;
  bad.rollups[0].by = {};
  EXPECT_TRUE(mentions(verify(bad), "no `by` field"));
  bad = p;
  bad.rollups[1].by = {2, 2};
  EXPECT_TRUE(mentions(verify(bad), "named twice"));
  bad = p;
  bad.rollups[0].weight = 1;  // a text field
  EXPECT_TRUE(mentions(verify(bad), "not a number field"));
  bad = p;
  bad.rollups[0].weight = 99;
  EXPECT_TRUE(mentions(verify(bad), "not a number field"));
  bad = p;
  bad.rollups[1].name = "by_region";
  EXPECT_TRUE(mentions(verify(bad), "repeated name"));
  bad = p;
  bad.rollups.assign(kMaxRollups + 1, p.rollups[1]);
  for (size_t i = 0; i < bad.rollups.size(); ++i) bad.rollups[i].name = "r" + std::to_string(i);
  EXPECT_TRUE(mentions(verify(bad), "more than 64"));
  // A damaged blob with a bad roll-up is refused on reading, never used.
  bad = p;
  bad.rollups[0].by = {4};
  Program q;
  std::string error;
  EXPECT_FALSE(deserialize(serialize(bad), q, error));
  EXPECT_NE(error.find("invalid IR"), std::string::npos) << error;
}

}  // namespace
}  // namespace healthc::ir
