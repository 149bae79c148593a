// Roll-ups (spec "Roll-ups") against tables computed by hand, for any block size and thread count.
#include "runtime/analysis/rollup.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/analysis/rollup_sink.h"
#include "runtime/io/simd_dispatch.h"
#include "tests/unit/analysis/analysis_test_util.h"

namespace healthc::analysis {
namespace {

// Bands low 0-39, mid 40-69, high 70-100; two measures, each the field it reads; `e` is given a
// score by an override although all its measures are unscored.
const char* kCard = R"(scorecard "R"
fields {
  id : text key
  region : text optional
  plan : enum(basic, pro)
  arr : number optional
  usage : number optional
  nps : number optional
}
bands { low from 0 color red  mid from 40 color yellow  high from 70 color green }
measure u { value = usage  score = usage }
measure n { value = nps  score = nps }
model default { u 1  n 1 }
override rescue when id == "e" => score 10
rollup by_region "By region" by region weight arr
rollup by_plan by plan
)";

// a: (80 + 60) / 2 = 70 high; b: 20 low (n unscored); c: no region, 50 mid; d: no arr (weight
// 0), 90 high; e: override 10 low, negative arr (weight 0); f: unscored; g: 35 low; h: arr 0,
// 20 low (ties b, which comes first).
const char* kData =
    "id,region,plan,arr,usage,nps\n"
    "a,EMEA,basic,100,80,60\n"
    "b,EMEA,pro,300,20,\n"
    "c,,basic,50,50,50\n"
    "d,EMEA,pro,,90,90\n"
    "e,AMER,basic,-5,,\n"
    "f,AMER,pro,200,,\n"
    "g,EMEA,basic,100,30,40\n"
    "h,EMEA,basic,0,20,\n";

const char* kHeader =
    ",accounts,scored,unscored,score,band,min_score,min_account,low_accounts,low_weight,mid_accounts,mid_weight,"
    "high_accounts,high_weight,u_score,n_score\n";

// EMEA: weight 500 over a, b, d, g, h; (100*70 + 300*20 + 100*35) / 500 = 33. u: (100*80 +
// 300*20 + 100*30) / 500 = 34; n: (100*60 + 100*40) / 200 = 50. AMER: e is scored but weighs 0,
// so the group is unscored; f counts in no band.
const std::string kByRegion = std::string("region") + kHeader +
                              ",1,1,0,50,mid,50,c,0,0,1,50,0,0,50,50\n"
                              "AMER,2,1,1,,unscored,10,e,1,0,0,0,0,0,,\n"
                              "EMEA,5,5,0,33,low,20,b,3,400,0,0,2,100,34,50\n";
// basic: (70 + 50 + 10 + 35 + 20) / 5 = 37; u: (80 + 50 + 30 + 20) / 4 = 45; n: (60 + 50 + 40)
// / 3 = 50. pro: (20 + 90) / 2 = 55; u 55; n 90 (d only).
const std::string kByPlan = std::string("plan") + kHeader +
                            "basic,5,5,0,37,low,10,e,3,3,1,1,1,1,45,50\n"
                            "pro,3,2,1,55,mid,20,b,1,1,0,0,1,1,55,90\n";

rt::Dataset load(const Scorecard& card, const std::string& csv, size_t block_rows) {
  std::FILE* f = std::tmpfile();
  std::fwrite(csv.data(), 1, csv.size(), f);
  std::rewind(f);
  rt::Dataset data;
  std::string error;
  EXPECT_TRUE(rt::load_dataset(card, f, rt::DataFormat::Csv, "data.csv", {}, data, error, block_rows)) << error;
  std::fclose(f);
  return data;
}

// Every roll-up's table through the builder directly, blocks in order.
std::vector<RollupTable> build(const Scorecard& card, const rt::Dataset& data) {
  std::string error;
  const std::vector<BlockScores> scores = rt::score_blocks(card, data.blocks, 0, true, 1, error);
  EXPECT_TRUE(error.empty()) << error;
  std::vector<RollupTable> out;
  for (size_t r = 0; r < card.program().rollups.size(); ++r) {
    RollupBuilder b(card.program(), r);
    for (size_t i = 0; i < data.blocks.size(); ++i) b.merge(b.partial(data.blocks[i], scores[i]));
    out.push_back(b.finish());
  }
  return out;
}

// The same through RollupBuilder::partials: every roll-up of a block in one pass, as the sink runs.
std::vector<RollupTable> build_together(const Scorecard& card, const rt::Dataset& data) {
  std::string error;
  const std::vector<BlockScores> scores = rt::score_blocks(card, data.blocks, 0, true, 1, error);
  EXPECT_TRUE(error.empty()) << error;
  std::vector<RollupBuilder> builders;
  std::vector<const RollupBuilder*> all;
  for (size_t r = 0; r < card.program().rollups.size(); ++r) builders.emplace_back(card.program(), r);
  for (const RollupBuilder& b : builders) all.push_back(&b);
  for (size_t i = 0; i < data.blocks.size(); ++i) {
    std::vector<std::unique_ptr<RollupBuilder::Partial>> p = RollupBuilder::partials(all, data.blocks[i], scores[i]);
    EXPECT_EQ(p.size(), builders.size());
    for (size_t r = 0; r < p.size(); ++r) builders[r].merge(std::move(p[r]));
  }
  std::vector<RollupTable> out;
  for (const RollupBuilder& b : builders) out.push_back(b.finish());
  return out;
}

TEST(Rollup, FiguresMatchTheHandComputedTables) {
  auto card = test_util::compile(kCard);
  ASSERT_TRUE(card);
  const rt::Dataset data = load(*card, kData, 8192);
  const std::vector<RollupTable> t = build(*card, data);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].name, "by_region");
  EXPECT_EQ(t[0].title, "By region");
  EXPECT_EQ(t[0].weight, "arr");
  EXPECT_EQ(t[1].weight, "");
  EXPECT_EQ(rollup_csv(t[0], false), kByRegion);
  EXPECT_EQ(rollup_csv(t[1], false), kByPlan);
  const RollupGroup& missing = t[0].groups[0];
  EXPECT_FALSE(missing.key[0].has_value());
  EXPECT_EQ(t[0].groups[1].band, 3);  // unscored: bands.size()
  EXPECT_EQ(t[0].groups[1].score, -1);
}

