// The compiling half of the C API: diagnostics exactly as `healthc check` prints them, usage
// errors, options, metadata by index, hc_load's refusals, and the C++ wrapper.
#include <gtest/gtest.h>
#include <healthc/healthc.hpp>

#include <cmath>
#include <filesystem>

#include "api_test_util.h"

using namespace api_test;

namespace {

struct Compiled {
  CardPtr card;
  std::string json, text;
  size_t count = 0, errors = 0;
};

Compiled compile_text(const std::string& text, const std::string& name, const hc_options* opts = nullptr) {
  Compiled c;
  hc_diagnostics* d = nullptr;
  c.card.reset(hc_compile(text.data(), text.size(), name.c_str(), opts, &d));
  EXPECT_NE(d, nullptr);
  c.json = hc_diagnostics_json(d);
  c.text = hc_diagnostics_text(d);
  c.count = hc_diagnostics_count(d);
  c.errors = hc_diagnostics_error_count(d);
  hc_diagnostics_free(d);
  return c;
}

}  // namespace

TEST(CApiCompile, VersionIsThePackageVersion) {
  EXPECT_EQ(std::string(hc_version()), std::to_string(HC_VERSION_MAJOR) + "." + std::to_string(HC_VERSION_MINOR) +
                                           "." + std::to_string(HC_VERSION_PATCH));
}

// Every golden `check` case: hc_diagnostics_json is what `check --format json` prints, byte for
// byte, and hc_diagnostics_text what `check -q` prints on stderr.
TEST(CApiCompile, DiagnosticsAreByteIdenticalToCheck) {
  size_t compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kRoot + "/tests/golden/check")) {
    const std::string path = entry.path().string();
    if (entry.path().extension() != ".health" || !entry.is_regular_file()) continue;
    const std::string rel = "tests/golden/check/" + entry.path().filename().string();
    std::ifstream probe(path);
    if (!probe) continue;  // the unreadable-file case: hc_compile takes text, never a path
    const std::string text = read_file(path);
    const Compiled c = compile_text(text, rel);
    const std::string cd = "cd '" + kRoot + "' && ";
    const std::string json = run(cd + kHealthc + " check --format json " + rel + " 2>/dev/null");
    const std::string stderr_text = run(cd + kHealthc + " check -q --color never " + rel + " 2>&1 >/dev/null");
    EXPECT_EQ(c.json, json) << rel;
    EXPECT_EQ(c.text, stderr_text) << rel;
    EXPECT_EQ(c.card == nullptr, c.errors > 0) << rel;
    ++compared;
  }
  EXPECT_GT(compared, 50u);
}

TEST(CApiCompile, ExamplesCompileClean) {
  for (const std::string& card : kCards) {
    const Compiled c = compile_text(read_file(card_path(card)), card + ".health");
    ASSERT_NE(c.card, nullptr) << c.text;
    EXPECT_EQ(c.errors, 0u);
  }
}

TEST(CApiCompile, UnknownParamIsADiagnosticWithoutCode) {
  hc_options* opts = hc_options_new();
  ASSERT_EQ(hc_options_set_param(opts, "no_such_param", 3), HC_OK);
  const Compiled c = compile_text(read_file(card_path("b2b_saas")), "b2b.health", opts);
  hc_options_free(opts);
  EXPECT_EQ(c.card, nullptr);
  EXPECT_EQ(c.errors, 1u);
  EXPECT_EQ(c.json,
            "{\"file\":\"b2b.health\",\"message\":\"the scorecard has no param `no_such_param`\",\"severity\":\"error\"}\n");
  EXPECT_EQ(c.text, "b2b.health: error: the scorecard has no param `no_such_param`\n");
}

TEST(CApiCompile, OptionsRejectBadArguments) {
  hc_options* opts = hc_options_new();
  EXPECT_EQ(hc_options_set_param(nullptr, "x", 1), HC_EINVAL);
  EXPECT_EQ(hc_options_set_param(opts, nullptr, 1), HC_EINVAL);
  EXPECT_EQ(hc_options_set_param(opts, "", 1), HC_EINVAL);
  EXPECT_EQ(hc_options_set_param(opts, "x", NAN), HC_EINVAL);  // `--param x=nan` is refused too
  EXPECT_EQ(hc_options_set_param(opts, "x", INFINITY), HC_EINVAL);
  EXPECT_EQ(hc_options_set_param(opts, "x", -INFINITY), HC_EINVAL);
  EXPECT_EQ(hc_options_set_engine(opts, 7), HC_EINVAL);
  EXPECT_EQ(hc_options_set_cache(nullptr, 1, nullptr), HC_EINVAL);
  EXPECT_EQ(hc_options_set_cache(opts, 0, nullptr), HC_OK);
  hc_options_free(opts);
  // A null text is refused with a diagnostic: *diags is set whenever diags is given.
  hc_diagnostics* d = reinterpret_cast<hc_diagnostics*>(1);
  EXPECT_EQ(hc_compile(nullptr, 5, "x", nullptr, &d), nullptr);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(hc_diagnostics_error_count(d), 1u);
  EXPECT_STREQ(hc_diagnostics_text(d), "x: error: the card text is null\n");
  hc_diagnostics_free(d);
}

