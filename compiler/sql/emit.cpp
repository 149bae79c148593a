// IR -> one SQL query. Every IR instruction becomes a SQL expression with NULL for "missing"
// (values are doubles: bools 0/1, enums member indexes, dates day numbers, as in the IR).
// An instruction used more than once, or named by the card (a measure's value, score and
// weight, a condition, a result), becomes a column; the rest are written inline. Columns are
// computed in CTEs, one a stage of the IR (inputs, measures, account, detail, overrides,
// labels), split into layers where a column reads another of the same stage (SQL cannot read
// a column in the SELECT that defines it); then the reasons and the output columns.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "compiler/ir/conventions.h"
#include "compiler/ir/ops.h"
#include "compiler/sql/dialect.h"
#include "compiler/sql/past.h"
#include "compiler/sql/sql.h"

namespace healthc::sql {
namespace {

using ir::Inst;
using ir::Op;

// Placeholders for operands in an instruction's template, replaced once operands are known.
constexpr std::string_view kA = "\x01" "a", kB = "\x01" "b", kC = "\x01" "c";
// An operand as a condition: a comparison written in place (`x < 3`), else `x <> 0`.
constexpr std::string_view kAc = "\x02" "a", kBc = "\x02" "b";

class Emitter {
 public:
  Emitter(const ir::Program& p, const Options& o) : p_(p), o_(o), sp_(o.dialect) {}

  Result run() {
    Result r;
    check_supported(r);
    if (!r.unsupported.empty()) return r;
    name_instructions();
    fold_constants();
    mark_needed();
    assign_layers();
    r.sql = query();
    return r;
  }

 private:
  // ---- what SQL cannot compute yet ----
  void check_supported(Result& r) const {
    // v2's past (`previous`, `change`) and alerts read earlier snapshots: with a history table
    // (--history) they are joins on it (past.h); without one, report each declaration that
    // reads the past.
    if (!o_.history.empty()) return;
    auto reads_history = [&](uint32_t begin, uint32_t end) {
      for (uint32_t i = begin; i < end && i < p_.code.size(); ++i)
        if (p_.code[i].op == Op::History) return true;
      return false;
    };
    uint32_t from = p_.measures_block.begin;
    std::vector<std::pair<uint32_t, size_t>> measure_ends;
    for (size_t m = 0; m < p_.measures.size(); ++m) measure_ends.emplace_back(p_.measures[m].score, m);
    std::sort(measure_ends.begin(), measure_ends.end());
    for (auto [end, m] : measure_ends) {
      if (reads_history(from, end + 1))
        r.unsupported.push_back({DiagKind::SqlNeedsStore, "measure", p_.measures[m].name, {"measure", p_.measures[m].name}});
      from = std::max(from, end + 1);
    }
    auto conditions = [&](auto& items, const char* kind, uint32_t block_begin) {
      uint32_t start = block_begin;
      for (const auto& item : items) {
        if (item.condition == ir::kNone) continue;
        if (reads_history(start, item.condition + 1))
          r.unsupported.push_back({DiagKind::SqlNeedsStore, kind, item.name, {kind, item.name}});
        start = item.condition + 1;
      }
    };
    conditions(p_.overrides, "override", p_.overrides_block.begin);
    conditions(p_.labels, "label", p_.labels_block.begin);
    for (const ir::Alert& a : p_.alerts)
      r.unsupported.push_back({DiagKind::SqlAlertUnsupported, "alert", a.name, {a.name}});
  }

