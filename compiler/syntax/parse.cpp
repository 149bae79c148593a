// Runs the ANTLR lexer and parser over a scorecard and turns the parse tree into the AST.
// Hostile input is handled before ANTLR sees it (screen.h): invalid UTF-8 is reported and
// neutralised, stray characters are reported once per run, nesting deeper than the limits is
// refused.
#include "compiler/syntax/parse.h"

#include <antlr4-runtime.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include "ScorecardLexer.h"
#include "ScorecardParser.h"
#include "compiler/diag/suggest.h"
#include "compiler/syntax/screen.h"
#include "compiler/syntax/slips.h"

namespace healthc::syntax {
namespace {

using P = healthc_grammar::ScorecardParser;
using L = healthc_grammar::ScorecardLexer;

std::string describe_token_text(const std::string& t) {
  if (t == "<EOF>") return "end of file";
  std::string shown = t.size() > 40 ? t.substr(0, 40) + "..." : t;
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  return "`" + shown + "`";
}

// Rewrites ANTLR's messages into the project's style ("expected X, found `y`").
std::string tidy_message(const std::string& msg, const std::string& offending) {
  auto expecting = [](const std::string& m) -> std::string {
    auto pos = m.find(" expecting ");
    if (pos == std::string::npos) return {};
    std::string set = m.substr(pos + 11);
    // v2's soft keywords are names: where a name is expected, they are not listed beside it.
    if (set.find("IDENT") != std::string::npos)
      for (const char* soft : {", 'alert'", ", 'severity'", ", 'stale'", ", 'after'", ", 'of'",
                                 ", 'rollup'", ", 'by'", ", 'weight'", "'alert', "})
        for (size_t p = set.find(soft); p != std::string::npos; p = set.find(soft)) set.erase(p, std::strlen(soft));
    if (!set.empty() && set.front() == '{') {
      size_t n = 1;
      for (char c : set) n += c == ',';
      if (n > 4) return {};
      set = set.substr(1, set.size() - 2);
    }
    std::string out;
    for (size_t i = 0; i < set.size(); ++i) out += set[i] == '\'' ? '`' : set[i];
    for (auto [from, to] : {std::pair<std::string, std::string>{"IDENT", "a name"}, {"NUM", "a number"},
                            {"STRING", "a string"}, {", ", " or "}}) {
      for (size_t p = out.find(from); p != std::string::npos; p = out.find(from, p + to.size()))
        out.replace(p, from.size(), to);
    }
    // A signed number is "a number" to the writer, not "`-` or a number".
    for (size_t p = out.find("`-` or a number"); p != std::string::npos; p = out.find("`-` or a number"))
      out.replace(p, 15, "a number");
    return out;
  };
  const std::string found = describe_token_text(offending);
  if (msg.rfind("missing ", 0) == 0) {
    auto at = msg.find(" at ");
    std::string what = expecting("x expecting " + msg.substr(8, at == std::string::npos ? std::string::npos : at - 8));
    if (what.empty()) what = "something";
    return "missing " + what + " before " + found;
  }
  const std::string exp = expecting(msg);
  if (!exp.empty()) return "expected " + exp + ", found " + found;
  return "unexpected " + found;
}

// What a rule context is, in the user's words, for the note at a construct whose `{`, `}` or
// `)` is missing; null for rules the note would not help with.
const char* construct_name(antlr4::ParserRuleContext* ctx) {
  if (dynamic_cast<P::GroupEntryContext*>(ctx)) return "group";
  if (dynamic_cast<P::MeasureDeclContext*>(ctx)) return "measure";
  if (dynamic_cast<P::FieldsDeclContext*>(ctx)) return "fields block";
  if (dynamic_cast<P::BandsDeclContext*>(ctx)) return "bands block";
  if (dynamic_cast<P::ModelDeclContext*>(ctx)) return "model";
  if (dynamic_cast<P::EnumTypeContext*>(ctx)) return "enum";
  if (dynamic_cast<P::LinearScoringContext*>(ctx)) return "`linear`";
  if (dynamic_cast<P::RangesScoringContext*>(ctx)) return "`ranges`";
  if (dynamic_cast<P::MatchScoringContext*>(ctx)) return "`match`";
  if (dynamic_cast<P::CallExprContext*>(ctx) || dynamic_cast<P::WindowCallContext*>(ctx)) return "call";
  if (dynamic_cast<P::InExprContext*>(ctx)) return "list";
  if (dynamic_cast<P::ParenExprContext*>(ctx)) return "parenthesis";
  return nullptr;
}

bool starts_declaration(const antlr4::Token* t) {
  if (t->getCharPositionInLine() != 0) return false;
  switch (t->getType()) {
    case L::SCORECARD: case L::FIELDS: case L::PARAM: case L::BANDS: case L::MEASURE: case L::MODEL:
    case L::SEGMENT: case L::OVERRIDE: case L::LABEL: case L::ALERT: case L::ROLLUP: return true;
    default: return false;
  }
}

// Collects the parser's errors. One mistake, one error: after an error, the parser's later
// complaints up to the next declaration (a declaration keyword at the start of a line) are its
// cascade and are dropped; the span is kept so the checker's complaints about the broken
// declaration are dropped too (ParseResult::broken).
class ErrorCollector : public antlr4::BaseErrorListener {
 public:
  ErrorCollector(DiagnosticList& diags, const OffsetMap& map, antlr4::CommonTokenStream& tokens,
                 std::vector<SourceRange>& broken)
      : diags_(diags), map_(map), tokens_(tokens), broken_(broken) {}
  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* tok, size_t, size_t, const std::string& msg,
                   std::exception_ptr) override {
    ++count;
    if (!tok) return;
    const size_t index = tok->getTokenIndex();
    if (index != INVALID_INDEX && index < suppress_until_) return;
    const auto start = tok->getStartIndex(), stop = tok->getStopIndex();
    SourceRange r;
    if (tok->getType() == antlr4::Token::EOF || start == INVALID_INDEX) {
      r.begin = r.end = map_.byte(tok->getStartIndex() == INVALID_INDEX ? 0 : start);
    } else {
      r = {map_.byte(start), map_.byte(stop + 1)};
    }
    // One error per place: ANTLR can report twice where it resynchronises.
    if (last_ && last_->begin == r.begin) return;
    last_ = r;
    for (SourceRange b : lexical_)
      if (r.begin >= b.begin && r.begin < b.end) return;  // the parser tripping on a lexical error
    std::string message = tidy_message(msg, tok->getText());
    // The next declaration where a `}` could still come: the `}` is what is missing.
    if (starts_declaration(tok) && message.rfind("expected ", 0) == 0 && message.find("`}`") != std::string::npos)
      message = "missing `}` before `" + tok->getText() + "`";
    const bool missing = message.rfind("missing `", 0) == 0;
    const bool wants_closer = missing || message.find("`}`") != std::string::npos ||
                              message.find("`)`") != std::string::npos || message.find("`{`") != std::string::npos ||
                              message.find("`,`") != std::string::npos;
    // A missing `{`, `}`, `)` or `,` is missing right after the token before, as clang says it,
    // and so is anything missing at the end of a line: not where the next line's token is.
    antlr4::Token* before = index == INVALID_INDEX ? nullptr : previous(index);
    bool moved = false;
    const bool expected = missing || message.rfind("expected ", 0) == 0;
    if (expected && before && before->getStopIndex() != INVALID_INDEX &&
        (wants_closer || before->getLine() < tok->getLine())) {
      const uint32_t at = map_.byte(before->getStopIndex() + 1);
      r = {at, at};
      moved = true;
    }
    diags_.report(DiagKind::SyntaxError, r, message);
    if (missing && moved) {  // "missing `{` before ...": insert it
      const size_t open = message.find('`'), close = message.find('`', open + 1);
      if (close != std::string::npos && message.compare(close, 9, "` before ") == 0)
        diags_.fixit(r, " " + message.substr(open + 1, close - open - 1));
    }
    if (wants_closer)
      if (auto* parser = dynamic_cast<antlr4::Parser*>(recognizer))
        for (antlr4::ParserRuleContext* ctx = parser->getContext(); ctx; ctx = dynamic_cast<antlr4::ParserRuleContext*>(ctx->parent))
          if (const char* what = construct_name(ctx); what && ctx->getStart() && ctx->getStart()->getStartIndex() != INVALID_INDEX) {
            const antlr4::Token* s = ctx->getStart();
            diags_.note(DiagKind::NoteOpenedHere, {map_.byte(s->getStartIndex()), map_.byte(s->getStopIndex() + 1)}, what);
            break;
          }
    if (index == INVALID_INDEX) return;
    // An error at a declaration's first token (the `}` before it is missing) leaves the
    // declaration itself to be read; any other ends the checking of its declaration.
    suppress_until_ = index + 1;
    if (!starts_declaration(tok))
      while (suppress_until_ < tokens_.size() && tokens_.get(suppress_until_)->getType() != antlr4::Token::EOF &&
             !starts_declaration(tokens_.get(suppress_until_)))
        ++suppress_until_;
    const antlr4::Token* end = suppress_until_ < tokens_.size() ? tokens_.get(suppress_until_) : nullptr;
    const uint32_t end_byte = end && end->getStartIndex() != INVALID_INDEX ? map_.byte(end->getStartIndex()) : UINT32_MAX;
    broken_.push_back({std::min(r.begin, map_.byte(start == INVALID_INDEX ? 0 : start)), std::max(end_byte, r.end)});
  }
  // A lexical error (an unclosed string, a stray character) the screen reported at `byte`: the
  // parser's errors from there to the next declaration are its cascade.
  void lexical_error(uint32_t byte) {
    uint32_t begin = 0, end = UINT32_MAX;
    for (size_t j = 0; j < tokens_.size(); ++j) {
      const antlr4::Token* t = tokens_.get(j);
      if (t->getType() == antlr4::Token::EOF || t->getStartIndex() == INVALID_INDEX) break;
      const uint32_t at = map_.byte(t->getStartIndex());
      if (!starts_declaration(t)) continue;
      if (at <= byte) begin = at;
      if (at > byte) {
        end = at;
        break;
      }
    }
    lexical_.push_back({byte, end});
    broken_.push_back({begin, end});  // the checker reads the whole declaration half-read
  }
  size_t count = 0;

