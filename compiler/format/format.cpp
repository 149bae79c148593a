// `healthc fmt`: lays a card out again from its tokens and parse tree. The tokens are written
// back as they are, in their order (so the card means what it meant); only the space between
// them changes. The parse tree decides where rows start, which rows form a table (aligned
// columns) and where a cell begins; comments, which the lexer skips, are read from the text
// between tokens and stay beside the token they were written beside. docs/fmt.md has the rules.
#include "compiler/format/format.h"

#include <antlr4-runtime.h>

#include <memory>

#include "ScorecardLexer.h"
#include "ScorecardParser.h"
#include "compiler/diag/source.h"
#include "compiler/format/layout.h"
#include "compiler/syntax/parse.h"

namespace healthc::format {
namespace {

using P = healthc_grammar::ScorecardParser;
using antlr4::Token;

struct Comment {
  std::string text;
  bool blank_before = false;
};

// What surrounds one token in the input: the comments on lines of their own before it, the
// comment after it on its line, and whether an empty line precedes it.
struct Surroundings {
  std::vector<Comment> leading;
  std::string trailing;
  bool blank_before = false;
};

// How one token is placed, decided from the parse tree.
struct Directive {
  bool row = false;     // the token starts a row
  int indent = 0;
  int table = -1;
  int cells = 0;        // cells to open before the token (2: an empty cell, then its own)
  int blank = -1;       // -1: an empty line above as in the input; 0: none; 1: one
  bool closes = false;  // a block's `}`: comments before it are indented as the block's rows
};

// Reads the comments between tokens: outside tokens, the text holds only blanks and comments.
std::vector<Surroundings> read_surroundings(const std::string& text, const std::vector<Token*>& tokens,
                                            const std::vector<uint32_t>& byte_of) {
  auto byte = [&](size_t cp) -> size_t { return byte_of.empty() ? cp : byte_of[std::min(cp, byte_of.size() - 1)]; };
  std::vector<Surroundings> out(tokens.size());
  size_t pos = 0;
  for (size_t k = 0; k < tokens.size(); ++k) {
    Token* t = tokens[k];
    const size_t end = t->getType() == Token::EOF ? text.size() : byte(t->getStartIndex());
    int newlines = 0;
    while (pos < end) {
      const char c = text[pos];
      if (c == '\n') {
        ++newlines, ++pos;
      } else if (c == '#' || (c == '/' && pos + 1 < end && text[pos + 1] == '/')) {
        size_t stop = text.find('\n', pos);
        if (stop == std::string::npos || stop > end) stop = end;
        std::string comment = text.substr(pos, stop - pos);
        while (!comment.empty() && (comment.back() == ' ' || comment.back() == '\t' || comment.back() == '\r' ||
                                    comment.back() == '\f'))
          comment.pop_back();
        if (k > 0 && newlines == 0 && out[k - 1].trailing.empty()) out[k - 1].trailing = std::move(comment);
        else out[k].leading.push_back({std::move(comment), newlines >= 2});
        newlines = 0;
        pos = stop;
      } else {
        ++pos;
      }
    }
    // After a comment the count starts at its line's end, so one newline is no empty line.
    out[k].blank_before = newlines >= 2;
    if (t->getType() != Token::EOF) pos = byte(t->getStopIndex() + 1);
  }
  return out;
}

// Walks the parse tree and writes a Directive for the tokens that start rows or cells.
class LayoutPlanner {
 public:
  LayoutPlanner(std::vector<Directive>& dir, const std::vector<Surroundings>& around, const std::vector<Token*>& tokens)
      : dir_(dir), around_(around), tokens_(tokens) {}

  void file(P::FileContext* f) {
    size_t prev_rule = SIZE_MAX;
    int run_table = -1;
    bool first = true;
    for (P::DeclContext* d : f->decl()) {
      auto* c = dynamic_cast<antlr4::ParserRuleContext*>(d->children.at(0));
      const size_t rule = c->getRuleIndex();
      // One-line declarations of one kind written together form a table (aligned columns);
      // everything else stands apart, after one empty line.
      const bool one_line = rule == P::RuleParamDecl || rule == P::RuleSegmentDecl || rule == P::RuleOverrideDecl ||
                            rule == P::RuleLabelDecl || rule == P::RuleAlertDecl || rule == P::RuleRollupDecl;
      int blank = first ? 0 : 1;
      if (!first && one_line && rule == prev_rule && !gap_has_blank(c->getStart())) {
        blank = 0;
      } else {
        run_table = next_table_++;
      }
      prev_rule = rule;
      first = false;
      row(c->getStart(), 0, run_table, blank);
      decl(c, run_table);
    }
  }