  // ---- column names and comments for the instructions the card names ----
  void name(uint32_t i, std::string col, std::string comment) {
    if (i == ir::kNone || names_.count(i)) return;
    names_[i] = {std::move(col), std::move(comment)};
  }
  void name_instructions() {
    const ir::Results& res = p_.results;
    for (const ir::Measure& m : p_.measures) {
      const std::string t = m.title.empty() ? "" : fmt::format(" \"{}\"", m.title);
      name(m.value, "m_" + m.name + "__value", fmt::format("measure {}{}: value", m.name, t));
      name(m.score, "m_" + m.name + "__score", fmt::format("measure {}{}: score", m.name, t));
      name(m.weight, "m_" + m.name + "__weight", fmt::format("measure {}: effective weight in the account's model", m.name));
    }
    for (const ir::StaleRule& s : p_.stale_rules)
      name(s.stale, "m_" + p_.measures[s.measure].name + "__stale",
           fmt::format("measure {}: stale after {} days", p_.measures[s.measure].name, s.days));
    for (const ir::Segment& s : p_.segments) name(s.condition, "segment_" + s.name + "__when", "segment " + s.name + ": when");
    for (const ir::Override& o : p_.overrides) name(o.condition, "override_" + o.name + "__when", "override " + o.name + ": when");
    for (const ir::Label& l : p_.labels) name(l.condition, "label_" + l.name + "__when", "label " + l.name + ": when");
    for (const ir::Alert& a : p_.alerts)
      name(a.condition, "alert_" + a.name + "__when", "alert " + a.name + ": active (its `for` list and condition hold)");
    name(res.segment, "r_segment", "the segment: the first whose condition holds (the count: default)");
    name(res.weighted_score, "r_weighted_score", "the weighted score, floor(raw + 0.5 + 1e-9), before overrides");
    name(res.score, "r_score", "the final score, after the first override that applies");
    name(res.band, "r_band", "the band of the final score (the count: unscored)");
    name(res.label, "r_label", "the label: the first whose condition holds (-1: none)");
    name(res.override_, "r_override", "the override that applied (-1: none)");
  }

  // Arithmetic on constants (params, a linear form's slopes) is done here, with the double
  // operations the engines perform, so the SQL shows `181.0` rather than `180.0 + 1.0` (and
  // ClickHouse 18.16 fails on some functions of Nullable constants).
  void fold_constants() {
    folded_.assign(p_.code.size(), std::nullopt);
    for (size_t k = 0; k < p_.code.size(); ++k) {
      const Inst& in = p_.code[k];
      auto c = [&](uint32_t i) -> std::optional<double> {
        if (i >= p_.code.size()) return std::nullopt;
        if (p_.code[i].op == Op::Const) return p_.code[i].imm;
        return folded_[i];
      };
      std::optional<double> a = c(in.a), b = ir::op_arity(in.op) > 1 ? c(in.b) : std::nullopt, r;
      if (!a || (ir::op_arity(in.op) > 1 && !b)) continue;
      switch (in.op) {
        case Op::Neg: r = -*a; break;
        case Op::Abs: r = std::fabs(*a); break;
        case Op::Add: r = *a + *b; break;
        case Op::Sub: r = *a - *b; break;
        case Op::Mul: r = *a * *b; break;
        case Op::Div: if (*b != 0) r = *a / *b; break;
        case Op::Min: r = *a < *b ? *a : *b; break;
        case Op::Max: r = *a > *b ? *a : *b; break;
        default: break;
      }
      if (r && std::isfinite(*r)) folded_[k] = r;
    }
  }

  std::vector<uint32_t> operands(const Inst& in) const {
    std::vector<uint32_t> out;
    const int n = ir::op_arity(in.op);
    const uint32_t ops[] = {in.a, in.b, in.c};
    for (int k = 0; k < n; ++k) out.push_back(ops[k]);
    return out;
  }

  // ---- which instructions are needed, and which become columns ----
  void mark_needed() {
    const size_t n = p_.code.size();
    uses_.assign(n, 0);
    needed_.assign(n, false);
    std::vector<uint32_t> roots;
    const ir::Results& res = p_.results;
    for (uint32_t i : {res.segment, res.score, res.band, res.label, res.override_}) roots.push_back(i);
    for (const ir::Measure& m : p_.measures)
      for (uint32_t i : {m.value, m.score, m.weight}) roots.push_back(i);
    for (const ir::StaleRule& s : p_.stale_rules) roots.push_back(s.stale);
    for (const ir::Alert& a : p_.alerts) roots.push_back(a.condition);
    for (uint32_t r : roots)
      if (r != ir::kNone) needed_[r] = true, ++uses_[r];
    // Code is in SSA order: a consumer comes after its operands.
    for (size_t k = n; k-- > 0;) {
      if (!needed_[k]) continue;
      const std::string t = body(static_cast<uint32_t>(k));
      const std::vector<uint32_t> ops = operands(p_.code[k]);
      const std::string_view marks[] = {kA, kB, kC}, cond_marks[] = {kAc, kBc, kC};
      for (size_t j = 0; j < ops.size(); ++j) {
        if (ops[j] == ir::kNone) continue;
        size_t count = 0;
        for (std::string_view m : {marks[j], cond_marks[j]})
          if (j < 2 || m == marks[j])
            for (size_t at = t.find(m); at != std::string::npos; at = t.find(m, at + 1)) ++count;
        if (count == 0) continue;
        needed_[ops[j]] = true;
        uses_[ops[j]] += static_cast<int>(count);
      }
    }
    column_.assign(n, false);
    for (size_t k = 0; k < n; ++k) {
      if (!needed_[k]) continue;
      const Op op = p_.code[k].op;
      const bool trivial =
          op == Op::Const || op == Op::Missing || op == Op::Load || op == Op::AsOf || op == Op::History || folded_[k];
      column_[k] = names_.count(static_cast<uint32_t>(k)) || (!trivial && uses_[k] > 1);
      if (column_[k] && !names_.count(static_cast<uint32_t>(k))) names_[static_cast<uint32_t>(k)] = {fmt::format("t{}", k), ""};
    }
  }