TEST(CApiCompile, MetadataByIndex) {
  CardPtr card = compile_file(card_path("b2b_saas"));
  ASSERT_NE(card, nullptr);
  const hc_card* c = card.get();
  EXPECT_STREQ(hc_card_title(c), "B2B SaaS health");
  ASSERT_GE(hc_field_count(c), 11u);
  EXPECT_STREQ(hc_field_name(c, 0), "account_id");
  EXPECT_EQ(hc_field_type(c, 0), HC_FIELD_TEXT);
  EXPECT_EQ(hc_key_field(c), 0);
  EXPECT_STREQ(hc_field_name(c, 1), "tier");
  EXPECT_EQ(hc_field_type(c, 1), HC_FIELD_ENUM);
  EXPECT_EQ(hc_field_optional(c, 1), 0);
  ASSERT_EQ(hc_field_member_count(c, 1), 3u);
  EXPECT_STREQ(hc_field_member(c, 1, 2), "smb");
  EXPECT_EQ(hc_field_member(c, 1, 3), nullptr);
  EXPECT_EQ(hc_field_optional(c, 6), 1);  // nps
  EXPECT_EQ(hc_field_type(c, 10), HC_FIELD_DATE);
  EXPECT_EQ(hc_field_type(c, 999), -1);
  EXPECT_EQ(hc_field_name(c, 999), nullptr);
  ASSERT_GE(hc_measure_count(c), 1u);
  EXPECT_STREQ(hc_measure_name(c, 0), "adoption");
  EXPECT_NE(hc_measure_title(c, 0), nullptr);
  ASSERT_GE(hc_band_count(c), 2u);
  EXPECT_EQ(hc_band_from(c, 0), 0);
  EXPECT_EQ(hc_band_to(c, hc_band_count(c) - 1), 100);
  EXPECT_NE(hc_band_color(c, 0), nullptr);
  EXPECT_EQ(hc_band_from(c, 99), -1);
  EXPECT_GE(hc_segment_count(c), 1u);
  EXPECT_NE(hc_segment_name(c, 0), nullptr);
  EXPECT_GE(hc_label_count(c), 1u);
  EXPECT_NE(hc_label_name(c, 0), nullptr);
  EXPECT_GE(hc_override_count(c), 1u);
  EXPECT_NE(hc_override_title(c, 0), nullptr);
  EXPECT_EQ(hc_override_name(c, 99), nullptr);
  EXPECT_EQ(hc_field_count(nullptr), 0u);
  EXPECT_EQ(hc_card_title(nullptr), nullptr);
  EXPECT_EQ(hc_key_field(nullptr), -1);
}

TEST(CApiCompile, LoadRefusesWhatIsNotAnArtefact) {
  char* error = nullptr;
  EXPECT_EQ(hc_load(card_path("b2b_saas").c_str(), &error), nullptr);
  ASSERT_NE(error, nullptr);
  EXPECT_GT(std::string(error).size(), 10u);
  hc_free(error);
  error = nullptr;
  EXPECT_EQ(hc_load("/nonexistent/card.so", &error), nullptr);
  ASSERT_NE(error, nullptr);
  hc_free(error);
  EXPECT_EQ(hc_load(nullptr, nullptr), nullptr);
}

TEST(CApiCompile, WrapperThrowsWithDiagnostics) {
  try {
    healthc::Card::compile("scorecard \"x\"\nfields { }\n", "bad.health");
    FAIL() << "expected a CompileError";
  } catch (const healthc::CompileError& e) {
    EXPECT_GT(e.diagnostics().errors(), 0u);
    EXPECT_NE(std::string(e.what()).find("bad.health:"), std::string::npos);
  }
  healthc::Options opts;
  opts.engine(HC_ENGINE_EVALUATOR).cache(false);
  healthc::Card card = healthc::Card::compile(read_file(card_path("b2b_saas")), "b2b.health", &opts);
  EXPECT_EQ(card.measure_name(0), "adoption");
  const healthc::JsonScore s = card.score_json("{}", kAsOf);
  EXPECT_TRUE(s.rejected);
  EXPECT_THROW(healthc::Card::load("/nonexistent.so"), healthc::Error);
}

namespace {

// v2 "Real-world names": the C API names a member as the card does and spells it as the data
// does, and hc_score_json reads the data's spelling.
TEST(CApiCompile, MembersHaveNamesAndDataSpellings) {
  const Compiled c = compile_text(R"(scorecard "T"
fields { id : text key  contract : enum(monthly = "Month-to-month", annual)  x : number }
bands { low from 0 color red  high from 50 color green }
measure m { score = match contract { monthly -> 20, annual -> 80 } }
model default { m 1 }
)",
                                  "t.health");
  ASSERT_NE(c.card, nullptr) << c.text;
  const hc_card* card = c.card.get();
  EXPECT_STREQ(hc_field_member(card, 1, 0), "monthly");
  EXPECT_STREQ(hc_field_member_spelling(card, 1, 0), "Month-to-month");
  EXPECT_STREQ(hc_field_member_spelling(card, 1, 1), "annual");
  EXPECT_EQ(hc_field_member_spelling(card, 1, 2), nullptr);
  EXPECT_STREQ(hc_field_member_spelling(card, 0, 0), nullptr);
  char* out = nullptr;
  const std::string row = R"({"id": "a", "contract": "Month-to-month", "x": 1})";
  ASSERT_EQ(hc_score_json(card, row.data(), row.size(), "2026-11-01", &out), HC_OK);
  EXPECT_NE(std::string(out).find("\"score\":20"), std::string::npos) << out;
  hc_free(out);
  const std::string named = R"({"id": "a", "contract": "monthly", "x": 1})";
  out = nullptr;
  EXPECT_NE(hc_score_json(card, named.data(), named.size(), "2026-11-01", &out), HC_OK);
  hc_free(out);
}

}  // namespace