TEST(Rollup, SameTablesForAnyBlockSize) {
  auto card = test_util::compile(kCard);
  ASSERT_TRUE(card);
  for (size_t rows : {1u, 2u, 3u, 5u}) {
    const rt::Dataset data = load(*card, kData, rows);
    const std::vector<RollupTable> t = build(*card, data);
    EXPECT_EQ(rollup_csv(t[0], false), kByRegion) << rows << " rows a block";
    EXPECT_EQ(rollup_csv(t[1], false), kByPlan) << rows << " rows a block";
  }
}

TEST(Rollup, SinkGivesTheSameTablesOnOneAndTwoThreads) {
  auto card = test_util::compile(kCard);
  ASSERT_TRUE(card);
  for (int threads : {1, 2}) {
    const rt::Dataset data = load(*card, kData, 2);
    rt::BlockSource source(data.blocks);
    RollupSink sink(card->program());
    rt::Sink* sinks[] = {&sink};
    rt::PipelineOptions o;
    o.scoring = rt::Scoring::Detail;
    o.threads = threads;
    const rt::PipelineSummary s = rt::run_pipeline(*card, source, sinks, o);
    ASSERT_TRUE(s.error.empty()) << s.error;
    const std::vector<RollupTable> t = sink.tables();
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(rollup_csv(t[0], false), kByRegion) << threads << " threads";
    EXPECT_EQ(rollup_csv(t[1], false), kByPlan) << threads << " threads";
  }
}

TEST(Rollup, WeightedMeanRoundsAsAnAccountsScore) {
  // (41 + 42) / 2 = 41.5 rounds half up to 42; a weighted 1/3 + 2/3 mix gives 41.666... -> 42.
  auto card = test_util::compile(R"(scorecard "R"
fields { id : text key  g : bool  w : number  s : number }
bands { low from 0 color red  high from 42 color green }
measure m { value = s  score = s }
model default { m 1 }
rollup all by g
rollup weighted by g weight w
)");
  ASSERT_TRUE(card);
  const rt::Dataset data = load(*card, "id,g,w,s\nx,true,1,41\ny,true,2,42\nz,false,1,41.4\n", 8192);
  const std::vector<RollupTable> t = build(*card, data);
  EXPECT_EQ(rollup_csv(t[0], false),
            "g,accounts,scored,unscored,score,band,min_score,min_account,low_accounts,low_weight,high_accounts,"
            "high_weight,m_score\n"
            "false,1,1,0,41,low,41,z,1,1,0,0,41.4\n"
            "true,2,2,0,42,high,41,x,1,1,1,1,41.5\n");
  EXPECT_EQ(t[1].groups[1].score, 42);
  EXPECT_EQ(t[1].groups[1].band_weight[1], 2.0);
}