  int stage_of(uint32_t i) const {
    const ir::Block blocks[] = {p_.measures_block, p_.account_block, p_.detail_block, p_.overrides_block,
                                p_.labels_block,   p_.alerts_block};
    for (int s = 0; s < 6; ++s)
      if (i >= blocks[s].begin && i < blocks[s].end) return s;
    return 0;
  }

  // A column's layer within its stage: one more than the deepest column of the same stage it
  // reads (through inline expressions).
  void assign_layers() {
    const size_t n = p_.code.size();
    reach_.assign(n, 0);
    layer_.assign(n, 0);
    for (size_t k = 0; k < n; ++k) {
      if (!needed_[k]) continue;
      int deepest = 0;
      for (uint32_t j : operands(p_.code[k]))
        if (j != ir::kNone && needed_[j] && stage_of(j) == stage_of(static_cast<uint32_t>(k)))
          deepest = std::max(deepest, column_[j] ? layer_[j] : reach_[j]);
      if (column_[k]) layer_[k] = deepest + 1;
      reach_[k] = deepest;
    }
  }

  // ---- the SQL of one instruction ----
  std::string num(double v) const { return sp_.number(v); }
  std::string field(int32_t f) const { return "f_" + p_.fields[f].name; }
  static std::string truthy(std::string_view x) { return fmt::format("{} <> 0", x); }

  // A bool-valued instruction as a SQL condition (NULL: unknown), operands as placeholders;
  // none for the others.
  std::optional<std::string> condition(uint32_t i) const {
    const Inst& in = p_.code[i];
    if (folded_[i]) return std::nullopt;
    const std::string a(kA), b(kB);
    switch (in.op) {
      case Op::Eq: return fmt::format("{} = {}", a, b);
      case Op::Ne: return fmt::format("{} <> {}", a, b);
      case Op::Lt: return fmt::format("{} < {}", a, b);
      case Op::Le: return fmt::format("{} <= {}", a, b);
      case Op::Gt: return fmt::format("{} > {}", a, b);
      case Op::Ge: return fmt::format("{} >= {}", a, b);
      case Op::TextEq: return fmt::format("{} = {}", field(in.a), in.aux ? sp_.string(p_.strings[in.b]) : field(in.b));
      case Op::Not: return fmt::format("{} = 0", a);
      // SQL's AND and OR are Kleene's; ClickHouse 18.16's AND gives NULL for NULL AND false.
      case Op::And:
        if (o_.dialect == Dialect::ClickHouse) return std::nullopt;
        return fmt::format("({}) AND ({})", kAc, kBc);
      case Op::Or:
        if (o_.dialect == Dialect::ClickHouse) return std::nullopt;
        return fmt::format("({}) OR ({})", kAc, kBc);
      default: return std::nullopt;
    }
  }

