// JSON text written by the scores writer: whatever bytes reach it, what comes out parses.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "runtime/output.h"

namespace healthc::rt {
namespace {

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(OutputJson, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_string("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
  EXPECT_EQ(nlohmann::json::parse(json_string(std::string("x\0y", 3))).get<std::string>(),
            std::string("x\0y", 3));
}

TEST(OutputJson, TextThatIsNotUtf8StillMakesValidJson) {
  // The readers refuse such text; this is the writer's own guard: U+FFFD for each stray byte.
  const std::string out = json_string("acc-\xFF\xC3 caf\xC3\xA9");
  const auto parsed = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(parsed.is_discarded()) << out;
  EXPECT_EQ(parsed.get<std::string>(), "acc-\xEF\xBF\xBD\xEF\xBF\xBD caf\xC3\xA9");
}

}  // namespace
}  // namespace healthc::rt