 private:
  antlr4::Token* previous(size_t index) const {
    for (size_t j = index; j-- > 0;)
      if (antlr4::Token* t = tokens_.get(j); t->getChannel() == antlr4::Token::DEFAULT_CHANNEL) return t;
    return nullptr;
  }
  DiagnosticList& diags_;
  const OffsetMap& map_;
  antlr4::CommonTokenStream& tokens_;
  std::vector<SourceRange>& broken_;
  std::optional<SourceRange> last_;
  std::vector<SourceRange> lexical_;
  size_t suppress_until_ = 0;
};

// Builds the AST from a (possibly error-recovered) parse tree: every child may be missing.
class AstBuilder {
 public:
  AstBuilder(const OffsetMap& map, DiagnosticList& diags) : map_(map), diags_(diags) {}

  void build_file(P::FileContext* file, ast::Scorecard& card) {
    bool first = true;
    for (P::DeclContext* d : file->decl()) {
      if (auto* s = d->scorecardDecl()) {
        if (card.has_header) {
          diags_.report(DiagKind::DuplicateBlock, range(s), "scorecard");
        } else if (!first) {
          diags_.report(DiagKind::ScorecardNotFirst, range(s));
        }
        if (!card.has_header) {
          card.has_header = true;
          card.title = string_text(s->STRING());
          card.title_range = range(s);
        }
      } else if (auto* f = d->fieldsDecl()) {
        if (card.fields_block.end != 0)
          diags_.report(DiagKind::DuplicateBlock, range(f->FIELDS()), "fields");
        else
          card.fields_block = range(f);
        for (auto* fd : f->fieldDecl()) build_field(fd, card);
      } else if (auto* p = d->paramDecl()) {
        if (!valid_name(p->name())) continue;
        ast::Param param{name(p->name()), number(p->signedNumber()), range(p->signedNumber()), range(p)};
        card.params.push_back(std::move(param));
      } else if (auto* b = d->bandsDecl()) {
        if (card.bands_block.end != 0)
          diags_.report(DiagKind::DuplicateBlock, range(b->BANDS()), "bands");
        else
          card.bands_block = range(b);
        for (auto* bd : b->bandDecl()) {
          if (!valid_name(bd->name(0)) || !valid_name(bd->name(1))) continue;
          card.bands.push_back(ast::Band{name(bd->name(0)), number(bd->signedNumber()), range(bd->signedNumber()),
                                         name(bd->name(1)), string_text(bd->STRING()), range(bd)});
        }
      } else if (auto* m = d->measureDecl()) {
        build_measure(m, card);
      } else if (auto* m = d->modelDecl()) {
        if (!valid_name(m->name(0))) continue;
        ast::Model model;
        model.name = name(m->name(0));
        if (m->EXTENDS() && valid_name(m->name(1))) model.base = name(m->name(1));
        model.range = range(m);
        for (auto* e : m->modelEntry()) build_entry(e, model.entries);
        card.models.push_back(std::move(model));
      } else if (auto* s = d->segmentDecl()) {
        if (!valid_name(s->name(0))) continue;
        ast::Segment seg;
        seg.name = name(s->name(0));
        seg.title = string_text(s->STRING());
        seg.condition = expr(s->expr());
        if (valid_name(s->name(1))) seg.model = name(s->name(1));
        seg.range = range(s);
        card.segments.push_back(std::move(seg));
      } else if (auto* o = d->overrideDecl()) {
        build_override(o, card);
      } else if (auto* a = d->alertDecl()) {
        build_alert(a, card);
      } else if (auto* r = d->rollupDecl()) {
        build_rollup(r, card);
      } else if (auto* l = d->labelDecl()) {
        if (!valid_name(l->name())) continue;
        ast::Label label;
        label.name = name(l->name());
        label.title = string_text(l->STRING());
        if (!l->OTHERWISE()) label.condition = expr(l->expr());
        label.range = range(l);
        card.labels.push_back(std::move(label));
      }
      first = false;
    }
  }

