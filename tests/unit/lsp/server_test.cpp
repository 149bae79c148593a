// The language server as a message handler: lifecycle, errors for bad messages, debounced
// diagnostics, navigation on a non-ASCII card, quick fixes from fix-its, and random edit
// sequences over the example cards (no crash, every message valid JSON-RPC).
#include "compiler/lsp/server.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <random>
#include <sstream>

#include "compiler/lint/lint.h"
#include "compiler/lsp/features.h"

namespace healthc::lsp {
namespace {

using nlohmann::json;
using Clock = Server::Clock;
using namespace std::chrono_literals;

const char* kUri = "file:///cards/t%20card.health";

std::string read(const std::string& rel) {
  std::ifstream in(std::string(HEALTHC_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Checks one outgoing message against JSON-RPC 2.0: a response (id, result xor error) or a
// notification (method, no id).
::testing::AssertionResult valid_rpc(const json& m) {
  if (!m.is_object() || m.value("jsonrpc", "") != "2.0") return ::testing::AssertionFailure() << m.dump();
  if (m.contains("method")) {
    if (!m["method"].is_string() || m.contains("id")) return ::testing::AssertionFailure() << m.dump();
    return ::testing::AssertionSuccess();
  }
  if (!m.contains("id")) return ::testing::AssertionFailure() << "no id: " << m.dump();
  if (m.contains("result") == m.contains("error")) return ::testing::AssertionFailure() << m.dump();
  if (m.contains("error") && (!m["error"]["code"].is_number_integer() || !m["error"]["message"].is_string()))
    return ::testing::AssertionFailure() << m.dump();
  return ::testing::AssertionSuccess();
}

struct Session {
  Server server;
  Clock::time_point now = Clock::now();
  int next_id = 1;
  Server::Outbox out;

  explicit Session(int debounce_ms = 150) : server(ServerOptions{debounce_ms}) {}
  // As a client would send it: JSON text is Unicode, so odd bytes arrive replaced.
  void send(const json& m) { server.handle(m.dump(-1, ' ', false, json::error_handler_t::replace), out, now); }
  json request(const std::string& method, json params) {
    out.clear();
    const int id = next_id++;
    send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
    for (const json& m : out)
      if (m.contains("id") && m["id"] == id) return m;
    return nullptr;
  }
  void notify(const std::string& method, json params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  }
  void initialize() { ASSERT_TRUE(request("initialize", json::object()).contains("result")); }
  void open(const std::string& text, int version = 1) {
    notify("textDocument/didOpen",
           {{"textDocument", {{"uri", kUri}, {"languageId", "healthc"}, {"version", version}, {"text", text}}}});
  }
  void change(const std::string& text, int version) {
    notify("textDocument/didChange",
           {{"textDocument", {{"uri", kUri}, {"version", version}}}, {"contentChanges", json::array({{{"text", text}}})}});
  }
  std::vector<json> published() const {
    std::vector<json> p;
    for (const json& m : out)
      if (m.value("method", "") == "textDocument/publishDiagnostics") p.push_back(m["params"]);
    return p;
  }
  json at(const std::string& method, Position p) {
    return request(method, {{"textDocument", {{"uri", kUri}}}, {"position", {{"line", p.line}, {"character", p.character}}}});
  }
};

TEST(LspServer, LifecycleAndErrors) {
  Session s;
  EXPECT_EQ(s.request("textDocument/hover", json::object())["error"]["code"], -32002);
  s.initialize();
  EXPECT_EQ(s.request("initialize", json::object())["error"]["code"], -32600);
  EXPECT_EQ(s.request("workspace/nonsense", json::object())["error"]["code"], -32601);
  EXPECT_EQ(s.request("textDocument/hover", {{"textDocument", 3}})["error"]["code"], -32602);
  s.out.clear();
  s.server.handle("{not json", s.out, s.now);
  s.server.handle("[1,2]", s.out, s.now);
  s.notify("$/somethingNew", json::object());  // an unknown notification: no answer
  ASSERT_EQ(s.out.size(), 2u);
  EXPECT_EQ(s.out[0]["error"]["code"], -32700);
  EXPECT_EQ(s.out[1]["error"]["code"], -32600);
  EXPECT_TRUE(s.request("shutdown", nullptr)["result"].is_null());
  EXPECT_EQ(s.request("textDocument/hover", json::object())["error"]["code"], -32600);
  EXPECT_FALSE(s.server.exited());
  s.notify("exit", nullptr);
  EXPECT_TRUE(s.server.exited());
  EXPECT_EQ(s.server.exit_code(), 0);
}

TEST(LspServer, ExitWithoutShutdownIsStatusOne) {
  Session s;
  s.initialize();
  s.notify("exit", nullptr);
  EXPECT_TRUE(s.server.exited());
  EXPECT_EQ(s.server.exit_code(), 1);
}

TEST(LspServer, DiagnosticsLinkTheirDocs) {
  Session s;
  s.initialize();
  s.out.clear();
  s.open("scorecard \"t\"\nfields { id : text key\n a : number }\nmeasure m { score = b }\nmodel default { m 100 }\n"
         "bands {\n  low from 0 color red\n}\n");
  const auto p = s.published();
  ASSERT_EQ(p.size(), 1u);
  ASSERT_FALSE(p[0]["diagnostics"].empty());
  const json& d = p[0]["diagnostics"][0];
  EXPECT_EQ(d["code"], "E0101");
  EXPECT_EQ(d["severity"], 1);
  EXPECT_EQ(d["range"]["start"]["line"], 3);
  EXPECT_EQ(d["codeDescription"]["href"], "https://github.com/healthc/healthc/blob/main/docs/diagnostics.md#e0101");
  EXPECT_EQ(code_href("W101"), "https://github.com/healthc/healthc/blob/main/docs/lint.md#w101-weight-sum");
}

// Every code's link lands on a heading: `### E0101` in diagnostics.md, `## W101 weight-sum` in lint.md.
TEST(LspServer, EveryCodeLinksToAHeadingOfItsPage) {
  const std::string diagnostics = read("docs/diagnostics.md"), lint_doc = read("docs/lint.md");
  size_t checked = 0;
  for (size_t k = 0; k < static_cast<size_t>(DiagKind::Count_); ++k) {
    const std::string code(info(static_cast<DiagKind>(k)).code);
    const std::string href = code_href(code);
    std::string anchor = code;
    for (char& c : anchor) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (const lint::Rule* r = lint::find_rule(code)) {
      EXPECT_NE(lint_doc.find("\n## " + code + " " + std::string(r->name) + "\n"), std::string::npos) << code;
      EXPECT_EQ(href.substr(href.find('#')), "#" + anchor + "-" + std::string(r->name)) << href;
      ++checked;
    } else if (code[0] == 'E') {
      EXPECT_NE(diagnostics.find("\n### " + code + "\n"), std::string::npos) << code;
      EXPECT_EQ(href.substr(href.find("docs/")), "docs/diagnostics.md#" + anchor) << href;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100u);
}

TEST(LspServer, ChangesWithinTheWindowSupersedeEachOther) {
  Session s(150);
  s.initialize();
  s.open("scorecard \"t\"\n");
  s.now += 1s;
  s.out.clear();
  s.change("scorecard \"t\"\nfields { a : nmber }\n", 2);  // after a quiet spell: at once
  ASSERT_EQ(s.published().size(), 1u);
  EXPECT_EQ(s.published()[0]["version"], 2);
  s.out.clear();
  s.now += 20ms;
  s.change("scorecard \"t\"\nfields { a : numbr }\n", 3);  // typing: waits
  s.now += 50ms;
  s.change("scorecard \"t\"\nfields { a : number }\n", 4);  // supersedes version 3
  EXPECT_TRUE(s.published().empty());
  ASSERT_TRUE(s.server.next_due().has_value());
  EXPECT_EQ(*s.server.next_due(), s.now + 150ms);
  s.server.tick(s.now + 149ms, s.out);
  EXPECT_TRUE(s.published().empty());
  s.server.tick(s.now + 150ms, s.out);
  ASSERT_EQ(s.published().size(), 1u);
  EXPECT_EQ(s.published()[0]["version"], 4);
  EXPECT_FALSE(s.server.next_due().has_value());
}

// A card with non-ASCII text before the names on their lines: positions are UTF-16 columns.
TEST(LspServer, NavigationOnANonAsciiCard) {
  const std::string text =
      "scorecard \"Sant\xC3\xA9 \xF0\x9F\x98\x80\"\n"
      "fields {\n  id : text key\n  seats : number\n}\n"
      "bands {\n  low from 0 color red\n  high from 50 color green\n}\n"
      "measure m \"\xE2\x82\xAC\xF0\x9F\x98\x80\" { value = seats score = linear(value, 0 -> 0, 10 -> 100) }\n"
      "model default { m 100 }\n"
      "label big \"\xF0\x9F\x98\x80\" when m.value > seats otherwise_x\n";
  Session s;
  s.initialize();
  s.open(text.substr(0, text.rfind("label")));
  const auto published = s.published();  // held: a range-for over a temporary's element dangles
  for (const json& d : published.at(0).at("diagnostics")) ASSERT_NE(d["severity"], 1) << d.dump();
  // Line 9: `measure m "€😀" { value = seats ...`: `seats` starts after 11 + 4 UTF-16 units.
  const std::string line9 = "measure m \"\xE2\x82\xAC\xF0\x9F\x98\x80\" { value = ";
  const uint32_t col = 11 + 1 + 2 + std::string("\" { value = ").size();
  ASSERT_EQ(line9.size(), 11u + 3 + 4 + std::string("\" { value = ").size());
  json def = s.at("textDocument/definition", {9, col + 1});
  ASSERT_TRUE(def["result"].is_object()) << def.dump();
  EXPECT_EQ(def["result"]["range"]["start"], json({{"line", 3}, {"character", 2}}));
  json refs = s.at("textDocument/references", {3, 3});
  ASSERT_EQ(refs["result"].size(), 2u) << refs.dump();
  EXPECT_EQ(refs["result"][1]["range"]["start"], json({{"line", 9}, {"character", col}}));
  EXPECT_EQ(refs["result"][1]["range"]["end"], json({{"line", 9}, {"character", col + 5}}));
  json hover = s.at("textDocument/hover", {10, 17});
  ASSERT_TRUE(hover["result"].is_object()) << hover.dump();
  const std::string h = hover["result"]["contents"]["value"];
  EXPECT_NE(h.find("**measure** `m`"), std::string::npos) << h;
  EXPECT_NE(h.find("`default`: 100%"), std::string::npos) << h;
  EXPECT_NE(h.find("linear(value, 0 -> 0, 10 -> 100)"), std::string::npos) << h;
}

TEST(LspServer, CodeActionsComeFromFixIts) {
  Analysis a("t.health", "scorecard \"t\"\nfields { a : number }\n# \xC3\xA9 x = y\n");
  Diagnostic d{DiagKind::SyntaxError, Severity::Error, "E0005", {43, 44}, "use `==`", {}, {}};
  d.fixits.push_back(FixIt{{43, 44}, "=="});
  a.front.diags.add(d);
  const json actions = code_actions(a, "file:///t.health", {{2, 0}, {2, 9}});
  ASSERT_EQ(actions.size(), 1u) << actions.dump();
  EXPECT_EQ(actions[0]["title"], "Replace `=` with `==`");
  EXPECT_EQ(actions[0]["kind"], "quickfix");
  const json& edit = actions[0]["edit"]["changes"]["file:///t.health"][0];
  // Byte 43 is column 6 in UTF-16 (the `é` is two bytes, one unit).
  EXPECT_EQ(edit["range"]["start"], json({{"line", 2}, {"character", 6}}));
  EXPECT_EQ(edit["newText"], "==");
  EXPECT_TRUE(code_actions(a, "file:///t.health", {{0, 0}, {0, 3}}).empty());
}

TEST(LspServer, CompletionOffersNamesBuiltinsAndMembers) {
  Session s;
  s.initialize();
  const std::string text = read("examples/b2b_saas.health");
  const std::string typed = text + "\nlabel z when adoption.";
  s.open(typed);
  const LineIndex lines(typed);
  const Position end = lines.position(static_cast<uint32_t>(typed.size()));
  json r = s.at("textDocument/completion", end)["result"];
  std::set<std::string> labels;
  for (const json& i : r["items"]) labels.insert(i["label"].get<std::string>());
  EXPECT_EQ(labels, (std::set<std::string>{"score", "value"}));
  r = s.at("textDocument/completion", {0, 0})["result"];
  bool clamp = false, adoption = false, keyword = false;
  for (const json& i : r["items"]) {
    clamp |= i["label"] == "clamp" && i["detail"] == "clamp(number, number, number) -> number";
    adoption |= i["label"] == "adoption";
    keyword |= i["label"] == "override" && i["kind"] == 14;
  }
  EXPECT_TRUE(clamp && adoption && keyword);
}

// Random edits (deletions, insertions of pieces of the card and of odd bytes, swaps) over each
// example card, with requests at random positions between them.
TEST(LspServer, RandomEditSequencesNeverBreakTheServer) {
  std::mt19937 rng(19);
  const char* const methods[] = {"textDocument/hover", "textDocument/definition", "textDocument/references",
                                 "textDocument/completion", "textDocument/documentSymbol", "textDocument/formatting",
                                 "textDocument/codeAction"};
  const std::string odd[] = {"{", "}", "(", "\"", "`", "\xC3\xA9", "\xF0\x9F\x98\x80", "\xFF", "\n", "->", "..",
                             "%", "==", "=", " and ", "previous.", ".score", "1e999", "-", "#"};
  for (const char* card : {"examples/b2b_saas.health", "examples/b2b_saas_v2.health", "examples/lifecycle.health",
                           "examples/fintech_platform.health"}) {
    Session s(30);
    s.initialize();
    std::string text = read(card);
    ASSERT_FALSE(text.empty()) << card;
    s.open(text);
    for (int step = 0; step < 150; ++step) {
      auto pick = [&](size_t n) { return n ? std::uniform_int_distribution<size_t>(0, n - 1)(rng) : 0; };
      const size_t at = pick(text.size() + 1);
      switch (pick(4)) {
        case 0: text.erase(at, pick(40)); break;
        case 1: text.insert(at, odd[pick(std::size(odd))]); break;
        case 2: {
          const size_t from = pick(text.size() + 1);
          text.insert(at, text.substr(from, pick(60)));
          break;
        }
        default: if (at + 1 < text.size()) std::swap(text[at], text[at + 1]);
      }
      s.now += std::chrono::milliseconds(pick(60));
      s.change(text, step + 2);
      s.server.tick(s.now, s.out);
      const uint32_t line = static_cast<uint32_t>(pick(160)), ch = static_cast<uint32_t>(pick(90));
      const char* m = methods[pick(std::size(methods))];
      json params = {{"textDocument", {{"uri", kUri}}},
                     {"position", {{"line", line}, {"character", ch}}},
                     {"range", {{"start", {{"line", line}, {"character", 0}}}, {"end", {{"line", line + 3}, {"character", ch}}}}},
                     {"options", {{"tabSize", 2}, {"insertSpaces", true}}}};
      // Now and then a malformed request: wrong types, missing parts, no document.
      switch (pick(12)) {
        case 0: params["position"] = {{"line", -1}, {"character", "x"}}; break;
        case 1: params["textDocument"] = nullptr; break;
        case 2: params = json::array({1, 2}); break;
        case 3: params["range"] = {{"start", {{"line", 1e300}, {"character", 0}}}, {"end", nullptr}}; break;
        default: break;
      }
      const json r = s.request(m, params);
      ASSERT_TRUE(r.is_object()) << m;
      for (const json& o : s.out) ASSERT_TRUE(valid_rpc(o)) << card << " step " << step;
    }
    s.server.tick(s.now + 1s, s.out);
    for (const json& o : s.out) ASSERT_TRUE(valid_rpc(o));
  }
}

}  // namespace
}  // namespace healthc::lsp