// Blocks of many rows and few groups take the block-local integer sums (integer weights, measure
// scores by binade); one row a block takes the exact sums only. Weights integer, fractional, at
// and past 2^53, missing, negative and zero; measure scores at binade edges, below the lowest
// binade, subnormal, integers and fractions. Both must give the same tables byte for byte, and
// so must a mix of both paths in one block.
// kCard with two more fields and roll-ups numbered directly (enum and bool fields, weighted and
// not, a member or a bool missing) beside ones numbered through a dictionary.
std::string wide_card() {
  std::string card = kCard;
  const std::string plan = "  plan : enum(basic, pro)\n";
  card.insert(card.find(plan) + plan.size(), "  tier : enum(a, b, c) optional\n  active : bool optional\n");
  return card +
         "rollup by_plan_arr by plan weight arr\n"
         "rollup by_tier_active by tier, active weight arr\n"
         "rollup by_active_tier by active, tier\n"
         "rollup by_plan_region by plan, region\n";
}

TEST(Rollup, IntegerSumsMatchTheExactSums) {
  auto card = test_util::compile(wide_card());
  ASSERT_TRUE(card);
  const char* regions[] = {"EMEA", "APAC", "", "NA"};
  const char* tiers[] = {"a", "b", "c", ""};
  const char* actives[] = {"true", "false", ""};
  // Weights about 2^40 and 2^53: the integer sums take weights below 2^40.
  const char* arrs[] = {"1", "17", "250000", "12.37", "0.001", "9007199254740991", "9007199254740992",
                        "1e20", "", "-5", "0", "3", "1e-300", "123456789", "1099511627775",
                        "1099511627776", "1099511627777"};
  const char* scores[] = {"100", "64", "63.99999999999999", "0.03125", "0.031249999999999997", "1e-7",
                          "5e-320", "0", "", "42", "17.123456789", "99.5", "0.0625", "2.5"};
  std::string csv = "id,region,plan,tier,active,arr,usage,nps\n";
  uint64_t r = 12345;
  auto next = [&](size_t n) {
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>(r >> 33) % n;
  };
  for (int i = 0; i < 3000; ++i) {
    // One draw a statement: the data does not depend on the order a compiler evaluates operands in.
    std::string usage = scores[next(std::size(scores))];
    const char* nps = scores[next(std::size(scores))];
    if (next(3) == 0) usage = std::to_string(next(10001) / 100.0);
    const char* region = regions[next(4)];
    const char* plan = next(2) ? "basic" : "pro";
    const char* tier = tiers[next(std::size(tiers))];
    const char* active = actives[next(std::size(actives))];
    const char* arr = arrs[next(std::size(arrs))];
    std::string id = "k";
    id += std::to_string(i);
    for (const std::string& cell : {id, std::string(region), std::string(plan), std::string(tier),
                                    std::string(active), std::string(arr), usage, std::string(nps)})
      csv.append(cell).push_back(',');
    csv.back() = '\n';
  }
  // One row a block: every row through the exact sums.
  const std::vector<RollupTable> exact = build(*card, load(*card, csv, 1));
  ASSERT_EQ(exact.size(), 6u);
  // 40 rows a block: the weighted roll-ups sum their measures' weights one by one, not by set, and
  // by_tier_active's 12 combinations are too many to number directly.
  for (size_t rows : {3000u, 1000u, 257u, 40u}) {
    const std::vector<RollupTable> t = build(*card, load(*card, csv, rows));
    ASSERT_EQ(t.size(), exact.size());
    for (size_t i = 0; i < t.size(); ++i)
      EXPECT_EQ(rollup_csv(t[i], false), rollup_csv(exact[i], false)) << t[i].name << ", " << rows << " rows a block";
    const std::vector<RollupTable> together = build_together(*card, load(*card, csv, rows));
    ASSERT_EQ(together.size(), exact.size());
    for (size_t i = 0; i < together.size(); ++i)
      EXPECT_EQ(rollup_csv(together[i], false), rollup_csv(exact[i], false)) << together[i].name << ", together";
  }
}