 private:
  SourceRange range(antlr4::ParserRuleContext* ctx) const {
    if (!ctx || !ctx->getStart()) return {};
    auto* start = ctx->getStart();
    auto* stop = ctx->getStop();
    const uint32_t b = map_.byte(start->getStartIndex());
    uint32_t e = b;
    if (stop && stop->getStopIndex() != static_cast<size_t>(-1) && stop->getStopIndex() + 1 >= start->getStartIndex())
      e = map_.byte(stop->getStopIndex() + 1);
    return {b, std::max(b, e)};
  }
  SourceRange range(antlr4::tree::TerminalNode* node) const {
    if (!node) return {};
    auto* t = node->getSymbol();
    if (t->getStartIndex() == static_cast<size_t>(-1)) return {};
    return {map_.byte(t->getStartIndex()), map_.byte(t->getStopIndex() + 1)};
  }
  static bool conjured(antlr4::Token* t) { return !t || t->getStartIndex() == static_cast<size_t>(-1); }
  // A name is an IDENT (perhaps in backquotes) or one of v2's soft keywords (the grammar's
  // `name` rule): one token. A malformed backquoted name was reported by the screen.
  static bool valid_name(P::NameContext* n) {
    return n && n->children.size() == 1 && !conjured(n->getStart()) && quoted_name_ok(n->getStart()->getText());
  }
  ast::Name name(P::NameContext* n) const {
    if (!valid_name(n)) return {};
    return token_name(n->getStart());
  }
  // The name a token stands for: its text, without the backquotes of `` `in` ``.
  ast::Name token_name(antlr4::Token* t) const {
    std::string text = t->getText();
    if (text.size() >= 2 && text.front() == '`') text = text.substr(1, text.size() - 2);
    return {std::move(text), {map_.byte(t->getStartIndex()), map_.byte(t->getStopIndex() + 1)}};
  }

