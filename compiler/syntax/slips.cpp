// The mistakes people make on a first card, caught on the token stream before the parser sees
// it (slips.h): each is reported once, with the fix-it, and the token is rewritten to what was
// meant, so the parser and the checker read on as if it were fixed and report nothing more.
#include "compiler/syntax/slips.h"

#include <array>
#include <cctype>
#include <string_view>

#include "ScorecardLexer.h"
#include "compiler/diag/suggest.h"

namespace healthc::syntax {
namespace {

using L = healthc_grammar::ScorecardLexer;
using antlr4::Token;

// The token type of a literal such as `==` (the lexer's implicit T__N types).
size_t literal_type(const antlr4::dfa::Vocabulary& v, std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  for (size_t t = 1; t <= v.getMaxTokenType(); ++t)
    if (v.getLiteralName(t) == quoted) return t;
  return Token::INVALID_TYPE;
}

bool is_hard_keyword(const antlr4::dfa::Vocabulary& v, size_t type) {
  switch (type) {  // v2's soft keywords are names already
    case L::ALERT: case L::SEVERITY: case L::STALE: case L::AFTER: case L::OF: case L::ROLLUP: case L::BY:
    case L::WEIGHT: return false;
    default: break;
  }
  const std::string lit = v.getLiteralName(type);
  return lit.size() > 2 && lit.front() == '\'' && std::isalpha(static_cast<unsigned char>(lit[1]));
}

constexpr std::array<std::pair<std::string_view, size_t>, 11> kDeclarations = {{
    {"scorecard", L::SCORECARD}, {"fields", L::FIELDS}, {"param", L::PARAM}, {"bands", L::BANDS},
    {"measure", L::MEASURE}, {"model", L::MODEL}, {"segment", L::SEGMENT}, {"override", L::OVERRIDE},
    {"label", L::LABEL}, {"alert", L::ALERT}, {"rollup", L::ROLLUP}}};

// Type names other languages use, and the healthc type that holds the same data.
constexpr std::array<std::pair<std::string_view, size_t>, 14> kTypeAliases = {{
    {"int", L::NUMBER_T}, {"integer", L::NUMBER_T}, {"float", L::NUMBER_T}, {"double", L::NUMBER_T},
    {"decimal", L::NUMBER_T}, {"real", L::NUMBER_T}, {"numeric", L::NUMBER_T}, {"string", L::TEXT_T},
    {"str", L::TEXT_T}, {"varchar", L::TEXT_T}, {"boolean", L::BOOL_T}, {"datetime", L::DATE_T},
    {"timestamp", L::DATE_T}, {"category", L::ENUM_T}}};

class SlipFinder {
 public:
  SlipFinder(std::vector<Token*> tokens, const OffsetMap& map, DiagnosticList& diags, const antlr4::dfa::Vocabulary& v)
      : all_(std::move(tokens)), map_(map), diags_(diags), vocab_(v) {
    eq_ = literal_type(v, "==");
    ne_ = literal_type(v, "!=");
    assign_ = literal_type(v, "=");
    arrow_ = literal_type(v, "->");
    then_arrow_ = literal_type(v, "=>");
    colon_ = literal_type(v, ":");
  }

  void run() {
    int depth = 0;
    bool in_condition = false;
    for (size_t k = 0; k < all_.size(); ++k) {
      Token* t = all_[k];
      const size_t type = t->getType();
      if (type == Token::EOF) break;
      if (t->getChannel() != Token::DEFAULT_CHANNEL) continue;
      const std::string text = t->getText();
      if (text == "(" || text == "[" || text == "{") ++depth;
      if ((text == ")" || text == "]" || text == "}") && depth > 0) --depth;
      if (t->getCharPositionInLine() == 0) {
        // A declaration's keyword at the start of a line ends the one before, even one whose
        // closing brace is missing.
        for (auto [w, ty] : kDeclarations)
          if (type == ty) depth = 0;
        if (depth == 0) in_condition = false;
      }
      const bool was_in_condition = in_condition;
      if (type == L::WHEN || type == L::IF) in_condition = true;
      if (type == L::USE || type == L::THEN || type == L::SEVERITY || type == then_arrow_ || text == "{") in_condition = false;

      if (type == L::INVALID) {
        invalid_operator(k);
      } else if (type == assign_ && in_condition) {
        slip(k, k, "equality test", "=", "==", eq_);
      } else if (type == eq_ && adjacent(k, "=")) {
        slip(k, k + 1, "equality test", "===", "==", eq_);
      } else if (text == "<" && adjacent(k, ">")) {
        slip(k, k + 1, "inequality test", "<>", "!=", ne_);
      } else if (type == then_arrow_ && depth > 0 && !was_in_condition) {
        slip(k, k, "arrow in a point", "=>", "->", arrow_);
      } else if (type == L::IS && next_is_null(k)) {
        Token* n = next(k);
        report_slip(n, n, fmt::format("is {}", n->getText()), "missing test", "is missing", "missing");
        set(n, L::MISSING, "missing");
      } else if (type == L::IDENT) {
        ident(k, depth);
      } else if (is_hard_keyword(vocab_, type) && wants_name(k)) {
        const SourceRange r = range(t);
        diags_.report(DiagKind::KeywordAsName, r, text, text);
        diags_.fixit(r, "`" + text + "`");
        set(t, L::IDENT, "`" + text + "`");
      }
    }
  }