// The fixed-point terms are integer work: the AVX2 path gives the scalar path's words, whatever the
// score (binade edges, subnormals, signs, NaN, infinities) and validity.
TEST(Rollup, FixedPointTermsAreTheSameOnEveryPath) {
  std::vector<double> scores = {0.0, -0.0, 100.0, 64.0, std::nextafter(64.0, 0.0), 0.03125,
                                std::nextafter(0.03125, 0.0), 127.99999999999999, 128.0, 1e-7, 5e-320, -1.0,
                                std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(),
                                42.5, 0.0625};
  uint64_t r = 7;
  for (int i = 0; i < 5000; ++i) {
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    scores.push_back(i % 2 ? static_cast<double>(r >> 11) / static_cast<double>(uint64_t{1} << 46)
                           : std::bit_cast<double>(r));
  }
  const size_t n = scores.size();
  std::vector<uint8_t> sv(n), wv(n);
  for (size_t i = 0; i < n; ++i) {
    // Any byte other than 0 is valid: 1, 128 or 255 here.
    sv[i] = static_cast<uint8_t>(i % 7 != 3 ? 1 + i % 3 * 127 : 0);
    wv[i] = static_cast<uint8_t>(i % 5 != 1 ? 1 + i % 3 * 127 : 0);
  }
  for (size_t len : {n, size_t{3}, size_t{17}}) {
    std::vector<uint64_t> f0(len), f1(len);
    std::vector<uint8_t> c0(len), c1(len);
    const bool o0 =
        analysis::detail::rollup_fixed_terms(false, scores.data(), sv.data(), wv.data(), len, f0.data(), c0.data());
    const bool o1 =
        analysis::detail::rollup_fixed_terms(true, scores.data(), sv.data(), wv.data(), len, f1.data(), c1.data());
    EXPECT_EQ(o0, o1) << len;
    EXPECT_EQ(f0, f1) << len;
    EXPECT_EQ(c0, c1) << len;
    // With the sets of counted measures: bit m of a row's byte set where it counts.
    for (unsigned m : {0u, 5u, 7u}) {
      std::vector<uint8_t> s0(len), s1(len);
      for (size_t i = 0; i < len; ++i) s0[i] = s1[i] = static_cast<uint8_t>(i * 37 & 0x7F & ~(1u << m));
      const std::vector<uint8_t> before = s0;
      analysis::detail::rollup_fixed_terms(false, scores.data(), sv.data(), wv.data(), len, f0.data(), c0.data(),
                                           s0.data(), m);
      analysis::detail::rollup_fixed_terms(true, scores.data(), sv.data(), wv.data(), len, f1.data(), c1.data(),
                                           s1.data(), m);
      EXPECT_EQ(s0, s1) << len << ", measure " << m;
      for (size_t i = 0; i < len; ++i)
        EXPECT_EQ(s0[i], before[i] | (sv[i] && wv[i] ? 1u << m : 0u)) << i << ", measure " << m;
    }
  }
  // Scalar words against the definition: the score times 2^57 where it counts and is in [2^-5, 2^7).
  std::vector<uint64_t> f(n);
  std::vector<uint8_t> c(n);
  analysis::detail::rollup_fixed_terms(false, scores.data(), sv.data(), wv.data(), n, f.data(), c.data());
  for (size_t i = 0; i < n; ++i) {
    const bool counts = sv[i] && wv[i];
    EXPECT_EQ(c[i], counts ? 1 : 0);
    const double x = scores[i];
    const uint64_t want = counts && x >= 0.03125 && x < 128 ? static_cast<uint64_t>(std::ldexp(x, 57)) : 0;
    EXPECT_EQ(f[i], want) << x;
  }
  if (!rt::cpu_has_avx2()) GTEST_SKIP() << "no AVX2 on this CPU: the scalar path only, against its definition";
}

