// The screens the scorecard text passes before the parser sees it (screen.h): invalid UTF-8,
// stray characters, unterminated strings and nesting deeper than the recursive stages take.
#include "compiler/syntax/screen.h"

#include <optional>

#include "ScorecardLexer.h"
#include "compiler/syntax/parse.h"

namespace healthc::syntax {

using L = healthc_grammar::ScorecardLexer;

std::string sanitize_utf8(const std::string& text, DiagnosticList& diags) {
  std::string out = text;
  size_t i = 0;
  bool in_bad_run = false;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok && len > 1) {  // reject overlong forms, surrogates and code points past U+10FFFF
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      if ((len == 2 && c < 0xC2) || (len == 3 && c == 0xE0 && c1 < 0xA0) ||
          (len == 3 && c == 0xED && c1 >= 0xA0) || (len == 4 && c == 0xF0 && c1 < 0x90) ||
          (len == 4 && (c > 0xF4 || (c == 0xF4 && c1 >= 0x90))))
        ok = false;
    }
    if (ok) {
      i += len;
      in_bad_run = false;
      continue;
    }
    if (!in_bad_run)
      diags.report(DiagKind::InvalidUtf8, {static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1)}, c);
    in_bad_run = true;
    out[i] = '\x1A';
    ++i;
  }
  return out;
}

namespace {

bool is_name_token(size_t type) {
  return type == L::IDENT || type == L::ALERT || type == L::SEVERITY || type == L::STALE || type == L::AFTER ||
         type == L::OF || type == L::ROLLUP || type == L::BY || type == L::WEIGHT;
}

// Whether a token (followed by `next`) starts a declaration. `segment`, `label`, `alert` and
// `rollup` are also operands or names; they start one only before the declaration's name, so an
// operator chain through them is still counted as one declaration's.
bool is_declaration_keyword(size_t type, size_t next) {
  switch (type) {
    case L::SCORECARD: case L::FIELDS: case L::PARAM: case L::BANDS: case L::MEASURE:
    case L::MODEL: case L::OVERRIDE:
      return true;
    case L::SEGMENT: case L::LABEL: case L::ALERT: case L::ROLLUP:
      return is_name_token(next);
    default:
      return false;
  }
}

// Measures how deeply the parser and the recursive stages after it will nest, token by token,
// without parsing: brackets; runs of prefix `-` (each wraps the next operand); `not`, which
// lasts until the `and`/`or`/`then`/`else`, comma or bracket that ends its operand; and `if`,
// whose `else` branch lasts until a comma or bracket closes it. Flat text (a `linear` with 300
// negative points, 300 parenthesised `if`s added together) does not nest. Long operator chains
// build left-deep trees, so operators are counted per declaration as well.
class NestingScreen {
 public:
  // Returns 0, or the limit that `text` (a token of `type`) exceeds.
  int add(size_t type, const std::string& text, size_t next) {
    if (is_declaration_keyword(type, next) && levels_.size() == 1) {
      levels_[0].open.clear();
      open_prefixes_ = minus_run_ = operators_ = 0;
    }
    const bool after_operand = after_operand_;
    after_operand_ = false;
    if (text == "(" || text == "[" || text == "{") {
      levels_.push_back({minus_run_, {}});
      open_prefixes_ += minus_run_;
      minus_run_ = 0;
    } else if (text == ")" || text == "]" || text == "}") {
      if (levels_.size() > 1) {
        open_prefixes_ -= levels_.back().carried + static_cast<int>(levels_.back().open.size());
        levels_.pop_back();
      }
      minus_run_ = 0;
      after_operand_ = text != "}";
    } else if (text == "-" && !after_operand) {
      ++minus_run_;  // a prefix minus: nests, but builds no chain
    } else if (type == L::NOT || type == L::IF) {
      levels_.back().open.push_back(type == L::IF);
      ++open_prefixes_;
    } else {
      if (text == ",") {
        open_prefixes_ -= static_cast<int>(levels_.back().open.size());
        levels_.back().open.clear();
      } else if (type == L::AND || type == L::OR || type == L::THEN || type == L::ELSE) {
        std::vector<bool>& open = levels_.back().open;
        while (!open.empty() && !open.back()) {  // the `not`s since the innermost `if`
          open.pop_back();
          --open_prefixes_;
        }
      }
      if (text == "+" || text == "-" || text == "*" || text == "/" || type == L::AND || type == L::OR ||
          text == "==" || text == "<" || text == ">" || text == "<=" || text == ">=" || text == "!=")
        ++operators_;
      after_operand_ = type == L::NUM || type == L::STRING || type == L::TRUE || type == L::FALSE ||
                       is_name_token(type) || type == L::VALUE || type == L::SCORE || type == L::BAND ||
                       type == L::SEGMENT || type == L::LABEL || type == L::OVERRIDE || type == L::UNSCORED ||
                       type == L::MISSING;
      if (!is_name_token(type)) minus_run_ = 0;  // `- f(...)` still wraps the call's brackets
    }
    const int depth = static_cast<int>(levels_.size()) - 1 + open_prefixes_ + minus_run_;
    if (depth > kMaxNesting) return kMaxNesting;
    if (operators_ > kMaxOperatorsPerDeclaration) return kMaxOperatorsPerDeclaration;
    return 0;
  }