  // The instruction's expression with its operands as placeholders.
  std::string body(uint32_t i) const {
    const Inst& in = p_.code[i];
    if (folded_[i]) return num(*folded_[i]);
    const std::string a(kA), b(kB), c(kC);
    if (std::optional<std::string> cond = condition(i)) return sp_.bool_to_number(*cond);
    switch (in.op) {
      case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::TextEq: case Op::Not:
        break;  // conditions, written by condition()
      case Op::Const: return num(in.imm);
      case Op::Missing: return sp_.null_number();
      case Op::Load: {
        const ir::Field& f = p_.fields[in.a];
        if (f.type == ir::FieldType::Text)
          return fmt::format("CASE WHEN {} IS NULL THEN {} ELSE {} END", field(in.a), sp_.null_number(), num(0));
        return field(in.a);
      }
      case Op::AsOf: return sp_.as_of_days(o_.as_of_days);
      case Op::Neg: return fmt::format("(-{})", a);
      case Op::Add: return sp_.arith('+', a, b);
      case Op::Sub: return sp_.arith('-', a, b);
      case Op::Mul: return sp_.arith('*', a, b);
      case Op::Div: return sp_.arith('/', a, b);
      case Op::Min: return fmt::format("CASE WHEN {0} < {1} THEN {0} WHEN {0} >= {1} THEN {1} END", a, b);
      case Op::Max: return fmt::format("CASE WHEN {0} > {1} THEN {0} WHEN {0} <= {1} THEN {1} END", a, b);
      case Op::Abs: return fmt::format("abs({})", a);
      case Op::Round:  // half away from zero, as std::round (the fraction is exact in doubles)
        return fmt::format("CASE WHEN {0} < 0 THEN -({1}) ELSE {1} END", a,
                           fmt::format("CASE WHEN abs({0}) - floor(abs({0})) >= 0.5 THEN ceil(abs({0})) ELSE floor(abs({0})) END", a));
      case Op::Log: return fmt::format("CASE WHEN {} > 0 THEN {} END", a, sp_.ln(a));
      case Op::Sqrt: return fmt::format("CASE WHEN {0} >= 0 THEN sqrt({0}) END", a);
      case Op::PctChange: return sp_.arith('/', sp_.arith('-', a, b), b);
      case Op::Clamp:
        return fmt::format("CASE WHEN {0} IS NULL OR {1} IS NULL OR {2} IS NULL THEN {3} "
                           "WHEN {0} < {1} THEN (CASE WHEN {1} > {2} THEN {2} ELSE {1} END) "
                           "WHEN {0} > {2} THEN {2} ELSE {0} END",
                           a, b, c, sp_.null_number());
      case Op::Coalesce: return fmt::format("COALESCE({}, {})", a, b);
      case Op::And:  // ClickHouse 18.16 (condition() has the others)
          return fmt::format("CASE WHEN {0} = 0 THEN {2} WHEN {1} = 0 THEN {2} WHEN {0} IS NULL OR {1} IS NULL THEN {3} ELSE {4} END",
                             a, b, num(0), sp_.null_number(), num(1));
      case Op::Or:
          return fmt::format("CASE WHEN {0} <> 0 THEN {2} WHEN {1} <> 0 THEN {2} WHEN {0} IS NULL OR {1} IS NULL THEN {3} ELSE {4} END",
                             a, b, num(1), sp_.null_number(), num(0));
      case Op::IsMissing: return fmt::format("CASE WHEN {} IS NULL THEN {} ELSE {} END", a, num(1), num(0));
      case Op::Select: return fmt::format("CASE WHEN {} THEN {} ELSE {} END", kAc, b, c);
      case Op::Guard: return fmt::format("CASE WHEN {} IS NOT NULL THEN {} END", a, b);
      case Op::ClampScore:
        return fmt::format("CASE WHEN {0} < 0 THEN {1} WHEN {0} > 100 THEN {2} ELSE {0} END", a, num(0), num(100));
      case Op::OrElse: return fmt::format("COALESCE({}, {})", a, num(in.imm));
      case Op::WeightedSum: return fmt::format("({} + COALESCE({} * {}, {}))", a, num(in.imm), b, num(0));
      case Op::WeightSum: return fmt::format("({} + CASE WHEN {} IS NOT NULL THEN {} ELSE {} END)", a, b, num(in.imm), num(0));
      case Op::Mean: return fmt::format("CASE WHEN {1} > 0 THEN {2} END", a, b, sp_.finite(fmt::format("({} / {})", a, b)));
      case Op::EffectiveWeight:
        return fmt::format("CASE WHEN {} IS NOT NULL THEN ({} * {}) / NULLIF({}, 0) END", c, a, num(in.imm), b);
      case Op::RoundScore: {
        return fmt::format("CASE WHEN {0} >= 0 AND {0} <= 100 THEN {0} END", fmt::format("floor(({} + {}) + {})", a, num(0.5), num(1e-9)));
      }
      case Op::BandOf: {
        std::string out = fmt::format("CASE WHEN {} IS NULL THEN {}", a, num(static_cast<double>(p_.bands.size())));
        for (size_t k = p_.bands.size(); k-- > 1;)
          out += fmt::format(" WHEN {} >= {} THEN {}", a, num(p_.bands[k].from), num(static_cast<double>(k)));
        return out + " ELSE " + num(0) + " END";
      }
      case Op::History: return history_column(p_, in.a);  // a column of the past's joins
    }
    return sp_.null_number();
  }