  // `N days` / `N weeks` (and the singulars) in days; an unknown unit is reported.
  std::optional<double> window_days(P::SignedNumberContext* n, P::NameContext* unit) {
    if (!n || !valid_name(unit)) return std::nullopt;
    const ast::Name u = name(unit);
    const double v = number(n);
    if (u.text == "days" || u.text == "day") return v;
    if (u.text == "weeks" || u.text == "week") return v * 7;
    diags_.report(DiagKind::UnknownTimeUnit, u.range, u.text, did_you_mean(u.text, {"days", "weeks", "day", "week"}));
    return std::nullopt;
  }

  std::string string_text(antlr4::tree::TerminalNode* node) {
    if (!node || conjured(node->getSymbol())) return {};
    const std::string raw = node->getText();
    if (raw.size() < 2) return {};
    std::string out;
    const SourceRange r = range(node);
    for (size_t i = 1; i + 1 < raw.size(); ++i) {
      if (raw[i] != '\\') {
        out.push_back(raw[i]);
        continue;
      }
      const char e = raw[++i];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        default: {
          const uint32_t at = r.begin + static_cast<uint32_t>(i) - 1;
          diags_.report(DiagKind::InvalidEscape, {at, at + 2}, std::string(1, e));
          out.push_back(e);
        }
      }
    }
    return out;
  }

  double parse_num(antlr4::tree::TerminalNode* node) {
    if (!node || conjured(node->getSymbol())) return 0;
    std::string t = node->getText();
    bool percent = !t.empty() && t.back() == '%';
    if (percent) t.pop_back();
    double v = std::strtod(t.c_str(), nullptr);
    if (!std::isfinite(v)) {
      diags_.report(DiagKind::InvalidNumber, range(node), node->getText());
      return 0;
    }
    return percent ? v / 100.0 : v;
  }
  double number(P::SignedNumberContext* s) {
    if (!s) return 0;
    const double v = parse_num(s->NUM());
    return s->children.size() > 1 ? -v : v;
  }
  static bool is_percent(P::SignedNumberContext* s) {
    if (!s || !s->NUM()) return false;
    const std::string t = s->NUM()->getText();
    return !t.empty() && t.back() == '%';
  }

  void build_field(P::FieldDeclContext* fd, ast::Scorecard& card) {
    if (!valid_name(fd->name())) return;
    ast::Field f;
    f.name = name(fd->name());
    f.range = range(fd);
    auto* t = fd->typeRef();
    f.type_range = range(t);
    if (dynamic_cast<P::BoolTypeContext*>(t)) f.type = ast::FieldType::Bool;
    else if (dynamic_cast<P::TextTypeContext*>(t)) f.type = ast::FieldType::Text;
    else if (dynamic_cast<P::DateTypeContext*>(t)) f.type = ast::FieldType::Date;
    else if (auto* e = dynamic_cast<P::EnumTypeContext*>(t)) {
      f.type = ast::FieldType::Enum;
      bool spelled = false;
      for (auto* m : e->enumMember()) {
        // A keyword is a member name here; a conjured token (error recovery) is none.
        antlr4::Token* tok = m->name() ? (valid_name(m->name()) ? m->name()->getStart() : nullptr)
                                       : (m->keyword() && !conjured(m->keyword()->getStart()) ? m->keyword()->getStart()
                                                                                               : nullptr);
        if (!tok) continue;
        f.members.push_back(token_name(tok));
        ast::Name spelling;
        if (m->STRING() && !conjured(m->STRING()->getSymbol())) {
          spelling = {string_text(m->STRING()), range(m->STRING())};
          spelled = true;
        }
        f.spellings.push_back(std::move(spelling));
      }
      if (!spelled) f.spellings.clear();
    }
    for (auto* flag : fd->fieldFlag()) {
      const bool is_key = flag->KEY() != nullptr;
      bool& set = is_key ? f.key : f.optional;
      SourceRange& where = is_key ? f.key_range : f.optional_range;
      if (set) diags_.report(DiagKind::RepeatedFlag, range(flag), is_key ? "key" : "optional");
      set = true;
      where = range(flag);
    }
    card.fields.push_back(std::move(f));
  }