 private:
  struct Level {
    int carried = 0;         // the prefix minuses that wrap this bracket
    std::vector<bool> open;  // the `if`s (true) and `not`s (false) open inside it
  };
  std::vector<Level> levels_{1};
  int open_prefixes_ = 0, minus_run_ = 0, operators_ = 0;
  bool after_operand_ = false;
};

}  // namespace

bool quoted_name_ok(const std::string& text) {
  if (text.empty() || text.front() != '`') return true;
  if (text.size() < 3 || (text[1] >= '0' && text[1] <= '9')) return false;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    const char c = text[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool screen_tokens(antlr4::CommonTokenStream& tokens, const OffsetMap& map, const std::string& text,
                   DiagnosticList& diags) {
  std::optional<SourceRange> junk;
  auto flush_junk = [&] {
    if (!junk) return;
    std::string shown = text.substr(junk->begin, std::min<uint32_t>(junk->end - junk->begin, 20));
    for (char& c : shown)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    diags.report(DiagKind::InvalidCharacter, *junk, junk->end - junk->begin > 1 ? "s" : "", shown);
    junk.reset();
  };
  NestingScreen nesting;
  const std::vector<antlr4::Token*> all = tokens.getTokens();
  // Each token's next one that is not junk (the screen looks one token ahead).
  std::vector<size_t> next_type(all.size(), antlr4::Token::EOF);
  for (size_t k = all.size(); k-- > 1;)
    next_type[k - 1] = all[k]->getType() == L::INVALID ? next_type[k] : all[k]->getType();
  for (size_t k = 0; k < all.size(); ++k) {
    antlr4::Token* t = all[k];
    auto* w = dynamic_cast<antlr4::WritableToken*>(t);
    const size_t type = t->getType();
    const SourceRange r{map.byte(t->getStartIndex()), map.byte(t->getStopIndex() + 1)};
    if (type == L::INVALID) {
      if (t->getText() == "\x1A") {  // already reported as invalid UTF-8
        flush_junk();
      } else if (junk && junk->end == r.begin) {
        junk->end = r.end;
      } else {
        flush_junk();
        junk = r;
      }
      if (w) w->setChannel(antlr4::Token::HIDDEN_CHANNEL);
      continue;
    }
    flush_junk();
    if (type == L::UNTERMINATED_STRING) {
      diags.report(DiagKind::UnterminatedString, r);
      if (w) w->setType(L::STRING);  // the parser reads on as if it were closed
      continue;
    }
    if (type == L::UNTERMINATED_QUOTED_NAME) {
      diags.report(DiagKind::UnterminatedQuotedName, r);
      if (w) {  // the parser reads on as if it were closed
        w->setType(L::IDENT);
        w->setText(t->getText() + "`");
      }
      continue;
    }
    if (type == antlr4::Token::EOF) break;
    if (type == L::IDENT && !quoted_name_ok(t->getText())) {
      if (t->getText().size() == 2) diags.report(DiagKind::EmptyQuotedName, r);
      else diags.report(DiagKind::BadQuotedName, r, t->getText().substr(1, t->getText().size() - 2));
    }
    if (const int limit = nesting.add(type, t->getText(), next_type[k]); limit != 0) {
      diags.report(DiagKind::NestingTooDeep, r, limit);
      return false;
    }
  }
  flush_junk();
  return true;
}


}  // namespace healthc::syntax