  // The expression reading instruction `i` from a later instruction.
  std::string ref(uint32_t i) const {
    if (i == ir::kNone) return sp_.null_number();
    if (column_[i]) return names_.at(i).first;
    return expand(i);
  }
  std::string expand(uint32_t i) const { return expand(body(i), operands(p_.code[i])); }
  std::string expand(std::string t, const std::vector<uint32_t>& ops) const {
    const std::string_view marks[] = {kA, kB, kC}, cond_marks[] = {kAc, kBc, kC};
    for (size_t j = 0; j < ops.size(); ++j) {
      for (bool as_cond : {false, true}) {
        const std::string_view m = as_cond ? cond_marks[j] : marks[j];
        if ((as_cond && j >= 2) || t.find(m) == std::string::npos) continue;
        const std::string r = as_cond ? cond_ref(ops[j]) : ref(ops[j]);
        for (size_t at = t.find(m); at != std::string::npos; at = t.find(m, at + r.size())) t.replace(at, m.size(), r);
      }
    }
    return t;
  }
  // Instruction `i` read as a condition: its comparison in place where it is not a column.
  std::string cond_ref(uint32_t i) const {
    if (i == ir::kNone || column_[i]) return truthy(ref(i));
    std::optional<std::string> c = condition(i);
    return c ? expand(*c, operands(p_.code[i])) : truthy(ref(i));
  }

  // ---- the query ----
  // A stage of the query: `SELECT ...` reading the stage before it (or `from`).
  struct Stage {
    std::string name, comment, select, where;
    std::string from;
    // A join on the history table (past.h): the stage is the one before it, LEFT JOINed with
    // `join`'s subquery on the key, `select` unused.
    std::optional<PastJoin> join = std::nullopt;
  };

  // The SELECT of a join stage over `before` (a CTE's name or, for ClickHouse, a subquery).
  std::string join_select(const PastJoin& j, const std::string& before, const std::string& before_name) const {
    if (o_.dialect == Dialect::ClickHouse)  // 18.16 joins with USING only, one join a SELECT
      return fmt::format("SELECT *\nFROM {} AS {}\nANY LEFT JOIN (\n{}\n) USING {}", before, before_name,
                         indent(j.subquery, 2), j.key_column);
    std::string out = "SELECT\n  " + before_name + ".*";
    for (const std::string& c : j.columns) out += ",\n  p." + c;
    return out + fmt::format("\nFROM {}\nLEFT JOIN (\n{}\n) AS p ON p.{} = {}.{}", before, indent(j.subquery, 2),
                             j.key_column, before_name, field(p_.key_field));
  }

