// The history table's joins and its export from a store (past.h). Which snapshot a read means
// is the store's rule (runtime/history/past.cpp, spec "Reading the past in expressions"): the
// previous snapshot is the latest whose as-of date is before the run's; `change(X, N days)` the
// latest at or before as-of - N days (and before as-of), so `change(X, 0 days)` is the previous
// one and no read is ever the snapshot the run would replace. Names are mapped to this card's
// indexes by name, a name it no longer has to ir::kNoSuchName (equal to nothing).
#include "compiler/sql/past.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "compiler/ir/conventions.h"

namespace healthc::sql {
namespace {

// A snapshot selector: -1 the previous snapshot (also `change(X, 0 days)`), N > 0 the latest at
// or before as-of - N.
int32_t selector(int32_t days_back) { return days_back <= 0 ? -1 : days_back; }

std::string prefix(int32_t days_back) {
  return days_back < 0 ? std::string("previous") : fmt::format("before_{}d", days_back);
}

// A name column of the history table read as this card's index: `names[i]` is i, `last` (the
// card's `default` / `unscored`) is names.size(), an empty cell `empty`, any other name
// ir::kNoSuchName.
std::string index_by_name(const Spelling& sp, const std::string& column, const std::vector<std::string>& names,
                          std::string_view last, std::optional<double> empty) {
  const std::string cell = fmt::format("NULLIF({}, '')", sp.identifier(column));
  std::string out = "CASE";
  if (empty) out += fmt::format(" WHEN {} IS NULL THEN {}", cell, sp.number(*empty));
  else out += fmt::format(" WHEN {} IS NULL THEN {}", cell, sp.null_number());
  for (size_t i = 0; i < names.size(); ++i)
    out += fmt::format(" WHEN {} = {} THEN {}", cell, sp.string(names[i]), sp.number(static_cast<double>(i)));
  if (!last.empty())
    out += fmt::format(" WHEN {} = {} THEN {}", cell, sp.string(last), sp.number(static_cast<double>(names.size())));
  return out + fmt::format(" ELSE {} END", sp.number(ir::kNoSuchName));
}

template <class T>
std::vector<std::string> names_of(const std::vector<T>& items) {
  std::vector<std::string> out;
  for (const T& item : items) out.push_back(item.name);
  return out;
}

// History input `in` read from the history table's row, in the IR's encoding.
std::string read_input(const ir::Program& p, const ir::HistoryInput& in, const Spelling& sp) {
  switch (in.kind) {
    case ir::HistoryKind::FinalScore: return sp.to_double(sp.identifier("score"));
    case ir::HistoryKind::WeightedScore: return sp.to_double(sp.identifier("weighted"));
    case ir::HistoryKind::Segment:
      return index_by_name(sp, "segment", names_of(p.segments), ir::kDefaultSegmentName, std::nullopt);
    case ir::HistoryKind::Band: return index_by_name(sp, "band", names_of(p.bands), ir::kUnscoredBandName, std::nullopt);
    case ir::HistoryKind::Label: return index_by_name(sp, "label", names_of(p.labels), "", ir::kNoLabel);
    case ir::HistoryKind::Override: return index_by_name(sp, "override", names_of(p.overrides), "", ir::kNoOverride);
    case ir::HistoryKind::MeasureScore:
      return sp.to_double(sp.identifier(p.measures[static_cast<size_t>(in.measure)].name + ".score"));
    case ir::HistoryKind::MeasureValue: {
      const ir::Measure& m = p.measures[static_cast<size_t>(in.measure)];
      const std::string column = m.name + ".value";
      // An enum's past value is its member's name (the store's `value_name`), read by name
      // onto this card's order of the members.
      if (m.value_kind == ir::ValueKind::Enum && m.enum_field >= 0)
        return index_by_name(sp, column, p.fields[static_cast<size_t>(m.enum_field)].members, "", std::nullopt);
      return sp.to_double(sp.identifier(column));
    }
  }
  return sp.null_number();
}

std::string quoted_sqlite(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// The history table's columns and their types, one comment line each.
std::string history_columns(const ir::Program& p) {
  std::vector<std::pair<std::string, std::string>> cols = {
      {"as_of", "date      the snapshot's as-of date"},
      {"account", "text      the account's key"},
      {"segment", "text      a segment's name; default"},
      {"weighted", "number    the weighted score before overrides (NULL: unscored)"},
      {"score", "number    the final score (NULL: unscored)"},
      {"band", "text      a band's name; unscored"},
      {"label", "text      a label's name (NULL: none)"},
      {"override", "text      an override's name (NULL: none)"},
      {"alerts_active", "text      the alerts active, names joined by `;` (NULL: none)"}};
  for (const ir::Measure& m : p.measures) {
    if (m.value_kind == ir::ValueKind::Enum) cols.emplace_back(m.name + ".value", "text      the enum member's name");
    else if (m.value_kind == ir::ValueKind::Bool) cols.emplace_back(m.name + ".value", "number    1 true, 0 false");
    else if (m.value_kind == ir::ValueKind::Number) cols.emplace_back(m.name + ".value", "number");
    cols.emplace_back(m.name + ".score", "number    (NULL: unscored)");
  }
  size_t width = 0;
  for (const auto& c : cols) width = std::max(width, c.first.size());
  std::string out;
  for (const auto& [name, what] : cols) out += fmt::format("--   {:<{}}  {}\n", name, width, what);
  return out;
}

// A double as text that reads back to the same double: the sqlite3 shell prints 15 significant
// digits, SQLite's printf 16 unless `!` (up to 26).
std::string exact(const std::string& x) { return fmt::format("CASE WHEN {0} IS NOT NULL THEN printf('%!.17g', {0}) END", x); }

}  // namespace

std::string history_column(const ir::Program& p, size_t index) {
  const ir::HistoryInput& in = p.history[index];
  const std::string pre = prefix(in.days_back);
  switch (in.kind) {
    case ir::HistoryKind::FinalScore: return pre + "__score";
    case ir::HistoryKind::WeightedScore: return pre + "__weighted";
    case ir::HistoryKind::Segment: return pre + "__segment";
    case ir::HistoryKind::Band: return pre + "__band";
    case ir::HistoryKind::Label: return pre + "__label";
    case ir::HistoryKind::Override: return pre + "__override";
    case ir::HistoryKind::MeasureScore: return pre + "_m_" + p.measures[static_cast<size_t>(in.measure)].name + "__score";
    case ir::HistoryKind::MeasureValue: return pre + "_m_" + p.measures[static_cast<size_t>(in.measure)].name + "__value";
  }
  return pre;
}

std::string previous_alert_column(const ir::Program& p, size_t index) {
  return "previous_a_" + p.alerts[index].name + "__active";
}

std::vector<PastJoin> past_joins(const ir::Program& p, const Options& o, const Spelling& sp) {
  std::map<int32_t, std::vector<size_t>> by_snapshot;  // selector -> history inputs
  if (!p.alerts.empty()) by_snapshot[-1];
  for (size_t h = 0; h < p.history.size(); ++h) by_snapshot[selector(p.history[h].days_back)].push_back(h);
  const bool clickhouse = sp.dialect() == Dialect::ClickHouse;
  const std::string key = clickhouse ? "f_" + p.fields[static_cast<size_t>(p.key_field)].name : "h__key";
  const std::string day = sp.date_days(sp.identifier("as_of"));
  std::vector<PastJoin> out;
  for (const auto& [back, inputs] : by_snapshot) {
    PastJoin j;
    j.name = "past_" + prefix(back);
    j.key_column = key;
    // ClickHouse 18.16 fills an unmatched row of a LEFT JOIN with the column type's default (0,
    // ''), not NULL, unless the column is Nullable: every read is made so.
    auto column = [&](const std::string& e, const std::string& name) {
      j.subquery += fmt::format(",\n  {} AS {}", clickhouse ? fmt::format("toNullable({})", e) : e, name);
      j.columns.push_back(name);
    };
    j.subquery = fmt::format("SELECT\n  {} AS {}", sp.identifier("account"), key);
    for (size_t h : inputs) column(read_input(p, p.history[h], sp), history_column(p, h));
    if (back < 0)
      for (size_t a = 0; a < p.alerts.size(); ++a)
        column(fmt::format("CASE WHEN {} THEN {} ELSE {} END",
                           sp.contains(fmt::format("COALESCE({}, '')", sp.identifier("alerts_active")), p.alerts[a].name),
                           sp.number(1), sp.number(0)),
               previous_alert_column(p, a));
    const std::string as_of = sp.as_of_days(o.as_of_days);
    std::string window;
    if (back < 0) {
      window = fmt::format("{} < {}", day, as_of);
      j.comment = "the previous snapshot: the latest in the history before the as-of date, joined on the key";
    } else {
      const std::string limit = o.as_of_days ? sp.as_of_days(*o.as_of_days - back) : fmt::format("({} - {})", as_of, sp.number(back));
      window = fmt::format("{} <= {}", day, limit);
      j.comment = fmt::format("the snapshot {} days back (`change(X, {} days)`): the latest at or before the as-of date - {}", back, back, back);
    }
    j.subquery += fmt::format("\nFROM {0}\nWHERE {1} = (SELECT max({1}) FROM {0} WHERE {2})", o.history, day, window);
    out.push_back(std::move(j));
  }
  return out;
}

std::string history_export(const ir::Program& p) {
  const std::string title = quoted_sqlite(p.title);
  std::string out = fmt::format(
      "-- The history table of \"{}\" for `healthc compile --emit sql --history TABLE`: every snapshot\n"
      "-- of the title in a healthc store, one row per account (docs/scale-out.md \"Reading the past\").\n"
      "-- sqlite3 -header -csv STORE < this.sql > history.csv\n"
      "-- Its columns, as the query's --history table types them (an empty text cell is NULL):\n{}"
      "SELECT\n  a.as_of,\n  a.account,\n  a.segment,\n  a.weighted,\n  a.score,\n  a.band,\n  a.label,\n  a.override,\n"
      "  (SELECT group_concat(x.alert, ';') FROM alerts x WHERE x.snapshot_id = a.snapshot_id AND x.account = a.account)"
      " AS alerts_active",
      p.title, history_columns(p));
  // The measures pivoted in one join of `measure_scores` (a correlated lookup a measure and row
  // scans the view's union each time: minutes for 40,000 rows instead of seconds).
  for (const ir::Measure& m : p.measures) {
    const std::string name = quoted_sqlite(m.name);
    if (m.value_kind != ir::ValueKind::None) {
      // A past value reads as this card's kind only where it was that kind then (the card
      // version's `card_name.extra`; '' in a development store from before kinds were kept,
      // read as a number or bool): an enum by its member's name.
      const char* kind = m.value_kind == ir::ValueKind::Number ? "number" : m.value_kind == ir::ValueKind::Bool ? "bool" : "enum";
      const std::string then = m.value_kind == ir::ValueKind::Enum ? "m.value_name" : exact("m.value");
      const std::string kinds = m.value_kind == ir::ValueKind::Enum ? "('enum')" : fmt::format("('{}', '')", kind);
      out += fmt::format(",\n  max(CASE WHEN m.measure = {} AND n.extra IN {} THEN {} END) AS \"{}.value\"", name, kinds,
                         then, m.name);
    }
    out += fmt::format(",\n  max(CASE WHEN m.measure = {} THEN {} END) AS \"{}.score\"", name, exact("m.score"), m.name);
  }
  return out + fmt::format(
                   "\nFROM account_scores a\n"
                   "LEFT JOIN measure_scores m ON m.snapshot_id = a.snapshot_id AND m.account = a.account\n"
                   "LEFT JOIN snapshot s ON s.id = m.snapshot_id\n"
                   "LEFT JOIN card_name n ON n.card_version_id = s.card_version_id AND n.kind = 'measure' AND n.name = m.measure\n"
                   "WHERE a.title = {}\nGROUP BY a.snapshot_id, a.account\nORDER BY a.as_of, a.row;\n",
                   title);
}

}  // namespace healthc::sql