  void build_measure(P::MeasureDeclContext* m, ast::Scorecard& card) {
    if (!valid_name(m->name())) return;
    ast::Measure meas;
    meas.name = name(m->name());
    meas.title = string_text(m->STRING());
    meas.subjective = m->SUBJECTIVE() != nullptr;
    meas.range = range(m);
    if (auto* st = m->staleRule(); st && valid_name(st->field)) {
      if (!meas.subjective) {
        diags_.report(DiagKind::StaleNotSubjective, range(st));
        diags_.fixit(SourceRange{range(st).begin, range(st).begin}, "subjective ");
      }
      if (const std::optional<double> days = window_days(st->signedNumber(), st->unit)) {
        ast::StaleAfter rule;
        rule.days = *days;
        rule.days_range = {range(st->signedNumber()).begin, range(st->unit).end};
        rule.field = name(st->field);
        rule.range = range(st);
        meas.stale = std::move(rule);
      }
    }
    for (auto* item : m->measureItem()) {
      if (auto* v = dynamic_cast<P::ValueItemContext*>(item)) {
        if (meas.value) diags_.report(DiagKind::RepeatedMeasureItem, range(v), meas.name.text, "value");
        meas.value = expr(v->expr());
      } else if (auto* s = dynamic_cast<P::ScoreItemContext*>(item)) {
        if (meas.score) diags_.report(DiagKind::RepeatedMeasureItem, range(s), meas.name.text, "score");
        meas.score = scoring(s->scoring());
      } else if (auto* mi = dynamic_cast<P::MissingItemContext*>(item)) {
        if (meas.missing_range.end != 0)
          diags_.report(DiagKind::RepeatedMeasureItem, range(mi), meas.name.text, "missing");
        meas.missing_range = range(mi);
        auto* pol = mi->missingPolicy();
        if (pol && pol->signedNumber()) {
          meas.missing = ast::Measure::Missing::Score;
          meas.missing_score = number(pol->signedNumber());
          meas.missing_range = range(pol->signedNumber());
        } else {
          meas.missing = ast::Measure::Missing::Unscored;
        }
      }
    }
    card.measures.push_back(std::move(meas));
  }

  ast::Scoring scoring(P::ScoringContext* s) {
    ast::Scoring sc;
    sc.range = range(s);
    if (auto* l = dynamic_cast<P::LinearScoringContext*>(s)) {
      sc.kind = ast::Scoring::Linear;
      sc.subject = expr(l->expr());
      for (auto* pt : l->linearPoint())
        sc.points.push_back({number(pt->signedNumber(0)), number(pt->signedNumber(1)), range(pt)});
    } else if (auto* r = dynamic_cast<P::RangesScoringContext*>(s)) {
      sc.kind = ast::Scoring::Ranges;
      sc.subject = expr(r->expr());
      for (auto* arm : r->rangeArm()) {
        ast::RangeArm a;
        a.range = range(arm);
        if (arm->lo) a.lo = number(arm->lo);
        if (arm->hi) a.hi = number(arm->hi);
        auto nums = arm->signedNumber();
        if (!nums.empty() && nums.back() != arm->lo && nums.back() != arm->hi) a.score = number(nums.back());
        sc.ranges.push_back(a);
      }
    } else if (auto* m = dynamic_cast<P::MatchScoringContext*>(s)) {
      sc.kind = ast::Scoring::Match;
      sc.subject = expr(m->expr());
      for (auto* arm : m->matchArm()) {
        ast::MatchArm a;
        a.range = range(arm->pattern);
        a.score = number(arm->signedNumber());
        if (auto* pat = arm->pattern) {
          if (pat->name()) a.kind = ast::MatchArm::Name, a.text = name(pat->name()).text;
          else if (pat->STRING()) a.kind = ast::MatchArm::String, a.text = string_text(pat->STRING());
          else if (pat->TRUE()) a.kind = ast::MatchArm::True;
          else if (pat->FALSE()) a.kind = ast::MatchArm::False;
          else if (pat->signedNumber()) a.kind = ast::MatchArm::Number, a.text = pat->signedNumber()->getText();
          else a.kind = ast::MatchArm::Wildcard;
        }
        sc.arms.push_back(std::move(a));
      }
    } else if (auto* e = dynamic_cast<P::ExprScoringContext*>(s)) {
      sc.kind = ast::Scoring::Expr;
      sc.subject = expr(e->expr());
    } else {
      sc.subject = error_expr(sc.range);
    }
    if (!sc.subject) sc.subject = error_expr(sc.range);
    return sc;
  }