  Stage inputs_cte() const {
    std::vector<std::string> cols, checks;
    for (size_t f = 0; f < p_.fields.size(); ++f) {
      const ir::Field& fd = p_.fields[f];
      const std::string src = sp_.identifier(fd.name);
      std::string e;
      switch (fd.type) {
        case ir::FieldType::Number: e = sp_.to_double(src); break;
        case ir::FieldType::Bool: e = sp_.bool_to_number(src); break;
        case ir::FieldType::Date: e = sp_.date_days(src); break;
        case ir::FieldType::Text: e = fmt::format("NULLIF({}, '')", src); break;
        case ir::FieldType::Enum: {
          // As `healthc score` reads a cell: a member spelled `= "text"` exactly, the others
          // with surrounding spaces trimmed.
          e = "CASE";
          std::string members;
          for (size_t m = 0; m < fd.members.size(); ++m) {
            const bool exact = m < fd.spellings.size() && fd.spellings[m] != fd.members[m];
            const std::string cell = exact ? src : sp_.trim(src);
            const std::string lit = sp_.string(ir::member_spelling(fd, m));
            e += fmt::format(" WHEN {} = {} THEN {}", cell, lit, num(static_cast<double>(m)));
            members += fmt::format("{}{} = {}", m ? " OR " : "", cell, lit);
          }
          e += " END";
          // A cell that is not a member is a rejected row in `healthc score`: left out here.
          checks.push_back(fmt::format("(NULLIF({}, '') IS NULL OR {})", src, members));
          break;
        }
      }
      cols.push_back(fmt::format("{} AS {}", e, field(static_cast<int32_t>(f))));
      const bool may_be_empty = fd.type == ir::FieldType::Text || fd.type == ir::FieldType::Enum;
      if (!fd.optional || static_cast<int32_t>(f) == p_.key_field)
        checks.push_back(may_be_empty ? fmt::format("NULLIF({}, '') IS NOT NULL", src) : src + " IS NOT NULL");
    }
    Stage st{"inputs",
             "the fields, typed as the IR reads them: numbers, bools 0/1, enum members by index,\n"
             "-- dates as day numbers; rows `healthc score` would reject (an empty required cell,\n"
             "-- an enum cell that is no member) are left out",
             "SELECT\n", "", ""};
    for (size_t i = 0; i < cols.size(); ++i) st.select += "  " + cols[i] + (i + 1 < cols.size() ? ",\n" : "\n");
    st.from = o_.table;
    for (size_t i = 0; i < checks.size(); ++i) st.where += (i ? "\n  AND " : "\nWHERE ") + checks[i];
    return st;
  }

  std::string query() const {
    static const char* const kStage[] = {"measures", "account", "detail", "overrides", "labels", "alerts"};
    static const char* const kWhat[] = {
        "every measure's value and score (a score clamped to 0..100, its missing policy applied), segment conditions",
        "the segment and its model; weighted means, each unscored child's weight shared among its scored siblings",
        "each measure's effective weight in the account's model (the product of normalised weights on its path)",
        "override conditions and the first that applies; the final band",
        "label conditions and the first that holds",
        "alerts"};
    std::vector<Stage> stages = {inputs_cte()};
    for (PastJoin& j : past_joins(p_, o_, sp_)) {
      Stage st{j.name, j.comment, "", "", ""};
      st.join = std::move(j);
      stages.push_back(std::move(st));
    }
    for (int s = 0; s < 6; ++s) {
      int layers = 0;
      for (size_t k = 0; k < p_.code.size(); ++k)
        if (column_[k] && stage_of(static_cast<uint32_t>(k)) == s) layers = std::max(layers, layer_[k]);
      for (int l = 1; l <= layers; ++l) {
        Stage st{layers == 1 ? kStage[s] : fmt::format("{}_{}", kStage[s], l), l == 1 ? kWhat[s] : "", "SELECT\n  *", "", ""};
        std::string& out = st.select;
        for (size_t k = 0; k < p_.code.size(); ++k) {
          const uint32_t i = static_cast<uint32_t>(k);
          if (!column_[k] || stage_of(i) != s || layer_[k] != l) continue;
          const auto& [col, comment] = names_.at(i);
          out += ",\n";
          if (!comment.empty()) out += "  -- " + comment + "\n";
          out += "  " + expand(i) + " AS " + col;
        }
        out += "\n";
        stages.push_back(std::move(st));
      }
    }
    stages.push_back(points_cte());
    stages.push_back(rank_cte());
    Stage last = final_select();
    std::string out = fmt::format("-- {}: `healthc compile --emit sql --dialect {}`\n", p_.title, dialect_name(o_.dialect));
    if (o_.dialect == Dialect::ClickHouse) return out + nested(stages, last) + "\n";
    // One CTE a stage, each reading the one before.
    out += "WITH\n";
    for (size_t i = 0; i < stages.size(); ++i) {
      const Stage& st = stages[i];
      if (!st.comment.empty()) out += "-- " + st.comment + "\n";
      // PostgreSQL inlines a CTE read once, which substitutes every column's expression into
      // the next stage's, growing exponentially: each stage is computed once instead.
      const std::string body = st.join ? join_select(*st.join, stages[i - 1].name, stages[i - 1].name)
                                       : st.select + "FROM " + (i ? stages[i - 1].name : st.from) + st.where;
      out += st.name + (o_.dialect == Dialect::Postgres ? " AS MATERIALIZED (\n" : " AS (\n") + indent(body, 2) + "\n)" +
             (i + 1 < stages.size() ? ",\n" : "\n");
    }
    return out + "-- " + last.comment + "\n" + last.select + "FROM " + stages.back().name + "\n";
  }