 private:
  SourceRange range(Token* t) const { return {map_.byte(t->getStartIndex()), map_.byte(t->getStopIndex() + 1)}; }
  Token* next(size_t k) const {
    for (size_t j = k + 1; j < all_.size(); ++j)
      if (all_[j]->getChannel() == Token::DEFAULT_CHANNEL) return all_[j];
    return nullptr;
  }
  Token* previous(size_t k) const {
    for (size_t j = k; j-- > 0;)
      if (all_[j]->getChannel() == Token::DEFAULT_CHANNEL) return all_[j];
    return nullptr;
  }
  // The token right after `k`, with no space between, has this text.
  bool adjacent(size_t k, std::string_view text) const {
    return k + 1 < all_.size() && all_[k + 1]->getText() == text &&
           all_[k + 1]->getStartIndex() == all_[k]->getStopIndex() + 1;
  }
  void set(Token* t, size_t type, const std::string& text) {
    if (auto* w = dynamic_cast<antlr4::WritableToken*>(t)) {
      w->setType(type);
      w->setText(text);
      w->setChannel(Token::DEFAULT_CHANNEL);
    }
  }
  // A token folded into the one before it: neither the parser nor the screen sees it again.
  void hide(Token* t) {
    if (auto* w = dynamic_cast<antlr4::WritableToken*>(t)) {
      w->setType(L::LINE_COMMENT);
      w->setChannel(Token::HIDDEN_CHANNEL);
    }
  }
  void report_slip(Token* first, Token* last, const std::string& written, const char* what, const std::string& meant,
                   const std::string& replacement) {
    const SourceRange r{range(first).begin, range(last).end};
    diags_.report(DiagKind::OperatorSlip, r, written, what, meant);
    diags_.fixit(r, replacement);
  }
  // Tokens `first`..`last` were meant as the one token `meant` of `type`.
  void slip(size_t first, size_t last, const char* what, const std::string& written, const std::string& meant,
            size_t type) {
    report_slip(all_[first], all_[last], written, what, meant, meant);
    set(all_[first], type, meant);
    for (size_t j = first + 1; j <= last; ++j) hide(all_[j]);
  }

  // `&&`, `&`, `||`, `|` and `!` are other languages' `and`, `or` and `not`.
  void invalid_operator(size_t k) {
    const std::string c = all_[k]->getText();
    if (c != "&" && c != "|" && c != "!") return;
    // A run of them (`&&&` is a typo of `&&`) is one slip: one error, one fix-it.
    size_t end = k;
    while (adjacent(end, c)) ++end;
    const bool twice = end > k;
    const std::string written(end - k + 1, c[0]);  // adjacent: no space between them
    const char* meant = c == "&" ? "and" : c == "|" ? "or" : "not";
    const size_t type = c == "&" ? L::AND : c == "|" ? L::OR : L::NOT;
    if (c == "!" && twice) return;
    report_slip(all_[k], all_[end], written, c == "&" ? "logical and" : c == "|" ? "logical or" : "negation", meant, meant);
    // `!paperless` needs a space after `not`; `a && b` has them already.
    if (c == "!") diags_.items().back().fixits.back().replacement = "not ";
    set(all_[k], type, meant);
    for (size_t j = k + 1; j <= end; ++j) hide(all_[j]);
  }