  void build_entry(P::ModelEntryContext* e, std::vector<ast::ModelEntry>& out) {
    ast::ModelEntry entry;
    entry.range = range(e);
    if (auto* g = dynamic_cast<P::GroupEntryContext*>(e)) {
      if (!valid_name(g->name())) return;
      entry.kind = ast::ModelEntry::Group;
      entry.name = name(g->name());
      entry.title = string_text(g->STRING());
      if (g->signedNumber()) {
        entry.weight = number(g->signedNumber());
        entry.weight_range = range(g->signedNumber());
      }
      for (auto* c : g->modelEntry()) build_entry(c, entry.children);
    } else if (auto* d = dynamic_cast<P::DropEntryContext*>(e)) {
      if (!valid_name(d->name())) return;
      entry.kind = ast::ModelEntry::Drop;
      entry.name = name(d->name());
    } else if (auto* m = dynamic_cast<P::MeasureEntryContext*>(e)) {
      if (!valid_name(m->name()) || !m->signedNumber()) return;
      entry.kind = ast::ModelEntry::Measure;
      entry.name = name(m->name());
      entry.weight = number(m->signedNumber());
      entry.weight_range = range(m->signedNumber());
    } else {
      return;
    }
    out.push_back(std::move(entry));
  }

  void build_override(P::OverrideDeclContext* o, ast::Scorecard& card) {
    auto names = o->name();
    if (names.empty() || !valid_name(names[0])) return;
    ast::Override ov;
    ov.name = name(names[0]);
    ov.title = string_text(o->STRING());
    for (size_t i = 1; i < names.size(); ++i)
      if (valid_name(names[i])) ov.segments.push_back(name(names[i]));
    ov.condition = expr(o->expr());
    ov.range = range(o);
    auto* a = o->action();
    if (auto* s = dynamic_cast<P::ScoreActionContext*>(a)) {
      ov.action = ast::ActionKind::Score, ov.amount = number(s->signedNumber()), ov.amount_range = range(s->signedNumber());
      ov.amount_percent = is_percent(s->signedNumber());
    } else if (auto* c = dynamic_cast<P::CapActionContext*>(a)) {
      ov.action = ast::ActionKind::Cap, ov.amount = number(c->signedNumber()), ov.amount_range = range(c->signedNumber());
      ov.amount_percent = is_percent(c->signedNumber());
    } else if (auto* f = dynamic_cast<P::FloorActionContext*>(a)) {
      ov.action = ast::ActionKind::Floor, ov.amount = number(f->signedNumber()), ov.amount_range = range(f->signedNumber());
      ov.amount_percent = is_percent(f->signedNumber());
    } else if (auto* b = dynamic_cast<P::BandActionContext*>(a)) {
      ov.action = ast::ActionKind::Band;
      ov.band = name(b->name());
    } else {
      return;  // the parser already reported the broken action
    }
    card.overrides.push_back(std::move(ov));
  }

  void build_alert(P::AlertDeclContext* a, ast::Scorecard& card) {
    auto names = a->name();
    if (names.empty() || !valid_name(names[0])) return;
    ast::Alert al;
    al.name = name(names[0]);
    al.title = string_text(a->STRING());
    for (size_t i = 1; i < names.size(); ++i)
      if (names[i] != a->level && valid_name(names[i])) al.segments.push_back(name(names[i]));
    al.condition = expr(a->expr());
    if (a->level) al.severity = name(a->level);
    al.range = range(a);
    card.alerts.push_back(std::move(al));
  }

  void build_rollup(P::RollupDeclContext* r, ast::Scorecard& card) {
    if (!valid_name(r->name(0))) return;
    ast::Rollup rollup;
    rollup.name = name(r->name(0));
    rollup.title = string_text(r->STRING());
    for (P::NameContext* f : r->by)
      if (valid_name(f)) rollup.by.push_back(name(f));
    if (P::WeightNameContext* w = r->weight; w && w->children.size() == 1 && !conjured(w->getStart())) {
      antlr4::Token* t = w->getStart();
      rollup.weight = ast::Name{t->getText(), {map_.byte(t->getStartIndex()), map_.byte(t->getStopIndex() + 1)}};
    } else if (r->WEIGHT()) {
      diags_.report(DiagKind::SyntaxError, range(r->WEIGHT()), "`weight` needs a number field: `weight arr`");
    }
    rollup.range = range(r);
    card.rollups.push_back(std::move(rollup));
  }

