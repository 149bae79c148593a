// Diagnostics, navigation, the outline, completion, formatting and quick fixes.
#include "compiler/lsp/features.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "compiler/format/format.h"
#include "compiler/lint/lint.h"
#include "stdlib/builtins.h"

namespace healthc::lsp {
namespace {

using nlohmann::json;

constexpr const char* kDocsBase = "https://github.com/healthc/healthc/blob/main/docs/";

// The language's keywords (grammar/Scorecard.g4) and the plain names the builder gives meaning.
constexpr const char* kKeywords[] = {
    "scorecard", "fields", "number", "bool", "text", "date", "enum", "optional", "key", "param", "bands",
    "from", "color", "measure", "subjective", "stale", "after", "days", "weeks", "of", "value", "score",
    "linear", "ranges", "match", "missing", "unscored", "model", "extends", "group", "drop", "segment",
    "when", "use", "override", "for", "cap", "floor", "band", "label", "otherwise", "alert", "severity",
    "rollup", "by", "weight", "and", "or", "not", "in", "is", "if", "then", "else", "true", "false",
    "previous", "change", "none"};

uint32_t uint_field(const json& j, const char* name) {
  const json& v = j.at(name);
  if (!v.is_number_integer() || v.get<int64_t>() < 0) throw std::invalid_argument(std::string("bad ") + name);
  const int64_t n = v.get<int64_t>();
  return n > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(n);
}

std::string text_of(const std::string& text, SourceRange r) {
  if (r.end <= r.begin || r.end > text.size()) return {};
  return text.substr(r.begin, std::min<uint32_t>(r.end - r.begin, 200));
}

int severity(Severity s) { return s == Severity::Error ? 1 : s == Severity::Warning ? 2 : 3; }

json diagnostic(const Analysis& a, const Diagnostic& d, const std::string& uri) {
  json j = {{"range", to_json(a.lines.range(d.range))},
            {"severity", severity(d.severity)},
            {"code", d.code},
            {"codeDescription", {{"href", code_href(d.code)}}},
            {"source", "healthc"},
            {"message", d.message}};
  if (!d.notes.empty() && !uri.empty()) {
    json rel = json::array();
    for (const DiagNote& n : d.notes)
      rel.push_back({{"location", {{"uri", uri}, {"range", to_json(a.lines.range(n.range))}}}, {"message", n.message}});
    j["relatedInformation"] = rel;
  }
  return j;
}

json location(const Analysis& a, const std::string& uri, SourceRange r) {
  return {{"uri", uri}, {"range", to_json(a.lines.range(r))}};
}

// A DocumentSymbol; `range` grows to hold `selection` (LSP requires it).
json symbol(const Analysis& a, const std::string& name, const std::string& detail, int kind, SourceRange range,
            SourceRange selection) {
  if (range.end <= range.begin) range = selection;
  range.begin = std::min(range.begin, selection.begin);
  range.end = std::max(range.end, selection.end);
  json j = {{"name", name.empty() ? std::string("?") : name},
            {"kind", kind},
            {"range", to_json(a.lines.range(range))},
            {"selectionRange", to_json(a.lines.range(selection))}};
  if (!detail.empty()) j["detail"] = detail;
  return j;
}

// LSP SymbolKind values.
enum : int { kModule = 2, kNamespace = 3, kClass = 5, kProperty = 7, kField = 8, kEnum = 10, kFunction = 12,
             kConstant = 14, kObject = 19, kEnumMember = 22, kStruct = 23, kEvent = 24, kOperator = 25, kArray = 18,
             kString = 15 };

json model_entries(const Analysis& a, const std::vector<ast::ModelEntry>& entries) {
  json out = json::array();
  for (const ast::ModelEntry& e : entries) {
    const std::string w = e.weight ? fmt::format("{}", *e.weight) : "";
    if (e.kind == ast::ModelEntry::Group) {
      json g = symbol(a, e.name.text, e.title.empty() ? w : fmt::format("\"{}\" {}", e.title, w), kNamespace, e.range, e.name.range);
      g["children"] = model_entries(a, e.children);
      out.push_back(std::move(g));
    } else {
      out.push_back(symbol(a, e.name.text, e.kind == ast::ModelEntry::Drop ? "drop" : w, kProperty, e.range, e.name.range));
    }
  }
  return out;
}

template <typename T>
void add_all(json& out, const Analysis& a, const std::vector<T>& items, int kind) {
  for (const T& x : items) out.push_back(symbol(a, x.name.text, x.title, kind, x.range, x.name.range));
}

// The identifier that ends at `offset`, and the identifier before a `.` just ahead of it.
struct CompletionContext {
  std::string prefix;
  std::string qualifier;  // "adoption" in `adoption.sc`; empty without a dot
  bool after_dot = false;
};

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

CompletionContext context_at(const std::string& text, uint32_t offset) {
  CompletionContext cx;
  uint32_t b = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  uint32_t i = b;
  while (i > 0 && ident_char(text[i - 1])) --i;
  cx.prefix = text.substr(i, b - i);
  if (i > 0 && text[i - 1] == '.') {
    cx.after_dot = true;
    uint32_t j = i - 1;
    while (j > 0 && ident_char(text[j - 1])) --j;
    cx.qualifier = text.substr(j, i - 1 - j);
  }
  return cx;
}

json item(const std::string& label, int kind, const std::string& detail, const std::string& doc = {}) {
  json j = {{"label", label}, {"kind", kind}};
  if (!detail.empty()) j["detail"] = detail;
  if (!doc.empty()) j["documentation"] = {{"kind", "markdown"}, {"value", doc}};
  return j;
}

// LSP CompletionItemKind values.
enum : int { kCiFunction = 3, kCiField = 5, kCiVariable = 6, kCiModule = 9, kCiProperty = 10, kCiValue = 12,
             kCiKeyword = 14, kCiEnumMember = 20, kCiConstant = 21, kCiEvent = 23 };

}  // namespace

std::string code_href(const std::string& code) {
  if (const lint::Rule* r = lint::find_rule(code)) return fmt::format("{}lint.md#{}", kDocsBase, r->anchor);
  std::string anchor = code;
  std::transform(anchor.begin(), anchor.end(), anchor.begin(), [](unsigned char c) { return std::tolower(c); });
  return fmt::format("{}diagnostics.md#{}", kDocsBase, anchor);
}

json to_json(const Range& r) {
  return {{"start", {{"line", r.start.line}, {"character", r.start.character}}},
          {"end", {{"line", r.end.line}, {"character", r.end.character}}}};
}

Position position_from_json(const json& j) { return {uint_field(j, "line"), uint_field(j, "character")}; }

Range range_from_json(const json& j) { return {position_from_json(j.at("start")), position_from_json(j.at("end"))}; }

json diagnostics(const Analysis& a, const std::string& uri) {
  json out = json::array();
  for (const Diagnostic& d : a.front.diags.items()) out.push_back(diagnostic(a, d, uri));
  for (const Diagnostic& d : a.lint.items()) out.push_back(diagnostic(a, d, uri));
  return out;
}

json definition(const Analysis& a, const std::string& uri, Position p) {
  const Occurrence* o = a.at(a.lines.offset(p));
  if (!o) return nullptr;
  const auto decl = a.declaration(o->symbol);
  if (!decl) return nullptr;
  return location(a, uri, *decl);
}

json references(const Analysis& a, const std::string& uri, Position p, bool include_declaration) {
  const Occurrence* o = a.at(a.lines.offset(p));
  if (!o) return nullptr;
  json out = json::array();
  for (SourceRange r : a.references(o->symbol, include_declaration)) out.push_back(location(a, uri, r));
  return out;
}

json document_symbols(const Analysis& a) {
  const ast::Scorecard& c = a.front.card;
  json out = json::array();
  if (!c.fields.empty()) {
    json fields = json::array();
    for (const ast::Field& f : c.fields) {
      json fs = symbol(a, f.name.text, text_of(a.text, f.type_range), kField, f.range, f.name.range);
      if (!f.members.empty()) {
        fs["children"] = json::array();
        for (const ast::Name& m : f.members) fs["children"].push_back(symbol(a, m.text, "", kEnumMember, m.range, m.range));
      }
      fields.push_back(std::move(fs));
    }
    const SourceRange block = c.fields_block.end > c.fields_block.begin
                                  ? c.fields_block
                                  : SourceRange{c.fields.front().range.begin, c.fields.back().range.end};
    json f = symbol(a, "fields", "", kStruct, block, {block.begin, std::min(block.end, block.begin + 6)});
    f["children"] = std::move(fields);
    out.push_back(std::move(f));
  }
  for (const ast::Param& p : c.params)
    out.push_back(symbol(a, p.name.text, fmt::format("{}", p.value), kConstant, p.range, p.name.range));
  if (!c.bands.empty()) {
    json bands = json::array();
    for (const ast::Band& b : c.bands)
      bands.push_back(symbol(a, b.name.text, fmt::format("from {}", b.from), kEnumMember, b.range, b.name.range));
    const SourceRange block = c.bands_block.end > c.bands_block.begin
                                  ? c.bands_block
                                  : SourceRange{c.bands.front().range.begin, c.bands.back().range.end};
    json b = symbol(a, "bands", "", kEnum, block, {block.begin, std::min(block.end, block.begin + 5)});
    b["children"] = std::move(bands);
    out.push_back(std::move(b));
  }
  add_all(out, a, c.measures, kFunction);
  for (const ast::Model& m : c.models) {
    json ms = symbol(a, m.name.text, m.base ? "extends " + m.base->text : "", kModule, m.range, m.name.range);
    ms["children"] = model_entries(a, m.entries);
    out.push_back(std::move(ms));
  }
  add_all(out, a, c.segments, kObject);
  add_all(out, a, c.overrides, kOperator);
  add_all(out, a, c.labels, kString);
  add_all(out, a, c.alerts, kEvent);
  add_all(out, a, c.rollups, kArray);
  (void)kClass;
  return out;
}

json completion(const Analysis& a, Position p) {
  const ast::Scorecard& c = a.front.card;
  const CompletionContext cx = context_at(a.text, a.lines.offset(p));
  json items = json::array();
  if (cx.after_dot) {
    const bool measure = std::any_of(c.measures.begin(), c.measures.end(),
                                     [&](const ast::Measure& m) { return m.name.text == cx.qualifier; });
    if (measure) {
      items.push_back(item("score", kCiProperty, "the measure's score, 0 to 100"));
      items.push_back(item("value", kCiProperty, "the measure's value"));
    } else if (cx.qualifier == "previous") {
      for (const char* k : {"score", "band", "label", "segment", "override"})
        items.push_back(item(k, kCiProperty, std::string("the account's ") + k + " in the previous snapshot"));
      for (const ast::Measure& m : c.measures) items.push_back(item(m.name.text, kCiVariable, m.title));
    }
    return {{"isIncomplete", false}, {"items", items}};
  }
  std::set<std::string> seen;
  auto add = [&](json j) {
    if (seen.insert(j["label"].get<std::string>()).second) items.push_back(std::move(j));
  };
  for (const ast::Field& f : c.fields) {
    add(item(f.name.text, kCiField, "field"));
    for (const ast::Name& m : f.members) add(item(m.text, kCiEnumMember, "member of " + f.name.text));
  }
  for (const ast::Param& x : c.params) add(item(x.name.text, kCiConstant, fmt::format("param = {}", x.value)));
  for (const ast::Measure& m : c.measures) add(item(m.name.text, kCiVariable, m.title.empty() ? "measure" : m.title));
  for (const ast::Band& b : c.bands) add(item(b.name.text, kCiEnumMember, "band from " + fmt::format("{}", b.from)));
  for (const ast::Segment& s : c.segments) add(item(s.name.text, kCiValue, "segment"));
  for (const ast::Model& m : c.models) add(item(m.name.text, kCiModule, "model"));
  for (const ast::Label& l : c.labels) add(item(l.name.text, kCiValue, "label"));
  for (const ast::Override& o : c.overrides) add(item(o.name.text, kCiEvent, "override"));
  for (const stdlib::BuiltinInfo& b : stdlib::builtins()) add(item(std::string(b.name), kCiFunction, builtin_signature(b), std::string(b.summary)));
  for (const char* k : kKeywords) add(item(k, kCiKeyword, "keyword"));
  return {{"isIncomplete", false}, {"items", items}};
}

json formatting(const Analysis& a, const std::string& path) {
  format::FormatResult r = format::format_card(path, a.text);
  if (!r.ok) return nullptr;  // a card that does not parse is left as it is
  json edits = json::array();
  if (r.text != a.text)
    edits.push_back({{"range", to_json(a.lines.range({0, static_cast<uint32_t>(a.text.size())}))}, {"newText", r.text}});
  return edits;
}

json code_actions(const Analysis& a, const std::string& uri, Range range) {
  const uint32_t begin = a.lines.offset(range.start), end = a.lines.offset(range.end);
  json out = json::array();
  auto offer = [&](const Diagnostic& d) {
    if (d.range.end < begin || d.range.begin > end) return;  // touches the range, or holds the cursor
    for (const FixIt& f : d.fixits) {
      if (f.range.begin > f.range.end || f.range.end > a.text.size()) continue;
      const std::string was = a.text.substr(f.range.begin, f.range.end - f.range.begin);
      const std::string title = was.empty()           ? fmt::format("Insert `{}`", f.replacement)
                                : f.replacement.empty() ? fmt::format("Remove `{}`", was)
                                                        : fmt::format("Replace `{}` with `{}`", was, f.replacement);
      json edit = {{"range", to_json(a.lines.range(f.range))}, {"newText", f.replacement}};
      out.push_back({{"title", title},
                     {"kind", "quickfix"},
                     {"diagnostics", json::array({diagnostic(a, d, uri)})},
                     {"isPreferred", d.fixits.size() == 1},
                     {"edit", {{"changes", {{uri, json::array({edit})}}}}}});
    }
  };
  for (const Diagnostic& d : a.front.diags.items()) offer(d);
  for (const Diagnostic& d : a.lint.items()) offer(d);
  return out;
}

}  // namespace healthc::lsp