// A weight column as the integer sums take it: the AVX2 path gives the scalar path's words, and
// both are the definition (an integer below 2^40, 0 where missing or not above 0; anything else
// goes to the exact sums).
TEST(Rollup, IntegerWeightsAreTheSameOnEveryPath) {
  std::vector<double> x = {0.0, -0.0, 1.0, 2.5, -3.0, 1099511627775.0, 1099511627776.0, 1e300,
                           std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::quiet_NaN(), 5e-320, 0.5, 250000.0, 4503599627370496.0,
                           9007199254740993.0};
  uint64_t r = 11;
  for (int i = 0; i < 3000; ++i) {
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    x.push_back(i % 3 == 0 ? static_cast<double>(r >> 24) : i % 3 == 1 ? static_cast<double>(r >> 40) / 8.0
                                                                         : std::bit_cast<double>(r));
  }
  const size_t n = x.size();
  std::vector<uint8_t> present(n);
  for (size_t i = 0; i < n; ++i) present[i] = static_cast<uint8_t>(i % 9 != 4 ? 1 + i % 3 * 127 : 0);
  for (size_t len : {n, size_t{3}, size_t{13}}) {
    std::vector<uint64_t> w0(len), w1(len);
    const bool e0 = analysis::detail::rollup_integer_weights(false, x.data(), present.data(), len, w0.data());
    const bool e1 = analysis::detail::rollup_integer_weights(true, x.data(), present.data(), len, w1.data());
    EXPECT_EQ(e0, e1) << len;
    EXPECT_EQ(w0, w1) << len;
    bool any_exact = false;
    for (size_t i = 0; i < len; ++i) {
      const double v = present[i] && x[i] > 0 ? x[i] : 0.0;
      const bool integer = v < 1099511627776.0 && std::floor(v) == v;
      any_exact |= !integer;
      EXPECT_EQ(w0[i], integer ? static_cast<uint64_t>(v) : 0) << x[i];
    }
    EXPECT_EQ(e0, any_exact) << len;
  }
  if (!rt::cpu_has_avx2()) GTEST_SKIP() << "no AVX2 on this CPU: the scalar path only, against its definition";
}

// A directly numbered group whose rows all weigh a fraction takes only the exact sums: its group is
// made by the first such row, and its lowest score comes from the slot's own tracking.
TEST(Rollup, DirectGroupWithOnlyExactRows) {
  auto card = test_util::compile(wide_card());
  ASSERT_TRUE(card);
  std::string csv = "id,region,plan,tier,active,arr,usage,nps\n";
  for (int i = 0; i < 300; ++i) {
    const bool pro = i % 3 == 0;
    csv += "k" + std::to_string(i) + ",EMEA," + (pro ? "pro" : "basic") + ",a,true," +
           (pro ? std::to_string(i) + ".5" : std::to_string(i % 17)) + "," + std::to_string(i % 101) + "," +
           std::to_string((i * 7) % 100) + "\n";
  }
  const std::vector<RollupTable> exact = build(*card, load(*card, csv, 1));
  const std::vector<RollupTable> t = build(*card, load(*card, csv, 300));
  ASSERT_EQ(t.size(), exact.size());
  for (size_t i = 0; i < t.size(); ++i) EXPECT_EQ(rollup_csv(t[i], false), rollup_csv(exact[i], false)) << t[i].name;
}

TEST(Rollup, CellsSortByUtf8BytesAndAreQuoted) {
  auto card = test_util::compile(R"(scorecard "R"
fields { id : text key  t : text  }
bands { all from 0 color green }
measure m { score = 50 }
model default { m 1 }
rollup by_t by t
)");
  ASSERT_TRUE(card);
  // Bytes, not letters: "Z" (0x5A) < "a" < "é" (0xC3 0xA9); a quote and a comma are quoted.
  const rt::Dataset data = load(*card, "id,t\n1,é\n2,a\n3,Z\n4,\"x,\"\"y\"\n", 8192);
  const std::vector<RollupTable> t = build(*card, data);
  const std::string csv = rollup_csv(t[0], false);
  EXPECT_EQ(csv,
            "t,accounts,scored,unscored,score,band,min_score,min_account,all_accounts,all_weight,m_score\n"
            "Z,1,1,0,50,all,50,3,1,1,50\n"
            "a,1,1,0,50,all,50,2,1,1,50\n"
            "\"x,\"\"y\",1,1,0,50,all,50,4,1,1,50\n"
            "é,1,1,0,50,all,50,1,1,1,50\n");
}