  bool next_is_null(size_t k) const {
    const Token* n = next(k);
    if (!n || n->getType() != L::IDENT) return false;
    const std::string t = n->getText();
    return t == "null" || t == "NULL" || t == "nil" || t == "none" || t == "empty" || t == "NA";
  }

  // A hard keyword right where a declaration's name must be (`group value`, `label band`, a
  // field `key :`) is a name the writer did not know was a keyword.
  bool wants_name(size_t k) const {
    Token* p = previous(k);
    Token* n = next(k);
    if (n && n->getType() == colon_) return true;  // `:` follows only a field's name
    if (!p) return false;
    switch (p->getType()) {
      case L::GROUP: case L::EXTENDS: case L::USE: case L::DROP: case L::PARAM: case L::MODEL: case L::MEASURE:
        return true;
      case L::SEGMENT: case L::LABEL: case L::OVERRIDE: case L::ALERT: case L::ROLLUP:
        return p->getCharPositionInLine() == 0;
      default: return false;
    }
  }

  void ident(size_t k, int depth) {
    Token* t = all_[k];
    const std::string word = t->getText();
    Token* p = previous(k);
    Token* n = next(k);
    // A field's type: `tenure : numbr`.
    if (p && p->getType() == colon_) {
      const SourceRange r = range(t);
      size_t type = Token::INVALID_TYPE;
      std::string best;
      for (auto [alias, ty] : kTypeAliases)
        if (word == alias) type = ty, best = vocab_.getLiteralName(ty).substr(1, vocab_.getLiteralName(ty).size() - 2);
      if (best.empty()) {
        best = nearest_name(word, {"number", "bool", "text", "date", "enum"});
        for (size_t ty : {L::NUMBER_T, L::BOOL_T, L::TEXT_T, L::DATE_T, L::ENUM_T})
          if (vocab_.getLiteralName(ty) == "'" + best + "'") type = ty;
      }
      if (best == "enum") return;  // `enum` needs its members: the parser says what is missing
      diags_.report(DiagKind::UnknownType, r, word,
                    best.empty() ? "; a field is number, bool, text, date or enum(...)" : "; did you mean `" + best + "`");
      if (!best.empty()) diags_.fixit(r, best);
      // Read on as a number field, so uses of the field give no errors of their own.
      set(t, type == Token::INVALID_TYPE ? L::NUMBER_T : type, best.empty() ? "number" : best);
      return;
    }
    const bool starts_line = !p || p->getLine() < t->getLine();
    if (!starts_line || !n) return;
    // A declaration's keyword, misspelt: `mesure price {`.
    if (depth == 0 && t->getCharPositionInLine() == 0 &&
        (n->getType() == L::IDENT || n->getText() == "{" || n->getType() == L::STRING)) {
      std::vector<std::string> words;
      for (auto [w, ty] : kDeclarations) words.emplace_back(w);
      const std::string best = nearest_name(word, words);
      if (best.empty()) return;
      const SourceRange r = range(t);
      diags_.report(DiagKind::MisspeltKeyword, r, word, best);
      diags_.fixit(r, best);
      for (auto [w, ty] : kDeclarations)
        if (w == best) set(t, ty, best);
      return;
    }
    // A measure's item, misspelt: `scor = ...`.
    if (depth > 0 && n->getType() == assign_) {
      const std::string best = nearest_name(word, {"value", "score", "missing"});
      if (best.empty()) return;
      const SourceRange r = range(t);
      diags_.report(DiagKind::MisspeltKeyword, r, word, best);
      diags_.fixit(r, best);
      set(t, best == "value" ? L::VALUE : best == "score" ? L::SCORE : L::MISSING, best);
    }
  }

  std::vector<Token*> all_;
  const OffsetMap& map_;
  DiagnosticList& diags_;
  const antlr4::dfa::Vocabulary& vocab_;
  size_t eq_, ne_, assign_, arrow_, then_arrow_, colon_;
};

}  // namespace

void repair_slips(antlr4::CommonTokenStream& tokens, const OffsetMap& map, DiagnosticList& diags,
                  const antlr4::dfa::Vocabulary& vocabulary) {
  SlipFinder(tokens.getTokens(), map, diags, vocabulary).run();
}

}  // namespace healthc::syntax