  ast::ExprPtr error_expr(SourceRange r) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = ast::ExprKind::Error;
    e->range = r;
    return e;
  }
  ast::ExprPtr make(ast::ExprKind kind, antlr4::ParserRuleContext* ctx) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = kind;
    e->range = range(ctx);
    return e;
  }
  ast::ExprPtr binary(ast::BinOp op, antlr4::ParserRuleContext* ctx, P::ExprContext* a, P::ExprContext* b) {
    auto e = make(ast::ExprKind::Binary, ctx);
    e->op = op;
    e->args.push_back(expr(a));
    e->args.push_back(expr(b));
    return e;
  }

  ast::ExprPtr expr(P::ExprContext* ctx) {
    if (!ctx) return error_expr({});
    using K = ast::ExprKind;
    if (auto* c = dynamic_cast<P::PrimaryExprContext*>(ctx)) return primary(c->primary(), ctx);
    if (auto* c = dynamic_cast<P::NegExprContext*>(ctx)) {
      auto e = make(K::Neg, ctx);
      e->args.push_back(expr(c->expr()));
      return e;
    }
    if (auto* c = dynamic_cast<P::NotExprContext*>(ctx)) {
      auto e = make(K::Not, ctx);
      e->args.push_back(expr(c->expr()));
      return e;
    }
    if (auto* c = dynamic_cast<P::MulExprContext*>(ctx))
      return binary(c->op && c->op->getText() == "/" ? ast::BinOp::Div : ast::BinOp::Mul, ctx, c->expr(0), c->expr(1));
    if (auto* c = dynamic_cast<P::AddExprContext*>(ctx))
      return binary(c->op && c->op->getText() == "-" ? ast::BinOp::Sub : ast::BinOp::Add, ctx, c->expr(0), c->expr(1));
    if (auto* c = dynamic_cast<P::CompareExprContext*>(ctx)) {
      const std::string op = c->op ? c->op->getText() : "==";
      ast::BinOp b = op == "==" ? ast::BinOp::Eq : op == "!=" ? ast::BinOp::Ne : op == "<" ? ast::BinOp::Lt
                   : op == "<=" ? ast::BinOp::Le : op == ">" ? ast::BinOp::Gt : ast::BinOp::Ge;
      return binary(b, ctx, c->expr(0), c->expr(1));
    }
    if (auto* c = dynamic_cast<P::AndExprContext*>(ctx)) return binary(ast::BinOp::And, ctx, c->expr(0), c->expr(1));
    if (auto* c = dynamic_cast<P::OrExprContext*>(ctx)) return binary(ast::BinOp::Or, ctx, c->expr(0), c->expr(1));
    if (auto* c = dynamic_cast<P::InExprContext*>(ctx)) {
      auto e = make(K::In, ctx);
      e->negated = c->NOT() != nullptr;
      for (auto* x : c->expr()) e->args.push_back(expr(x));
      if (e->args.empty()) e->args.push_back(error_expr(e->range));
      return e;
    }
    if (auto* c = dynamic_cast<P::IsMissingExprContext*>(ctx)) {
      auto e = make(K::IsMissing, ctx);
      e->negated = c->NOT() != nullptr;
      e->args.push_back(expr(c->expr()));
      return e;
    }
    if (auto* c = dynamic_cast<P::IfExprContext*>(ctx)) {
      auto e = make(K::If, ctx);
      for (size_t i = 0; i < 3; ++i) e->args.push_back(expr(c->expr(i)));
      return e;
    }
    return error_expr(range(ctx));
  }

  ast::ExprPtr primary(P::PrimaryContext* p, P::ExprContext* outer) {
    using K = ast::ExprKind;
    if (!p) return error_expr(range(outer));
    if (auto* c = dynamic_cast<P::NumberLitContext*>(p)) {
      auto e = make(K::Number, p);
      e->number = parse_num(c->NUM());
      return e;
    }
    if (auto* c = dynamic_cast<P::StringLitContext*>(p)) {
      auto e = make(K::String, p);
      e->text = string_text(c->STRING());
      return e;
    }
    if (dynamic_cast<P::TrueLitContext*>(p)) {
      auto e = make(K::Bool, p);
      e->number = 1;
      return e;
    }
    if (dynamic_cast<P::FalseLitContext*>(p)) return make(K::Bool, p);
    if (auto* c = dynamic_cast<P::WindowCallContext*>(p)) {
      if (!valid_name(c->name(0))) return error_expr(range(p));
      const ast::Name fn = name(c->name(0));
      if (fn.text != "change") {
        diags_.report(DiagKind::WindowOutsideChange, fn.range, fn.text);
        return error_expr(range(p));
      }
      const std::optional<double> days = window_days(c->signedNumber(), c->unit);
      if (!days) return error_expr(range(p));
      auto e = make(K::Change, p);
      e->number = *days;
      e->name_range = fn.range;
      e->window_range = {range(c->signedNumber()).begin, range(c->unit).end};
      e->args.push_back(expr(c->expr()));
      return e;
    }
    if (auto* c = dynamic_cast<P::PastRefContext*>(p)) {
      if (!valid_name(c->name()) || !c->member) return error_expr(range(p));
      const ast::Name q = name(c->name());
      if (q.text != "previous") {
        diags_.report(DiagKind::DottedName, range(p), q.text + "." + c->member->getText());
        return error_expr(range(p));
      }
      auto e = make(K::Previous, p);
      const size_t t = c->member->getType();
      e->past = t == L::BAND ? ast::PastKind::Band : t == L::LABEL ? ast::PastKind::Label
              : t == L::SEGMENT ? ast::PastKind::Segment : ast::PastKind::Override;
      e->name_range = {map_.byte(c->member->getStartIndex()), map_.byte(c->member->getStopIndex() + 1)};
      return e;
    }
    if (auto* c = dynamic_cast<P::PastNameRefContext*>(p)) {
      if (!valid_name(c->name(0)) || !valid_name(c->name(1))) return error_expr(range(p));
      const ast::Name q = name(c->name(0));
      const ast::Name m = name(c->name(1));
      if (q.text != "previous") {
        diags_.report(DiagKind::DottedName, range(p), c->getText());
        return error_expr(range(p));
      }
      auto e = make(K::Previous, p);
      e->text = m.text;
      e->name_range = m.range;
      // No `.score`/`.value`: the checker says what is wrong (a bare measure, an unknown name).
      e->past = c->SCORE() ? ast::PastKind::MeasureScore : c->VALUE() ? ast::PastKind::MeasureValue : ast::PastKind::Unknown;
      return e;
    }
    if (auto* c = dynamic_cast<P::CallExprContext*>(p)) {
      if (!valid_name(c->name())) return error_expr(range(p));
      auto e = make(K::Call, p);
      e->text = name(c->name()).text;
      e->name_range = range(c->name());
      for (auto* a : c->expr()) e->args.push_back(expr(a));
      return e;
    }
    if (auto* c = dynamic_cast<P::MeasureRefContext*>(p)) {
      if (!valid_name(c->name())) return error_expr(range(p));
      auto e = make(K::MeasureRef, p);
      e->text = name(c->name()).text;
      e->name_range = range(c->name());
      e->member_is_score = c->SCORE() != nullptr;
      return e;
    }
    if (auto* c = dynamic_cast<P::NameRefContext*>(p)) {
      if (!valid_name(c->name())) return error_expr(range(p));
      auto e = make(K::NameRef, p);
      e->text = name(c->name()).text;
      return e;
    }
    if (dynamic_cast<P::ValueRefContext*>(p)) return make(K::ValueRef, p);
    if (dynamic_cast<P::ScoreRefContext*>(p)) return make(K::ScoreRef, p);
    if (dynamic_cast<P::BandRefContext*>(p)) return make(K::BandRef, p);
    if (dynamic_cast<P::SegmentRefContext*>(p)) return make(K::SegmentRef, p);
    if (dynamic_cast<P::LabelRefContext*>(p)) return make(K::LabelRef, p);
    if (dynamic_cast<P::UnscoredRefContext*>(p)) {  // `band == unscored`: a band member
      auto e = make(K::NameRef, p);
      e->text = "unscored";
      return e;
    }
    if (auto* c = dynamic_cast<P::ParenExprContext*>(p)) {
      auto e = expr(c->expr());
      e->range = range(p);
      return e;
    }
    return error_expr(range(p));
  }

  const OffsetMap& map_;
  DiagnosticList& diags_;
};

}  // namespace

