// The IR serializer: exact round trips (doubles bit for bit) on the examples and on random
// cards, deterministic bytes, and damaged or hostile blobs rejected with a reason, never a crash.
#include "compiler/ir/serialize.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "compiler/ir/verify.h"
#include "tests/unit/ir/ir_test_util.h"

namespace healthc::ir {
namespace {

using testing::example_cards;
using testing::lower_example;
using testing::lower_text;

// Round trips `p` and checks the copy is the same program: same bytes again, same listing,
// and the members the listing does not show.
void expect_round_trip(const Program& p, const std::string& what) {
  const std::string bytes = serialize(p);
  Program q;
  std::string error;
  ASSERT_TRUE(deserialize(bytes, q, error)) << what << ": " << error;
  EXPECT_EQ(serialize(q), bytes) << what;
  EXPECT_EQ(print(q), print(p)) << what;
  ASSERT_EQ(q.code.size(), p.code.size());
  for (size_t i = 0; i < p.code.size(); ++i)
    EXPECT_EQ(std::bit_cast<uint64_t>(q.code[i].imm), std::bit_cast<uint64_t>(p.code[i].imm)) << what << " %" << i;
  ASSERT_EQ(q.measures.size(), p.measures.size());
  for (size_t i = 0; i < p.measures.size(); ++i) {
    EXPECT_EQ(q.measures[i].title, p.measures[i].title);
    EXPECT_EQ(q.measures[i].subjective, p.measures[i].subjective);
    EXPECT_EQ(q.measures[i].value_kind, p.measures[i].value_kind);
    EXPECT_EQ(q.measures[i].enum_field, p.measures[i].enum_field);
  }
  EXPECT_EQ(q.key_field, p.key_field);
  EXPECT_EQ(q.strings, p.strings);
}

TEST(Serialize, EveryExampleCardRoundTripsExactly) {
  for (const std::string& name : example_cards()) {
    const Program p = lower_example(name);
    ASSERT_FALSE(p.code.empty()) << name;
    expect_round_trip(p, name);
  }
  expect_round_trip(lower_text(testing::kEveryPartCard), "every part");
}

TEST(Serialize, RandomCardsRoundTripExactly) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    test_support::CardGenerator g(seed);
    const Program p = lower_text(g.card());
    ASSERT_FALSE(p.code.empty()) << "seed " << seed;
    expect_round_trip(p, "seed " + std::to_string(seed));
  }
}

TEST(Serialize, DoublesKeepEveryBit) {
  Program p = lower_text(testing::kEveryPartCard);
  const double specials[] = {-0.0, std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max(),
                             0.1 + 0.2, std::numeric_limits<double>::infinity(), std::bit_cast<double>(0x7ff8dead0000beefull)};
  size_t k = 0;
  for (Inst& in : p.code)
    if (in.op == Op::Const && k < std::size(specials)) in.imm = specials[k++];
  ASSERT_EQ(k, std::size(specials));
  p.models[0].roots[0].weight = 0.30000000000000004;
  const std::string bytes = serialize(p);
  Program q;
  std::string error;
  ASSERT_TRUE(deserialize(bytes, q, error)) << error;
  k = 0;
  for (const Inst& in : q.code) {
    if (in.op == Op::Const && k < std::size(specials)) {
      EXPECT_EQ(std::bit_cast<uint64_t>(in.imm), std::bit_cast<uint64_t>(specials[k]));
      ++k;
    }
  }
  EXPECT_EQ(std::bit_cast<uint64_t>(q.models[0].roots[0].weight), std::bit_cast<uint64_t>(0.30000000000000004));
}

TEST(Serialize, EqualProgramsGiveEqualBytes) {
  EXPECT_EQ(serialize(lower_example("b2b_saas")), serialize(lower_example("b2b_saas")));
  EXPECT_NE(serialize(lower_example("b2b_saas")), serialize(lower_example("lifecycle")));
}

TEST(Serialize, EveryTruncationIsRejected) {
  const std::string bytes = serialize(lower_text(testing::kEveryPartCard));
  for (size_t n = 0; n < bytes.size(); ++n) {
    Program q;
    std::string error;
    EXPECT_FALSE(deserialize(std::string_view(bytes).substr(0, n), q, error)) << "prefix " << n;
    EXPECT_FALSE(error.empty());
  }
}

TEST(Serialize, TrailingBytesBadMagicAndOtherVersionsAreRejected) {
  const std::string bytes = serialize(lower_text(testing::kEveryPartCard));
  Program q;
  std::string error;
  EXPECT_FALSE(deserialize(bytes + '\0', q, error));
  EXPECT_NE(error.find("trailing"), std::string::npos) << error;
  std::string bad = bytes;
  bad[0] = 'X';
  EXPECT_FALSE(deserialize(bad, q, error));
  EXPECT_NE(error.find("magic"), std::string::npos) << error;
  bad = bytes;
  bad[4] = static_cast<char>(kSerialVersion + 1);
  EXPECT_FALSE(deserialize(bad, q, error));
  EXPECT_NE(error.find("version"), std::string::npos) << error;
}

TEST(Serialize, AHugeCountIsRejectedWithoutAllocating) {
  std::string bytes = serialize(lower_text(testing::kEveryPartCard));
  // The title's length is the first count (after magic and version).
  bytes[8] = bytes[9] = bytes[10] = bytes[11] = '\xff';
  Program q;
  std::string error;
  EXPECT_FALSE(deserialize(bytes, q, error));
  EXPECT_NE(error.find("exceeds"), std::string::npos) << error;
}

TEST(Serialize, AnOperandOutOfRangeIsRejectedByTheVerifier) {
  Program p = lower_text(testing::kEveryPartCard);
  for (Inst& in : p.code)
    if (in.op == Op::Add || in.op == Op::Sub) {
      in.a = 1u << 30;
      break;
    }
  Program q;
  std::string error;
  EXPECT_FALSE(deserialize(serialize(p), q, error));
  EXPECT_NE(error.find("invalid IR"), std::string::npos) << error;
}

// Every single-byte change is either rejected or yields a program that passes the verifier
// (a changed name or constant is still a valid program); none may crash or hang.
TEST(Serialize, GarbledBytesAreRejectedOrStillValid) {
  const std::string bytes = serialize(lower_text(testing::kEveryPartCard));
  std::mt19937_64 rng(7);
  size_t rejected = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int trial = 0; trial < 3; ++trial) {
      std::string bad = bytes;
      const unsigned char flip = trial == 0 ? 0xff : static_cast<unsigned char>(1u << (rng() % 8));
      bad[i] = static_cast<char>(bad[i] ^ flip);
      Program q;
      std::string error;
      if (deserialize(bad, q, error)) {
        EXPECT_TRUE(verify(q).empty()) << "byte " << i;
      } else {
        ++rejected;
        EXPECT_FALSE(error.empty());
      }
    }
  }
  // Changes to counts, ops and indexes are caught; a constant's or a name's bytes may change freely.
  EXPECT_GT(rejected, bytes.size() / 2);
}

}  // namespace
}  // namespace healthc::ir
