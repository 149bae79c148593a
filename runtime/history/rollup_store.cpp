// Roll-ups in the store (rollup_store.h). One `rollup` row per roll-up of a snapshot, one
// `rollup_group` row per group: the figures are per group, so even a parent-account roll-up
// costs a fraction of the accounts' own rows.
#include "runtime/history/rollup_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>

#include "compiler/ir/conventions.h"

namespace healthc::history {

namespace {

constexpr int kFixedGroupColumns = 10;
constexpr const char* kGroupColumns =
    "accounts, scored, unscored, score, band, min_score, min_account, score_change";

std::string json_names(const std::vector<std::string>& names) { return nlohmann::json(names).dump(); }

std::vector<std::string> names_from_json(std::string_view text, std::string_view rollup) {
  try {
    auto j = nlohmann::json::parse(text);
    return j.get<std::vector<std::string>>();
  } catch (const std::exception&) {
    throw StoreError(fmt::format("the store's record of roll-up `{}` is damaged (not a list of names: {})", rollup, text));
  }
}

// The positional columns of one table's shape, in the order they are bound and read.
std::string positional(size_t keys, size_t bands, size_t measures, std::string_view prefix = "") {
  std::string s;
  for (size_t i = 0; i < keys; ++i) s += fmt::format(", {}k{}", prefix, i);
  for (size_t i = 0; i < bands; ++i) s += fmt::format(", {0}b{1}_accounts, {0}b{1}_weight", prefix, i);
  for (size_t i = 0; i < measures; ++i) s += fmt::format(", {}m{}_score", prefix, i);
  return s;
}

void ensure_rollup_columns(Db& db, const RollupColumns& want) {
  const RollupColumns have = rollup_columns(db);
  if (have.keys >= want.keys && have.bands >= want.bands && have.measures >= want.measures) return;
  for (int i = have.keys; i < want.keys; ++i) db.exec(fmt::format("ALTER TABLE rollup_group ADD COLUMN k{} TEXT", i));
  for (int i = have.bands; i < want.bands; ++i)
    db.exec(fmt::format("ALTER TABLE rollup_group ADD COLUMN b{0}_accounts INTEGER; "
                        "ALTER TABLE rollup_group ADD COLUMN b{0}_weight REAL",
                        i));
  for (int i = have.measures; i < want.measures; ++i)
    db.exec(fmt::format("ALTER TABLE rollup_group ADD COLUMN m{}_score REAL", i));
  create_rollup_views(db, {std::max(have.keys, want.keys), std::max(have.bands, want.bands),
                           std::max(have.measures, want.measures)});
}

// A group as a message names it: `region EMEA, plan (missing)`.
std::string group_name(const analysis::RollupTable& t, const analysis::RollupGroup& g) {
  std::string s;
  for (size_t i = 0; i < t.by.size() && i < g.key.size(); ++i)
    s += fmt::format("{}{} {}", i ? ", " : "", t.by[i], g.key[i] ? fmt::format("`{}`", *g.key[i]) : "(missing)");
  return s;
}

}  // namespace

std::string rollup_out_of_range(const analysis::RollupTable& t) {
  for (const auto& g : t.groups) {
    for (size_t b = 0; b < g.band_weight.size() && b < t.bands.size(); ++b)
      if (!std::isfinite(g.band_weight[b]))
        return fmt::format("roll-up `{}`, group {}: the weight in band `{}` is out of range ({})", t.name,
                           group_name(t, g), t.bands[b], g.band_weight[b]);
    for (size_t m = 0; m < g.measure_score.size() && m < t.measures.size(); ++m)
      if (std::isinf(g.measure_score[m]))  // NaN: no account qualifies
        return fmt::format("roll-up `{}`, group {}: the score of measure `{}` is out of range ({})", t.name,
                           group_name(t, g), t.measures[m], g.measure_score[m]);
  }
  return {};
}

bool has_rollup_tables(Db& db) {
  return db.scalar_int("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('rollup', 'rollup_group')") ==
         2;
}

RollupColumns rollup_columns(Db& db) {
  static const std::regex key(R"(k\d+)"), band(R"(b\d+_accounts)"), measure(R"(m\d+_score)");
  RollupColumns c;
  Stmt s(db, "SELECT name FROM pragma_table_info('rollup_group')");
  while (s.step()) {
    const std::string name = s.text(0);
    if (std::regex_match(name, key)) ++c.keys;
    else if (std::regex_match(name, band)) ++c.bands;
    else if (std::regex_match(name, measure)) ++c.measures;
  }
  return c;
}

void check_rollups(const Db& db, const std::vector<analysis::RollupTable>& tables) {
  const int limit = sqlite3_limit(db.get(), SQLITE_LIMIT_COLUMN, -1);
  RollupColumns need;
  for (const auto& t : tables) {
    for (const auto& g : t.groups)
      if (g.key.size() != t.by.size() || g.band_accounts.size() != t.bands.size() ||
          g.band_weight.size() != t.bands.size() || g.measure_score.size() != t.measures.size())
        throw StoreError(fmt::format("roll-up `{}`: a group's figures do not match its {} by fields, {} bands and {} "
                                     "measures",
                                     t.name, t.by.size(), t.bands.size(), t.measures.size()));
    for (size_t i = 0; i < tables.size(); ++i)
      if (&tables[i] != &t && tables[i].name == t.name)
        throw StoreError(fmt::format("roll-up `{}` is given twice", t.name));
    if (std::string e = rollup_out_of_range(t); !e.empty()) throw StoreError(e + "; nothing was recorded");
    need.keys = std::max(need.keys, static_cast<int>(t.by.size()));
    need.bands = std::max(need.bands, static_cast<int>(t.bands.size()));
    need.measures = std::max(need.measures, static_cast<int>(t.measures.size()));
  }
  if (const int columns = kFixedGroupColumns + need.keys + 2 * need.bands + need.measures; columns > limit)
    throw StoreError(fmt::format("the card's roll-ups need {} columns a group (by fields, two a band, one a measure); a "
                                 "store records at most {} (SQLite's column limit)",
                                 columns, limit));
}

void write_rollups(Db& db, int64_t snapshot_id, const std::vector<analysis::RollupTable>& tables) {
  if (tables.empty()) return;
  check_rollups(db, tables);
  RollupColumns need;
  for (const auto& t : tables) {
    need.keys = std::max(need.keys, static_cast<int>(t.by.size()));
    need.bands = std::max(need.bands, static_cast<int>(t.bands.size()));
    need.measures = std::max(need.measures, static_cast<int>(t.measures.size()));
  }
  ensure_rollup_columns(db, need);
  Stmt head(db, "INSERT INTO rollup(snapshot_id, idx, name, title, by_fields, weight_field, bands, measures) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (size_t r = 0; r < tables.size(); ++r) {
    const analysis::RollupTable& t = tables[r];
    head.bind(1, snapshot_id)
        .bind(2, static_cast<int64_t>(r))
        .bind(3, t.name)
        .bind(4, t.title)
        .bind(5, json_names(t.by))
        .bind(6, t.weight)
        .bind(7, json_names(t.bands))
        .bind(8, json_names(t.measures))
        .run();
    const int64_t rollup_id = sqlite3_last_insert_rowid(db.get());
    const size_t k = t.by.size(), b = t.bands.size(), m = t.measures.size();
    std::string params;
    for (size_t i = 0; i < kFixedGroupColumns + k + 2 * b + m; ++i) params += i ? ", ?" : "?";
    Stmt ins(db, fmt::format("INSERT INTO rollup_group(rollup_id, idx, {}{}) VALUES ({})", kGroupColumns,
                             positional(k, b, m), params));
    for (size_t gi = 0; gi < t.groups.size(); ++gi) {
      const analysis::RollupGroup& g = t.groups[gi];
      int c = 0;
      auto next = [&c] { return ++c; };  // one statement a column: the order is the columns'
      ins.bind(next(), rollup_id);
      ins.bind(next(), static_cast<int64_t>(gi));
      ins.bind(next(), g.accounts);
      ins.bind(next(), g.scored);
      ins.bind(next(), g.unscored);
      if (g.score >= 0) ins.bind(next(), g.score);
      else ins.bind_null(next());
      ins.bind(next(), g.band);
      if (g.min_score >= 0) {
        ins.bind(next(), g.min_score);
        ins.bind(next(), g.min_account);
      } else {
        ins.bind_null(next());
        ins.bind_null(next());
      }
      if (g.score_change) ins.bind(next(), *g.score_change);
      else ins.bind_null(next());
      // A missing cell is NULL, an empty text the empty string: two different groups.
      for (const auto& cell : g.key) {
        if (cell) ins.bind(next(), std::string_view(*cell));
        else ins.bind_null(next());
      }
      for (size_t i = 0; i < b; ++i) {
        ins.bind(next(), g.band_accounts[i]);
        ins.bind(next(), g.band_weight[i]);
      }
      for (size_t i = 0; i < m; ++i) ins.bind(next(), g.measure_score[i]);  // NaN binds NULL
      ins.run();
    }
  }
}

void set_score_changes(std::vector<analysis::RollupTable>& now, const std::vector<analysis::RollupTable>& previous) {
  for (analysis::RollupTable& t : now) {
    auto it = std::find_if(previous.begin(), previous.end(), [&](const auto& p) { return p.name == t.name; });
    analysis::set_score_changes(t, it == previous.end() ? nullptr : &*it);
  }
}

int64_t adjacent_snapshot(Db& db, int64_t scorecard_id, int32_t as_of_days, bool later) {
  Stmt s(db, later ? "SELECT id FROM snapshot WHERE scorecard_id = ? AND as_of_days > ? ORDER BY as_of_days LIMIT 1"
                   : "SELECT id FROM snapshot WHERE scorecard_id = ? AND as_of_days < ? ORDER BY as_of_days DESC "
                     "LIMIT 1");
  s.bind(1, scorecard_id).bind(2, as_of_days);
  return s.step() ? s.int64(0) : 0;
}

void restate_score_changes(Db& db, int64_t snapshot_id, const std::vector<analysis::RollupTable>& previous) {
  std::vector<analysis::RollupTable> tables = read_rollups(db, snapshot_id);
  if (tables.empty()) return;
  std::vector<std::vector<std::optional<int32_t>>> stored(tables.size());
  for (size_t r = 0; r < tables.size(); ++r)
    for (const auto& g : tables[r].groups) stored[r].push_back(g.score_change);
  set_score_changes(tables, previous);
  std::vector<int64_t> ids;
  Stmt list(db, "SELECT id FROM rollup WHERE snapshot_id = ? ORDER BY idx");  // read_rollups' order
  list.bind(1, snapshot_id);
  while (list.step()) ids.push_back(list.int64(0));
  Stmt update(db, "UPDATE rollup_group SET score_change = ? WHERE rollup_id = ? AND idx = ?");
  for (size_t r = 0; r < tables.size() && r < ids.size(); ++r)
    for (size_t gi = 0; gi < tables[r].groups.size(); ++gi) {
      const std::optional<int32_t>& change = tables[r].groups[gi].score_change;
      if (change == stored[r][gi]) continue;
      if (change) update.bind(1, *change);
      else update.bind_null(1);
      update.bind(2, ids[r]).bind(3, static_cast<int64_t>(gi)).run();
    }
}

void delete_rollups(Db& db, int64_t snapshot_id) {
  Stmt(db, "DELETE FROM rollup_group WHERE rollup_id IN (SELECT id FROM rollup WHERE snapshot_id = ?)")
      .bind(1, snapshot_id)
      .run();
  Stmt(db, "DELETE FROM rollup WHERE snapshot_id = ?").bind(1, snapshot_id).run();
}

std::vector<analysis::RollupTable> read_rollups(Db& db, int64_t snapshot_id) {
  std::vector<analysis::RollupTable> out;
  std::vector<int64_t> ids;
  {
    Stmt s(db, "SELECT id, name, title, by_fields, weight_field, bands, measures FROM rollup WHERE snapshot_id = ? "
               "ORDER BY idx");
    s.bind(1, snapshot_id);
    while (s.step()) {
      analysis::RollupTable& t = out.emplace_back();
      ids.push_back(s.int64(0));
      t.name = s.text(1);
      t.title = s.text(2);
      t.by = names_from_json(s.text_view(3), t.name);
      t.weight = s.text(4);
      t.bands = names_from_json(s.text_view(5), t.name);
      t.measures = names_from_json(s.text_view(6), t.name);
    }
  }
  for (size_t r = 0; r < out.size(); ++r) {
    analysis::RollupTable& t = out[r];
    const size_t k = t.by.size(), b = t.bands.size(), m = t.measures.size();
    Stmt g(db, fmt::format("SELECT {}{} FROM rollup_group WHERE rollup_id = ? ORDER BY idx", kGroupColumns,
                           positional(k, b, m)));
    g.bind(1, ids[r]);
    while (g.step()) {
      analysis::RollupGroup& x = t.groups.emplace_back();
      x.accounts = g.int64(0);
      x.scored = g.int64(1);
      x.unscored = g.int64(2);
      x.score = g.is_null(3) ? -1 : g.int32(3);
      x.band = g.int32(4);
      x.min_score = g.is_null(5) ? -1 : g.int32(5);
      x.min_account = g.is_null(6) ? std::string() : g.text(6);
      if (!g.is_null(7)) x.score_change = g.int32(7);
      int c = 8;
      for (size_t i = 0; i < k; ++i, ++c) x.key.push_back(g.is_null(c) ? std::nullopt : std::optional(g.text(c)));
      for (size_t i = 0; i < b; ++i, c += 2) {
        x.band_accounts.push_back(g.int64(c));
        x.band_weight.push_back(g.is_null(c + 1) ? 0.0 : g.real(c + 1));
      }
      for (size_t i = 0; i < m; ++i, ++c) x.measure_score.push_back(g.real(c));  // NULL reads NaN
    }
  }
  return out;
}

void create_rollup_views(Db& db, const RollupColumns& cols) {
  if (!has_rollup_tables(db)) return;
  // The key cells as key1, key2, ...: the roll-up's by fields in order (by_fields names them).
  std::string keys, inner_keys;
  for (int i = 0; i < cols.keys; ++i) {
    keys += fmt::format(", g.k{} AS key{}", i, i + 1);
    inner_keys += fmt::format(", k{} AS key{}", i, i + 1);
  }
  std::string outer_keys;
  for (int i = 0; i < cols.keys; ++i) outer_keys += fmt::format(", x.key{}", i + 1);
  // One row per group and band / per group and measure, unpivoted as measure_scores is: at most
  // 500 terms a compound SELECT, so in groups of sub-selects.
  auto unpivot = [&](int count, auto term, std::string_view empty) {
    constexpr int kGroup = 500;
    std::string all;
    for (int g = 0; g < count; g += kGroup) {
      std::string group;
      for (int i = g; i < std::min(count, g + kGroup); ++i) group += (i > g ? " UNION ALL " : "") + term(i);
      all += fmt::format("{}SELECT * FROM ({})", g ? " UNION ALL " : "", group);
    }
    return all.empty() ? std::string(empty) : all;
  };
  const std::string bands = unpivot(
      cols.bands,
      [&](int i) {
        return fmt::format("SELECT rollup_id, idx{}, {} AS i, b{}_accounts AS accounts, b{}_weight AS weight "
                           "FROM rollup_group",
                           inner_keys, i, i, i);
      },
      fmt::format("SELECT rollup_id, idx{}, 0 AS i, NULL AS accounts, NULL AS weight FROM rollup_group WHERE 0",
                  inner_keys));
  const std::string measures = unpivot(
      cols.measures,
      [&](int i) {
        return fmt::format("SELECT rollup_id, idx{}, {} AS i, m{}_score AS score FROM rollup_group", inner_keys, i, i);
      },
      fmt::format("SELECT rollup_id, idx{}, 0 AS i, NULL AS score FROM rollup_group WHERE 0", inner_keys));
  constexpr const char* kFrom = "JOIN rollup r ON r.id = x.rollup_id JOIN snapshot s ON s.id = r.snapshot_id "
                                "JOIN scorecard c ON c.id = s.scorecard_id";
  db.exec(fmt::format(R"sql(
DROP VIEW IF EXISTS rollup_groups;
DROP VIEW IF EXISTS rollup_bands;
DROP VIEW IF EXISTS rollup_measures;
CREATE VIEW rollup_groups AS
  SELECT c.title, s.as_of, r.name AS rollup, r.title AS rollup_title, r.by_fields, r.weight_field, g.idx AS group_idx{0},
         g.accounts, g.scored, g.unscored, g.score, coalesce(json_extract(r.bands, '$[' || g.band || ']'), '{5}') AS band,
         g.min_score, g.min_account, g.score_change, r.snapshot_id
  FROM rollup_group g JOIN rollup r ON r.id = g.rollup_id JOIN snapshot s ON s.id = r.snapshot_id
  JOIN scorecard c ON c.id = s.scorecard_id;
CREATE VIEW rollup_bands AS
  SELECT c.title, s.as_of, r.name AS rollup, x.idx AS group_idx{1}, json_extract(r.bands, '$[' || x.i || ']') AS band,
         x.accounts, x.weight, r.snapshot_id
  FROM ({2}) x {4} WHERE x.i < json_array_length(r.bands);
CREATE VIEW rollup_measures AS
  SELECT c.title, s.as_of, r.name AS rollup, x.idx AS group_idx{1}, json_extract(r.measures, '$[' || x.i || ']') AS measure,
         x.score, r.snapshot_id
  FROM ({3}) x {4} WHERE x.i < json_array_length(r.measures);
)sql",
                      keys, outer_keys, bands, measures, kFrom, ir::kUnscoredBandName));
}

}  // namespace healthc::history