 private:
  Directive& at(Token* t) { return dir_.at(t->getTokenIndex()); }
  void row(Token* t, int indent, int table, int blank = -1, bool closes = false) {
    Directive& d = at(t);
    d.row = true, d.indent = indent, d.table = table, d.blank = blank, d.closes = closes;
  }
  void cell(Token* t, int n = 1) {
    if (t) at(t).cells += n;
  }
  void cell(antlr4::tree::TerminalNode* n, int count = 1) {
    if (n) cell(n->getSymbol(), count);
  }
  // Whether a construct written on one row would pass kMaxWidth columns.
  bool too_wide(antlr4::ParserRuleContext* ctx, int indent) const {
    size_t width = static_cast<size_t>(indent * kIndentWidth);
    for (size_t i = ctx->getStart()->getTokenIndex(); i <= ctx->getStop()->getTokenIndex() && i < tokens_.size(); ++i)
      width += text_width(tokens_[i]->getText()) + 1;
    return width > kMaxWidth;
  }
  bool gap_has_blank(Token* t) const {
    const Surroundings& s = around_.at(t->getTokenIndex());
    if (s.blank_before) return true;
    for (const Comment& c : s.leading)
      if (c.blank_before) return true;
    return false;
  }
  static Token* literal(antlr4::ParserRuleContext* ctx, const char* text, bool last = false) {
    Token* found = nullptr;
    for (antlr4::tree::ParseTree* child : ctx->children)
      if (auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(child); t && t->getText() == text) {
        found = t->getSymbol();
        if (!last) break;
      }
    return found;
  }
  // A block's `}`: on a row of its own unless the block is empty (`fields {}`).
  void close(antlr4::ParserRuleContext* ctx, int indent, int table, bool has_rows) {
    Token* t = literal(ctx, "}", true);
    if (!t) return;
    const size_t i = t->getTokenIndex();
    const bool commented = !around_.at(i).leading.empty() || (i > 0 && !around_.at(i - 1).trailing.empty());
    if (has_rows || commented) row(t, indent, table, 0, true);
  }
  // The cells after a declaration's name: its title (an empty cell when it has none), then the
  // rest from `first_of_rest`.
  void titled(antlr4::tree::TerminalNode* title, Token* first_of_rest) {
    if (title) {
      cell(title);
      cell(first_of_rest);
    } else {
      cell(first_of_rest, 2);
    }
  }

  void decl(antlr4::ParserRuleContext* c, int table) {
    if (auto* f = dynamic_cast<P::FieldsDeclContext*>(c)) {
      const int t = next_table_++;
      for (P::FieldDeclContext* fd : f->fieldDecl()) {
        row(fd->getStart(), 1, t);
        cell(literal(fd, ":"));
      }
      close(f, 0, table, !f->fieldDecl().empty());
    } else if (auto* p = dynamic_cast<P::ParamDeclContext*>(c)) {
      cell(literal(p, "="));
    } else if (auto* b = dynamic_cast<P::BandsDeclContext*>(c)) {
      const int t = next_table_++;
      for (P::BandDeclContext* bd : b->bandDecl()) {
        row(bd->getStart(), 1, t);
        cell(bd->FROM());
        cell(bd->COLOR());
        cell(bd->STRING());
      }
      close(b, 0, table, !b->bandDecl().empty());
    } else if (auto* m = dynamic_cast<P::MeasureDeclContext*>(c)) {
      const int t = next_table_++;
      for (P::MeasureItemContext* item : m->measureItem()) {
        row(item->getStart(), 1, t);
        auto* s = dynamic_cast<P::ScoreItemContext*>(item);
        if (!s) continue;
        if (auto* r = dynamic_cast<P::RangesScoringContext*>(s->scoring())) {
          const int arms = next_table_++;
          for (P::RangeArmContext* arm : r->rangeArm()) {
            row(arm->getStart(), 2, arms);
            cell(literal(arm, "->"));
          }
          close(r, 1, t, !r->rangeArm().empty());
        } else if (auto* l = dynamic_cast<P::LinearScoringContext*>(s->scoring()); l && too_wide(item, 1)) {
          // A long point list: a point a row, after `linear(value,`.
          const int points = next_table_++;
          for (P::LinearPointContext* pt : l->linearPoint()) {
            row(pt->getStart(), 2, points);
            cell(literal(pt, "->"));
          }
        } else if (auto* ma = dynamic_cast<P::MatchScoringContext*>(s->scoring()); ma && too_wide(item, 1)) {
          const int arms = next_table_++;
          for (P::MatchArmContext* arm : ma->matchArm()) {
            row(arm->getStart(), 2, arms);
            cell(literal(arm, "->"));
          }
          close(ma, 1, t, true);
        }
      }
      close(m, 0, table, !m->measureItem().empty());
    } else if (auto* m = dynamic_cast<P::ModelDeclContext*>(c)) {
      entries(m->modelEntry(), 1);
      close(m, 0, table, !m->modelEntry().empty());
    } else if (auto* s = dynamic_cast<P::SegmentDeclContext*>(c)) {
      titled(s->STRING(), s->WHEN()->getSymbol());
    } else if (auto* o = dynamic_cast<P::OverrideDeclContext*>(c)) {
      titled(o->STRING(), (o->FOR() ? o->FOR() : o->WHEN())->getSymbol());
    } else if (auto* a = dynamic_cast<P::AlertDeclContext*>(c)) {
      titled(a->STRING(), (a->FOR() ? a->FOR() : a->WHEN())->getSymbol());
    } else if (auto* l = dynamic_cast<P::LabelDeclContext*>(c)) {
      titled(l->STRING(), (l->WHEN() ? l->WHEN() : l->OTHERWISE())->getSymbol());
    } else if (auto* r = dynamic_cast<P::RollupDeclContext*>(c)) {
      titled(r->STRING(), r->BY()->getSymbol());
    }
  }