TEST(Rollup, EnumMembersPrintAsTheDataSpellsThem) {
  auto card = test_util::compile(R"(scorecard "R"
fields { id : text key  plan : enum(monthly, annual) }
bands { all from 0 color green }
measure m { score = 50 }
model default { m 1 }
rollup by_plan by plan
)");
  ASSERT_TRUE(card);
  const rt::Dataset data = load(*card, "id,plan\n1,monthly\n2,annual\n", 8192);
  std::string error;
  const std::vector<BlockScores> scores = rt::score_blocks(*card, data.blocks, 0, true, 1, error);
  // The same program with the members spelt otherwise in the data (Field::spellings): the
  // cells and their order follow the spelling ("Month-to-month" < "One year"), not the name.
  ir::Program p = card->program();
  p.fields[1].spellings = {"Month-to-month", "One year"};
  RollupBuilder b(p, 0);
  b.merge(b.partial(data.blocks[0], scores[0]));
  const std::string csv = rollup_csv(b.finish(), false);
  EXPECT_NE(csv.find("\nMonth-to-month,1,1,0,50,all,50,1,1,1,50\nOne year,1,1,0,50,all,50,2,1,1,50\n"), std::string::npos)
      << csv;
}

TEST(Rollup, ScoreChangeComparesTheSameGroup) {
  RollupTable before, now;
  before.by = now.by = {"region"};
  auto group = [](std::optional<std::string> k, int32_t score) {
    RollupGroup g;
    g.key = {std::move(k)};
    g.score = score;
    return g;
  };
  // In no particular order: a table read back from a store need not be sorted.
  before.groups = {group("EMEA", -1), group(std::nullopt, 40), group("AMER", 50)};
  now.groups = {group(std::nullopt, 45), group("APAC", 60), group("EMEA", 70)};
  set_score_changes(now, &before);
  EXPECT_EQ(now.groups[0].score_change, std::optional<int32_t>(5));
  EXPECT_FALSE(now.groups[1].score_change);  // not there before
  EXPECT_FALSE(now.groups[2].score_change);  // unscored before
  const std::string csv = rollup_csv(now, true);
  EXPECT_NE(csv.find(",score_change\n"), std::string::npos);
  EXPECT_NE(csv.find(",5\n"), std::string::npos);
  set_score_changes(now, nullptr);
  EXPECT_FALSE(now.groups[0].score_change);
  now.by = {"plan"};  // another roll-up under the same name: no same group
  set_score_changes(now, &before);
  EXPECT_FALSE(now.groups[0].score_change);
}

}  // namespace
}  // namespace healthc::analysis

namespace healthc::analysis {
namespace {

// Four text fields of many values: the row numbering outgrows 32 bits and is renumbered, and
// groups are found through a hash map rather than a table; the result is the same as with one
// row a block, where every block has one group.
TEST(Rollup, ManyGroupsOfSeveralTextFields) {
  auto card = test_util::compile(R"(scorecard "R"
fields { id : text key  a : text  b : text  c : text optional  d : text  x : number }
bands { low from 0 color red  high from 50 color green }
measure m { value = x  score = x }
model default { m 1 }
rollup abcd by a, b, c, d weight x
)");
  ASSERT_TRUE(card);
  std::string csv = "id,a,b,c,d,x\n";
  std::set<std::tuple<int, int, int, int>> distinct;
  for (int i = 0; i < 6000; ++i) {
    const int a = i % 97, b = (i * 31) % 89, c = (i * 7) % 5003, d = (i * 13) % 1999;
    distinct.emplace(a, b, i % 11 == 0 ? -1 : c, d);
    csv += "k" + std::to_string(i) + ",a" + std::to_string(a) + ",b" + std::to_string(b) + "," +
           (i % 11 == 0 ? std::string() : "c" + std::to_string(c)) + ",d" + std::to_string(d) + "," +
           std::to_string(i % 101) + "\n";
  }
  const rt::Dataset big = load(*card, csv, 6000);
  const rt::Dataset single = load(*card, csv, 1);
  const std::string want = rollup_csv(build(*card, single)[0], false);
  EXPECT_EQ(rollup_csv(build(*card, big)[0], false), want);
  EXPECT_EQ(build(*card, big)[0].groups.size(), distinct.size());
}

}  // namespace
}  // namespace healthc::analysis
