// The data profile counts what scoring shows (segments, bands, measures over the accounts whose
// model uses them, overrides over the accounts they can apply to), the same on both engines,
// the data rules read it only when there is one, and roll-up groups are counted as the builder
// groups them.
#include "compiler/lint/data_profile.h"
#include "compiler/api/compile.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "compiler/lint/lint.h"
#include "runtime/analysis/rollup.h"
#include "runtime/pipeline/dataset.h"
#include "runtime/pipeline/pipeline.h"

namespace healthc::lint {
namespace {

constexpr const char* kCard = R"(scorecard "Profile"
fields { id : text key  tier : enum(big, small)  usage : number  tickets : number  nps : number optional }
bands { low from 0 color red  high from 50 color green  top from 99 color blue }
measure usage_m { value = usage  score = linear(value, 0 -> 0, 100 -> 100) }
measure support { value = tickets  score = ranges(value) { ..1 -> 100  1.. -> 40 } }
measure sentiment { value = nps  score = linear(value, -100 -> 0, 100 -> 100) }
model default { usage_m 50  support 50 }
model wide { usage_m 40  support 30  sentiment 30 }
segment large when tier == big use wide
override flooded when tickets >= 3 => cap 30
override big_flood for large when tickets >= 2 => cap 20
)";

// 24 rows: 4 `big` (ids b*), 20 `small`; nps only on b1 and b2; tickets 3 on s1..s3.
std::string csv() {
  std::string s = "id,tier,usage,tickets,nps\n";
  s += "b1,big,80,0,20\nb2,big,60,2,-20\nb3,big,40,0,\nb4,big,20,1,\n";
  for (int i = 1; i <= 20; ++i) s += "s" + std::to_string(i) + ",small," + std::to_string(i * 4) + "," + (i <= 3 ? "3" : "0") + ",\n";
  s += "bad,small,lots,0,\n";  // rejected
  return s;
}

DataProfile profile(Engine engine, std::shared_ptr<const Scorecard>* keep = nullptr) {
  CompileOptions opts;
  opts.engine = engine;
  opts.use_cache = false;
  CompileOutcome c = compile_scorecard_text("profile.health", kCard, opts);
  EXPECT_TRUE(c.scorecard) << c.error;
  std::string text = csv();
  std::FILE* in = fmemopen(text.data(), text.size(), "r");
  auto reader = rt::make_reader(rt::DataFormat::Csv, in, c.scorecard->schema());
  DataProfile p(c.scorecard->program());
  ProfileOptions po;
  po.block_rows = 5;  // several blocks, one short
  uint64_t rejects = 0;
  po.on_reject = [&](const rt::Reject&) { ++rejects; };
  std::string error;
  EXPECT_TRUE(profile_data(*c.scorecard, *reader, po, p, error)) << error;
  std::fclose(in);
  EXPECT_EQ(rejects, 1u);
  if (keep) *keep = c.scorecard;
  return p;
}

TEST(DataProfile, CountsWhatScoringShows) {
  const DataProfile p = profile(Engine::Evaluator);
  EXPECT_EQ(p.read(), 25u);
  EXPECT_EQ(p.accepted, 24u);
  EXPECT_EQ(p.rejected, 1u);
  EXPECT_EQ(p.scored, 24u);
  EXPECT_EQ(p.segments, (std::vector<uint64_t>{4, 20}));
  // usage_m and support: in both models; sentiment: only in `wide` (the 4 big accounts).
  EXPECT_EQ(p.measures[0].in_model, 24u);
  EXPECT_EQ(p.measures[0].scored, 24u);
  EXPECT_DOUBLE_EQ(p.measures[0].min, 4);
  EXPECT_DOUBLE_EQ(p.measures[0].max, 80);
  EXPECT_TRUE(p.measures[2].in_some_model);
  EXPECT_EQ(p.measures[2].in_model, 4u);
  EXPECT_EQ(p.measures[2].scored, 2u);
  EXPECT_DOUBLE_EQ(p.measures[2].mean(), 50);
  // flooded fires for s1..s3; big_flood can apply to the 4 big accounts and fires for b2.
  EXPECT_EQ(p.overrides[0].eligible, 24u);
  EXPECT_EQ(p.overrides[0].fired, 3u);
  EXPECT_EQ(p.overrides[1].eligible, 4u);
  EXPECT_EQ(p.overrides[1].fired, 1u);
  uint64_t banded = 0;
  for (uint64_t n : p.bands) banded += n;
  EXPECT_EQ(banded, 24u);
  EXPECT_EQ(p.bands[2], 0u);  // top: nobody scores 99
}

TEST(DataProfile, BothEnginesAgree) {
  const DataProfile a = profile(Engine::Evaluator), b = profile(Engine::Jit);
  EXPECT_EQ(a.segments, b.segments);
  EXPECT_EQ(a.bands, b.bands);
  for (size_t i = 0; i < a.measures.size(); ++i) {
    EXPECT_EQ(a.measures[i].scored, b.measures[i].scored);
    EXPECT_DOUBLE_EQ(a.measures[i].sum, b.measures[i].sum);
  }
  for (size_t i = 0; i < a.overrides.size(); ++i) EXPECT_EQ(a.overrides[i].fired, b.overrides[i].fired);
}

TEST(DataRules, RunOnlyWithAProfile) {
  std::shared_ptr<const Scorecard> card;
  const DataProfile p = profile(Engine::Evaluator, &card);
  const FrontendResult& src = *card->source();
  auto codes = [&](const DataProfile* data) {
    std::vector<std::string> out;
    const DiagnosticList found = lint(src.card, src.checked.checked, *src.file, data);
    for (const Diagnostic& d : found.items())
      if (d.code[1] == '6') out.push_back(d.code);
    return out;
  };
  EXPECT_TRUE(codes(nullptr).empty());
  // top is empty (W604); `large` holds 4 of 24 (W606 needs < 5%: silent); sentiment is
  // unscored for 2 of 4, but 4 accounts are too few (silent); big_flood likewise.
  EXPECT_EQ(codes(&p), (std::vector<std::string>{"W604"}));
}

// Roll-up groups by a text field with missing cells, an enum and a bool; W608/W609 need only
// the counts, so the profile counts keys (no RollupBuilder figures, no detail scores needed).
constexpr const char* kRollupCard = R"(scorecard "Groups"
fields { id : text key  region : text optional  tier : enum(big, small)  flag : bool  usage : number  arr : number optional }
bands { low from 0 color red  high from 50 color green }
measure usage_m { value = usage  score = linear(value, 0 -> 0, 100 -> 100) }
model default { usage_m 1 }
rollup by_region by region, tier
rollup by_flag by flag weight arr
rollup by_id by id
)";