  void entries(const std::vector<P::ModelEntryContext*>& list, int indent) {
    const int t = next_table_++;
    for (P::ModelEntryContext* e : list) {
      row(e->getStart(), indent, t);
      if (auto* m = dynamic_cast<P::MeasureEntryContext*>(e)) {
        cell(m->signedNumber()->getStart());
      } else if (auto* g = dynamic_cast<P::GroupEntryContext*>(e)) {
        entries(g->modelEntry(), indent + 1);
        close(g, indent, t, !g->modelEntry().empty());
      }
    }
  }

  std::vector<Directive>& dir_;
  const std::vector<Surroundings>& around_;
  const std::vector<Token*>& tokens_;
  int next_table_ = 0;
};

// Whether a space separates two tokens written on one row.
bool spaced(Token* prev, Token* cur, const std::vector<antlr4::tree::ParseTree*>& parent) {
  const std::string p = prev->getText(), c = cur->getText();
  if (c == "," || c == ")" || c == "]" || c == "." || c == "..") return false;
  if (p == "(" || p == "[" || p == "." || p == "..") return false;
  if (p == "{" && c == "}") return false;  // an empty block
  auto* up = parent.at(prev->getTokenIndex());
  if (p == "-" && (dynamic_cast<P::NegExprContext*>(up) || dynamic_cast<P::SignedNumberContext*>(up))) return false;
  // `f(x)`, `linear(`, `enum(`: the parenthesis of a call hugs its name; `(a + b)` does not.
  if (c == "(" && !dynamic_cast<P::ParenExprContext*>(parent.at(cur->getTokenIndex()))) return false;
  return true;
}

void collect_parents(antlr4::tree::ParseTree* node, std::vector<antlr4::tree::ParseTree*>& parent) {
  for (antlr4::tree::ParseTree* child : node->children) {
    if (auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
      const size_t i = t->getSymbol()->getTokenIndex();
      if (i < parent.size()) parent[i] = node;
    } else {
      collect_parents(child, parent);
    }
  }
}

// Turns tokens, their directives and their comments into rows.
class RowWriter {
 public:
  explicit RowWriter(std::vector<Row>& rows) : rows_(rows) {}

