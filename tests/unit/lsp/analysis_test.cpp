// The index of names over the example cards: every occurrence spells its symbol's name, every
// symbol a card declares is declared once, and uses find their declarations.
#include "compiler/lsp/analysis.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace healthc::lsp {
namespace {

std::string read(const std::string& rel) {
  std::ifstream in(std::string(HEALTHC_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class LspIndex : public ::testing::TestWithParam<const char*> {};

TEST_P(LspIndex, OccurrencesSpellTheirNames) {
  Analysis a(GetParam(), read(GetParam()));
  ASSERT_TRUE(a.front.ok()) << GetParam();
  ASSERT_GT(a.occurrences.size(), 50u);
  std::map<std::string, int> declared;
  for (const Occurrence& o : a.occurrences) {
    std::string spelled = a.text.substr(o.range.begin, o.range.end - o.range.begin);
    if (spelled.size() > 1 && spelled.front() == '`') spelled = spelled.substr(1, spelled.size() - 2);
    std::string name = a.name(o.symbol);
    if (o.symbol.kind == Symbol::EnumMember) name = name.substr(name.find('.') + 1);
    EXPECT_EQ(spelled, name) << GetParam() << " at byte " << o.range.begin;
    if (o.declaration) ++declared[std::to_string(o.symbol.kind) + ":" + a.name(o.symbol)];
    EXPECT_TRUE(o.symbol.kind == Symbol::Builtin || a.declaration(o.symbol).has_value()) << a.name(o.symbol);
  }
  for (const auto& [name, n] : declared) EXPECT_EQ(n, 1) << name;
  // Every measure of the card is used somewhere (a model or an expression), so has a reference.
  for (size_t m = 0; m < a.front.card.measures.size(); ++m)
    EXPECT_FALSE(a.references({Symbol::Measure, static_cast<int32_t>(m)}, false).empty())
        << a.front.card.measures[m].name.text;
}

INSTANTIATE_TEST_SUITE_P(Examples, LspIndex,
                         ::testing::Values("examples/b2b_saas.health", "examples/b2b_saas_v2.health",
                                           "examples/lifecycle.health", "examples/fintech_platform.health"));

TEST(LspIndexKinds, MembersGroupsAndBuiltinsAreFound) {
  Analysis a("b2b_saas_v2.health", read("examples/b2b_saas_v2.health"));
  auto find = [&](Symbol::Kind k, const std::string& name) {
    for (const Occurrence& o : a.occurrences)
      if (o.symbol.kind == k && a.name(o.symbol) == name) return a.references(o.symbol, true).size();
    return size_t{0};
  };
  EXPECT_GE(find(Symbol::EnumMember, "csm_pulse.red"), 3u);   // declared, `match` arm, override condition
  EXPECT_GE(find(Symbol::EnumMember, "tier.enterprise"), 2u);  // declared, segment condition
  EXPECT_EQ(find(Symbol::Group, "product"), 1u);
  EXPECT_GE(find(Symbol::Builtin, "pct_change"), 1u);
  EXPECT_GE(find(Symbol::Band, "critical"), 4u);
  EXPECT_GE(find(Symbol::Segment, "enterprise"), 3u);  // declared, override and alert `for` lists
  EXPECT_GE(find(Symbol::Field, "seats"), 3u);          // declared, an expression, the roll-up weight
  EXPECT_GE(find(Symbol::Field, "csm_pulse_date"), 3u);  // declared, `stale after`, an alert
  EXPECT_GE(find(Symbol::Model, "default"), 2u);        // declared, `extends`
}

}  // namespace
}  // namespace healthc::lsp