  static std::string indent(const std::string& text, size_t by) {
    std::string out(by, ' ');
    for (char c : text) {
      out.push_back(c);
      if (c == '\n') out.append(by, ' ');
    }
    return out;
  }

  // ClickHouse 18.16 has no table CTEs: the same stages as subqueries, innermost first.
  std::string nested(const std::vector<Stage>& stages, const Stage& last) const {
    std::string inner;
    for (size_t i = 0; i < stages.size(); ++i) {
      const Stage& st = stages[i];
      std::string text = (st.comment.empty() ? "" : "-- " + st.comment + "\n");
      if (st.join) text += join_select(*st.join, "(\n" + indent(inner, 2) + "\n)", stages[i - 1].name);
      else text += st.select + "FROM " + (i ? "(\n" + indent(inner, 2) + "\n) AS " + stages[i - 1].name : st.from) + st.where;
      inner = text;
    }
    return "-- " + last.comment + "\n" + last.select + "FROM (\n" + indent(inner, 2) + "\n) AS " + stages.back().name;
  }

  std::string m(size_t k, const char* part) const { return "m_" + p_.measures[k].name + "__" + part; }
  std::string weight_ref(size_t k) const {
    return p_.measures[k].weight == ir::kNone ? sp_.null_number() : ref(p_.measures[k].weight);
  }

  Stage points_cte() const {
    Stage st{"points", "the points each measure costs: effective weight x (100 - score), where it costs any",
             "SELECT\n  *", "", ""};
    std::string& out = st.select;
    for (size_t k = 0; k < p_.measures.size(); ++k) {
      const std::string w = weight_ref(k), s = ref(p_.measures[k].score);
      const std::string pts = fmt::format("{} * ({} - {})", w, num(100), s);
      out += fmt::format(",\n  CASE WHEN {0} IS NOT NULL AND {1} IS NOT NULL AND {2} > 0 THEN {2} END AS {3}", w, s,
                         pts, m(k, "points"));
    }
    out += "\n";
    return st;
  }

  // A measure's place among the reasons: how many cost more, or as much and come earlier in
  // the file (the spec's tie-break).
  Stage rank_cte() const {
    Stage st{"ranked", "each measure's place in the reasons: most points first, ties in file order", "SELECT\n  *", "", ""};
    std::string& out = st.select;
    const size_t n = p_.measures.size();
    for (size_t k = 0; k < n; ++k) {
      std::string sum;
      for (size_t j = 0; j < n; ++j) {
        if (j == k) continue;
        const char* cmp = j < k ? ">=" : ">";
        if (!sum.empty()) sum += " + ";
        sum += fmt::format("CASE WHEN {} {} {} THEN 1 ELSE 0 END", m(j, "points"), cmp, m(k, "points"));
      }
      out += fmt::format(",\n  {} AS {}", sum.empty() ? "0" : sum, m(k, "rank"));
    }
    out += "\n";
    return st;
  }

  std::string by_index(const std::string& idx, const std::vector<std::string>& names, const std::string& otherwise) const {
    if (names.empty()) return otherwise;
    std::string out = "CASE";
    for (size_t k = 0; k < names.size(); ++k)
      out += fmt::format(" WHEN {} = {} THEN {}", idx, num(static_cast<double>(k)), sp_.string(names[k]));
    return out + " ELSE " + otherwise + " END";
  }