  void comments(const std::vector<Comment>& list, int indent, int first_blank) {
    for (size_t i = 0; i < list.size(); ++i) {
      Row r;
      r.indent = indent;
      r.cells[0] = list[i].text;
      r.blank_before = i == 0 && first_blank >= 0 ? first_blank == 1 : list[i].blank_before;
      push(std::move(r));
    }
  }
  void start(int indent, int table, bool blank) {
    Row r;
    r.indent = indent;
    r.table = table;
    r.blank_before = blank;
    push(std::move(r));
    logical_ = rows_.size() - 1;
  }
  // Breaks the current row where a comment stands inside it: the rest goes on continuation
  // rows, and the row no longer takes part in its table's columns.
  void break_row(const std::vector<Comment>& leading) {
    rows_[logical_].aligned = false;
    const int indent = rows_[logical_].indent + kContinuationIndent;
    std::vector<Comment> tight = leading;
    for (Comment& c : tight) c.blank_before = false;
    comments(tight, indent, 0);
    Row r;
    r.indent = indent;
    r.aligned = false;
    push(std::move(r));
  }
  Row& current() { return rows_.back(); }
  bool empty() const { return rows_.empty(); }
  // Set when the last row ended with a block's `{`: the block's first row has no empty line.
  bool after_open = false;

 private:
  void push(Row r) {
    if (after_open || rows_.empty()) r.blank_before = false;
    after_open = false;
    rows_.push_back(std::move(r));
  }
  std::vector<Row>& rows_;
  size_t logical_ = 0;
};

}  // namespace

FormatResult format_card(std::string path, std::string_view text) {
  FormatResult result;
  result.text = std::string(text);
  const std::string input(text);
  {
    // The project's parser decides whether the card parses, with its diagnostics.
    const SourceFile file(path, input);
    syntax::ParseResult parsed = syntax::parse(file, result.diags);
    if (!parsed.syntax_ok || result.diags.has_errors()) return result;
  }
  try {
    antlr4::ANTLRInputStream stream(input);
    healthc_grammar::ScorecardLexer lexer(&stream);
    lexer.removeErrorListeners();
    antlr4::CommonTokenStream tokens(&lexer);
    tokens.fill();
    P parser(&tokens);
    parser.removeErrorListeners();
    P::FileContext* tree = parser.file();
    if (parser.getNumberOfSyntaxErrors() > 0) return result;

    const std::vector<Token*> all = tokens.getTokens();
    std::vector<uint32_t> byte_of;  // code point index -> byte offset (empty for ASCII text)
    if (std::any_of(input.begin(), input.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
      for (uint32_t i = 0; i < input.size(); ++i)
        if ((static_cast<unsigned char>(input[i]) & 0xC0) != 0x80) byte_of.push_back(i);
      byte_of.push_back(static_cast<uint32_t>(input.size()));
    }
    const std::vector<Surroundings> around = read_surroundings(input, all, byte_of);
    std::vector<Directive> dir(all.size());
    LayoutPlanner(dir, around, all).file(tree);
    std::vector<antlr4::tree::ParseTree*> parent(all.size(), nullptr);
    collect_parents(tree, parent);

    std::vector<Row> rows;
    RowWriter out(rows);
    Token* prev = nullptr;
    bool break_pending = false;  // the previous token carries a trailing comment
    for (size_t k = 0; k < all.size(); ++k) {
      Token* t = all[k];
      const Directive& d = dir[k];
      const Surroundings& s = around[k];
      if (t->getType() == Token::EOF) {
        out.comments(s.leading, 0, -1);
        break;
      }
      if (t->getChannel() != Token::DEFAULT_CHANNEL) continue;
      if (d.row || out.empty()) {
        out.comments(s.leading, d.closes ? d.indent + 1 : d.indent, d.closes ? -1 : d.blank);
        const bool blank = d.closes ? false : (s.leading.empty() && d.blank >= 0 ? d.blank == 1 : s.blank_before);
        out.start(d.indent, d.table, blank);
        for (int i = 1; i < d.cells; ++i) out.current().cells.emplace_back();
      } else if (!s.leading.empty() || break_pending) {
        out.break_row(s.leading);
      } else {
        out.after_open = false;  // a `{` inside a row (`match x { ... }`) opens no block of rows
        if (d.cells > 0) {
          for (int i = 0; i < d.cells; ++i) out.current().cells.emplace_back();
        } else if (prev && spaced(prev, t, parent)) {
          out.current().cells.back() += ' ';
        }
      }
      out.current().cells.back() += t->getText();
      if (!s.trailing.empty()) out.current().comment = s.trailing;
      break_pending = !s.trailing.empty();
      out.after_open = t->getText() == "{";
      prev = t;
    }
    result.text = render(rows);
    result.ok = true;
  } catch (const std::exception& e) {
    result.diags.report(DiagKind::SyntaxError, SourceRange{}, std::string("internal formatter failure: ") + e.what());
    result.text = std::string(text);
    result.ok = false;
  }
  return result;
}

}  // namespace healthc::format