TEST(DataProfile, RollupGroupsAreCountedAsTheBuilderGroupsThemFromKeysAlone) {
  CompileOptions opts;
  opts.engine = Engine::Evaluator;
  opts.use_cache = false;
  CompileOutcome c = compile_scorecard_text("groups.health", kRollupCard, opts);
  ASSERT_TRUE(c.scorecard) << c.error;
  const Scorecard& card = *c.scorecard;
  std::string text = "id,region,tier,flag,usage,arr\n";
  for (int i = 0; i < 23; ++i)
    text += "a" + std::to_string(i) + "," + (i % 5 == 0 ? "" : i % 2 ? "EMEA" : "AMER") + "," + (i % 3 ? "big" : "small") +
            "," + (i % 4 ? "true" : "false") + "," + std::to_string(i * 4) + "," + (i % 2 ? "" : "100") + "\n";
  std::FILE* f = std::tmpfile();
  std::fwrite(text.data(), 1, text.size(), f);
  std::rewind(f);
  rt::Dataset data;
  std::string error;
  ASSERT_TRUE(rt::load_dataset(card, f, rt::DataFormat::Csv, "groups.csv", {}, data, error, 4)) << error;
  std::fclose(f);
  const ir::Program& p = card.program();
  const std::vector<BlockScores> detail = rt::score_blocks(card, data.blocks, 0, true, 1, error);
  const std::vector<BlockScores> plain = rt::score_blocks(card, data.blocks, 0, false, 1, error);
  ASSERT_TRUE(error.empty()) << error;
  DataProfile profile(p);
  for (size_t i = 0; i < data.blocks.size(); ++i) profile.add_rollups(data.blocks[i], plain[i]);  // no detail
  profile.finish();
  ASSERT_EQ(profile.rollups.size(), 3u);
  for (size_t r = 0; r < p.rollups.size(); ++r) {
    analysis::RollupBuilder b(p, r);
    for (size_t i = 0; i < data.blocks.size(); ++i) b.merge(b.partial(data.blocks[i], detail[i]));
    const analysis::RollupTable t = b.finish();
    uint64_t largest = 0;
    for (const auto& g : t.groups) largest = std::max(largest, static_cast<uint64_t>(g.accounts));
    EXPECT_EQ(profile.rollups[r].groups, t.groups.size()) << t.name;
    EXPECT_EQ(profile.rollups[r].largest_group, largest) << t.name;
    EXPECT_EQ(profile.rollups[r].accounts, 23u) << t.name;
  }
  EXPECT_EQ(profile.rollups[0].groups, 6u);  // (missing, AMER, EMEA) x (big, small)
  EXPECT_EQ(profile.rollups[1].groups, 2u);
  EXPECT_EQ(profile.rollups[1].weight_missing, 11u);
  EXPECT_EQ(profile.rollups[2].groups, 23u);
  EXPECT_EQ(profile.rollups[2].largest_group, 1u);
}

}  // namespace
}  // namespace healthc::lint