  Stage final_select() const {
    std::vector<std::pair<std::string, std::string>> cols;
    const ir::Results& res = p_.results;
    cols.emplace_back(field(p_.key_field), p_.fields[p_.key_field].name);
    std::vector<std::string> segs, bands, colors, labels, overrides;
    for (const auto& s : p_.segments) segs.push_back(s.name);
    for (const auto& b : p_.bands) bands.push_back(b.name), colors.push_back(b.color);
    for (const auto& l : p_.labels) labels.push_back(l.name);
    for (const auto& o : p_.overrides) overrides.push_back(o.name);
    cols.emplace_back(by_index(ref(res.segment), segs, sp_.string(ir::kDefaultSegmentName)), "segment");
    cols.emplace_back(sp_.to_integer(ref(res.score)), "score");
    cols.emplace_back(by_index(ref(res.band), bands, sp_.string(ir::kUnscoredBandName)), "band");
    cols.emplace_back(by_index(ref(res.band), colors, sp_.string(ir::kUnscoredBandColor)), "color");
    cols.emplace_back(by_index(ref(res.label), labels, "NULL"), "label");
    cols.emplace_back(by_index(ref(res.override_), overrides, "NULL"), "override");
    // The top three reasons, `name -points` joined by `; ` (runtime/output.cpp).
    std::vector<std::string> parts;
    for (int place = 0; place < 3; ++place) {
      std::string e = "CASE";
      for (size_t k = 0; k < p_.measures.size(); ++k)
        e += fmt::format(" WHEN {} IS NOT NULL AND {} = {} THEN {}", m(k, "points"), m(k, "rank"), place,
                         sp_.concat({sp_.string("; " + p_.measures[k].name + " -"), sp_.one_decimal(m(k, "points"))}));
      parts.push_back(e + " ELSE '' END");
    }
    cols.emplace_back(sp_.substr_from(sp_.concat(parts), 3), "reasons");
    if (!p_.stale_rules.empty()) {
      std::vector<std::string> stale;
      for (const ir::StaleRule& s : p_.stale_rules)
        stale.push_back(fmt::format("CASE WHEN {} = 1 THEN {} ELSE '' END", ref(s.stale),
                                    sp_.string(";" + p_.measures[s.measure].name)));
      cols.emplace_back(sp_.substr_from(sp_.concat(stale), 2), "stale");
    }
    if (!p_.alerts.empty()) {
      // The alerts active now, and those that fire: active now and not in the previous snapshot
      // (an account absent from it had none active), both in the card's order.
      std::vector<std::string> active, fired;
      for (size_t a = 0; a < p_.alerts.size(); ++a) {
        const std::string now = fmt::format("{} = 1", ref(p_.alerts[a].condition));
        const std::string item = sp_.string(";" + p_.alerts[a].name);
        active.push_back(fmt::format("CASE WHEN {} THEN {} ELSE '' END", now, item));
        fired.push_back(fmt::format("CASE WHEN {} AND COALESCE({}, {}) = 0 THEN {} ELSE '' END", now,
                                    previous_alert_column(p_, a), num(0), item));
      }
      cols.emplace_back(sp_.substr_from(sp_.concat(active), 2), "alerts_active");
      cols.emplace_back(sp_.substr_from(sp_.concat(fired), 2), "alerts_fired");
    }
    if (o_.explain)
      for (size_t k = 0; k < p_.measures.size(); ++k) {
        const ir::Measure& ms = p_.measures[k];
        std::string v = ms.value == ir::kNone ? sp_.null_number() : ref(ms.value);
        if (ms.value != ir::kNone && ms.value_kind == ir::ValueKind::Bool)
          v = fmt::format("CASE WHEN {0} = 1 THEN 'true' WHEN {0} = 0 THEN 'false' END", v);
        else if (ms.value != ir::kNone && ms.value_kind == ir::ValueKind::Enum) {
          const ir::Field& f = p_.fields[ms.enum_field];
          std::vector<std::string> spellings;
          for (size_t i = 0; i < f.members.size(); ++i) spellings.emplace_back(ir::member_spelling(f, i));
          v = by_index(v, spellings, "NULL");
        }
        cols.emplace_back(v, ms.name + ".value");
        cols.emplace_back(ref(ms.score), ms.name + ".score");
        cols.emplace_back(weight_ref(k), ms.name + ".weight");
      }
    Stage st{"", "the columns of `healthc score`", "SELECT\n", "", ""};
    for (size_t i = 0; i < cols.size(); ++i)
      st.select += fmt::format("  {} AS {}{}\n", cols[i].first, sp_.identifier(cols[i].second), i + 1 < cols.size() ? "," : "");
    return st;
  }

  const ir::Program& p_;
  const Options& o_;
  Spelling sp_;
  std::map<uint32_t, std::pair<std::string, std::string>> names_;  // column, comment
  std::vector<int> uses_, layer_, reach_;
  std::vector<std::optional<double>> folded_;
  std::vector<bool> needed_, column_;
};

}  // namespace

Result emit(const ir::Program& program, const Options& options) { return Emitter(program, options).run(); }

}  // namespace healthc::sql