std::string parser_identity() { return {}; }

ParseResult parse(const SourceFile& file, DiagnosticList& diags) {
  ParseResult result;
  const size_t before = diags.items().size();
  const std::string text = sanitize_utf8(file.text(), diags);
  const OffsetMap map(text);
  try {
    antlr4::ANTLRInputStream input(text);
    L lexer(&input);
    lexer.removeErrorListeners();
    antlr4::CommonTokenStream tokens(&lexer);
    tokens.fill();
    repair_slips(tokens, map, diags, lexer.getVocabulary());
    if (!screen_tokens(tokens, map, text, diags)) {
      result.skipped = true;
      result.syntax_ok = false;
      return result;
    }
    tokens.seek(0);  // the stream chose its first token before screening hid any
    P parser(&tokens);
    parser.removeErrorListeners();
    ErrorCollector collector(diags, map, tokens, result.broken);
    for (size_t i = before; i < diags.items().size(); ++i)
      switch (diags.items()[i].kind) {
        case DiagKind::InvalidCharacter: case DiagKind::UnterminatedString: case DiagKind::UnterminatedQuotedName:
        case DiagKind::EmptyQuotedName: case DiagKind::BadQuotedName: case DiagKind::InvalidUtf8:
          collector.lexical_error(diags.items()[i].range.begin);
          break;
        default: break;
      }
    parser.addErrorListener(&collector);
    P::FileContext* tree = parser.file();
    AstBuilder builder(map, diags);
    builder.build_file(tree, result.card);
  } catch (const std::exception& e) {
    // The runtime should not throw on any input; if it does, it is reported, never a crash.
    diags.report(DiagKind::SyntaxError, SourceRange{}, std::string("internal parser failure: ") + e.what());
  }
  result.syntax_ok = diags.items().size() == before ||
                     std::none_of(diags.items().begin() + static_cast<long>(before), diags.items().end(),
                                  [](const Diagnostic& d) { return d.severity == Severity::Error; });
  return result;
}

std::string written_name(const std::string& name) {
  // The keywords are the lexer's literal tokens that are words; v2's soft keywords are names.
  static const std::unordered_set<std::string> keywords = [] {
    std::unordered_set<std::string> out;
    antlr4::ANTLRInputStream empty("");
    L lexer(&empty);
    const antlr4::dfa::Vocabulary& v = lexer.getVocabulary();
    for (size_t t = 1; t <= v.getMaxTokenType(); ++t) {
      std::string lit = v.getLiteralName(t);
      if (lit.size() < 3 || lit.front() != '\'' || !std::isalpha(static_cast<unsigned char>(lit[1]))) continue;
      out.insert(lit.substr(1, lit.size() - 2));
    }
    for (const char* soft : {"alert", "severity", "stale", "after", "of"}) out.erase(soft);
    return out;
  }();
  return keywords.count(name) ? "`" + name + "`" : name;
}

}  // namespace healthc::syntax
