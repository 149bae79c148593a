// The history store's tables, migrations and views (schema.h, docs/store.md).
#include "runtime/history/schema.h"
#include "runtime/history/rollup_store.h"
#include "runtime/history/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace healthc::history {
namespace {

// Version 1. Integers everywhere an account's row repeats (names live once per card version
// in card_name); result and its weights are WITHOUT ROWID, keyed for the two ways they are read
// (a whole snapshot; one account across snapshots).
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE scorecard (id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE);
CREATE TABLE card_version (
  id INTEGER PRIMARY KEY,
  scorecard_id INTEGER NOT NULL REFERENCES scorecard(id),
  hash TEXT NOT NULL,
  text TEXT NOT NULL,
  key_field TEXT NOT NULL,
  UNIQUE (scorecard_id, hash));
CREATE TABLE card_name (
  card_version_id INTEGER NOT NULL REFERENCES card_version(id),
  kind TEXT NOT NULL,   -- segment, band, label, override, measure, alert, stale
  idx INTEGER NOT NULL, -- the integer the results store
  name TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  extra TEXT NOT NULL DEFAULT '',  -- segment: its model; band: color; alert: severity; measure: value kind
  PRIMARY KEY (card_version_id, kind, idx)) WITHOUT ROWID;
CREATE TABLE snapshot (
  id INTEGER PRIMARY KEY,
  scorecard_id INTEGER NOT NULL REFERENCES scorecard(id),
  card_version_id INTEGER NOT NULL REFERENCES card_version(id),
  as_of TEXT NOT NULL,
  as_of_days INTEGER NOT NULL,
  params TEXT NOT NULL DEFAULT '{}',
  rows_read INTEGER NOT NULL,
  rows_scored INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL,
  recorded_at TEXT NOT NULL,
  UNIQUE (scorecard_id, as_of_days));
CREATE TABLE account (
  id INTEGER PRIMARY KEY,
  scorecard_id INTEGER NOT NULL REFERENCES scorecard(id),
  key TEXT NOT NULL,
  UNIQUE (scorecard_id, key));
CREATE TABLE weight_set (id INTEGER PRIMARY KEY, measures INTEGER NOT NULL);
CREATE TABLE weight (
  weight_set_id INTEGER NOT NULL REFERENCES weight_set(id),
  measure INTEGER NOT NULL,
  weight REAL NOT NULL,
  PRIMARY KEY (weight_set_id, measure)) WITHOUT ROWID;
CREATE TABLE result (
  snapshot_id INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  row INTEGER NOT NULL,
  segment INTEGER NOT NULL,
  weighted INTEGER,       -- NULL: unscored
  score INTEGER,          -- NULL: unscored
  band INTEGER NOT NULL,
  label INTEGER,          -- NULL: no label
  override INTEGER,       -- NULL: none
  alerts_active INTEGER NOT NULL DEFAULT 0,  -- bit masks over card_name kind 'alert'
  alerts_fired INTEGER NOT NULL DEFAULT 0,
  stale INTEGER NOT NULL DEFAULT 0,          -- bit mask over card_name kind 'stale'
  weight_set_id INTEGER,  -- NULL: no measure weighs (unscored)
  PRIMARY KEY (snapshot_id, account_id)) WITHOUT ROWID;
)sql";

void create_v1(Db& db) { db.exec(kSchemaV1); }

// Version 2: the roll-ups recorded with each snapshot (rollup_store.h). A roll-up's names (by
// fields, bands, measures) are JSON arrays on its row, as they were when it was recorded; a
// group's key cells, per-band and per-measure figures are positional columns (k<i>,
// b<i>_accounts, b<i>_weight, m<i>_score) added as cards need them, as result's m<i> are.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE rollup (
  id INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),
  idx INTEGER NOT NULL,      -- the roll-up's position in the card
  name TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  by_fields TEXT NOT NULL,   -- JSON array of the by fields' names: k0, k1, ...
  weight_field TEXT NOT NULL DEFAULT '',  -- '': every account weighs 1
  bands TEXT NOT NULL,       -- JSON array of band names: b0_*, b1_*, ...
  measures TEXT NOT NULL,    -- JSON array of measure names: m0_score, ...
  UNIQUE (snapshot_id, idx));
CREATE TABLE rollup_group (
  rollup_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,      -- the group's position in the roll-up's sorted order
  accounts INTEGER NOT NULL,
  scored INTEGER NOT NULL,
  unscored INTEGER NOT NULL,
  score INTEGER,             -- NULL: no scored account weighs
  band INTEGER NOT NULL,     -- into rollup.bands; past its end: unscored
  min_score INTEGER,         -- NULL: no scored account
  min_account TEXT,
  score_change INTEGER,      -- NULL: no such group (or score) in the previous snapshot
  PRIMARY KEY (rollup_id, idx)) WITHOUT ROWID;
)sql";

void create_v2(Db& db) { db.exec(kSchemaV2); }

// Version 3: result is a rowid table keyed snapshot_id * 2^32 + account_id (result_key) in
// place of the WITHOUT ROWID table keyed (snapshot_id, account_id). A snapshot's rows are still
// one range of the key, an account's row in it one point, and each insert is an append to the
// rowid b-tree with two values fewer to copy into its record: SQLite's work per row is what
// `score --store` pays (docs/store.md). The rows are copied over in key order.
void rekey_results_v3(Db& db) {
  if (db.scalar_int(fmt::format("SELECT count(*) FROM result WHERE account_id < 0 OR account_id > {}",
                                kResultAccountMask)) > 0)
    throw StoreError(fmt::format("the store `{}` has an account id past 2^32: it cannot be migrated to version 3",
                                 db.path()));
  std::string cols;
  Stmt info(db, "SELECT name FROM pragma_table_info('result') ORDER BY cid");
  while (info.step())
    if (info.text_view(0) != "snapshot_id" && info.text_view(0) != "account_id")
      cols += fmt::format(", {}", info.text_view(0));
  std::string measures;
  for (int i = 0; i < measure_columns(db); ++i) measures += fmt::format(",\n  m{0}_value REAL, m{0}_score REAL", i);
  // The views read result: renaming a table checks every view, so they go first (migrate
  // creates them again).
  db.exec(fmt::format(R"sql(
DROP VIEW IF EXISTS account_scores;
DROP VIEW IF EXISTS measure_scores;
DROP VIEW IF EXISTS alerts;
CREATE TABLE result_v3 (
  id INTEGER PRIMARY KEY,  -- snapshot_id * 2^32 + account_id
  row INTEGER NOT NULL,
  segment INTEGER NOT NULL,
  weighted INTEGER,       -- NULL: unscored
  score INTEGER,          -- NULL: unscored
  band INTEGER NOT NULL,
  label INTEGER,          -- NULL: no label
  override INTEGER,       -- NULL: none
  alerts_active INTEGER NOT NULL DEFAULT 0,  -- bit masks over card_name kind 'alert'
  alerts_fired INTEGER NOT NULL DEFAULT 0,
  stale INTEGER NOT NULL DEFAULT 0,          -- bit mask over card_name kind 'stale'
  weight_set_id INTEGER{});
INSERT INTO result_v3(id{}) SELECT snapshot_id * {} + account_id{} FROM result ORDER BY snapshot_id, account_id;
DROP TABLE result;
ALTER TABLE result_v3 RENAME TO result;
)sql",
                      measures, cols, kResultSnapshotStride, cols));
}

constexpr std::array<Migration, 3> kMigrations = {{{0, create_v1}, {1, create_v2}, {2, rekey_results_v3}}};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int migrate(Db& db, std::span<const Migration> steps) {
  const int target = steps.empty() ? 0 : steps.back().from + 1;
  const int version = static_cast<int>(db.scalar_int("PRAGMA user_version"));
  if (version > target)
    throw StoreError(fmt::format("the store `{}` has schema version {}, newer than the version {} this healthc knows; "
                                 "use a newer healthc",
                                 db.path(), version, target));
  if (version == 0 && db.scalar_int("SELECT count(*) FROM sqlite_schema") > 0)
    throw StoreError(fmt::format("`{}` is a SQLite database but not a healthc store (it has tables and no schema "
                                 "version)",
                                 db.path()));
  for (const Migration& m : steps) {
    if (m.from < version) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      // Re-read under the write lock: another process may have migrated meanwhile.
      if (db.scalar_int("PRAGMA user_version") == m.from) {
        m.apply(db);
        db.exec(fmt::format("PRAGMA user_version = {}", m.from + 1));
        db.exec(fmt::format("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '{}')", m.from + 1));
        create_views(db, measure_columns(db));
      }
      db.exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
  return version;
}

bool keyed_results(const Db& db) {
  Stmt s(db, "SELECT count(*) FROM pragma_table_info('result') WHERE name = 'snapshot_id'");
  s.step();
  return s.int64(0) == 0;
}

ResultKey::ResultKey(const Db& db) : keyed(keyed_results(db)) {}

std::string ResultKey::snapshot_id(std::string_view r) const {
  return keyed ? fmt::format("({}.id >> 32)", r) : fmt::format("{}.snapshot_id", r);
}

std::string ResultKey::account_id(std::string_view r) const {
  return keyed ? fmt::format("({}.id & {})", r, kResultAccountMask) : fmt::format("{}.account_id", r);
}

std::string ResultKey::in_snapshot(std::string_view r, std::string_view snapshot) const {
  return keyed ? fmt::format("{0}.id BETWEEN {1} * {2} AND {1} * {2} + {3}", r, snapshot, kResultSnapshotStride,
                             kResultAccountMask)
               : fmt::format("{}.snapshot_id = {}", r, snapshot);
}

std::string ResultKey::at(std::string_view r, std::string_view snapshot, std::string_view account) const {
  return keyed ? fmt::format("{}.id = {} * {} + {}", r, snapshot, kResultSnapshotStride, account)
               : fmt::format("{0}.snapshot_id = {1} AND {0}.account_id = {2}", r, snapshot, account);
}

int measure_columns(Db& db) {
  Stmt s(db, "SELECT name FROM pragma_table_info('result')");
  int n = 0;
  while (s.step())
    if (s.text_view(0).ends_with("_score") && s.text_view(0).starts_with("m")) ++n;
  return n;
}

void ensure_measure_columns(Db& db, int count) {
  const int have = measure_columns(db);
  if (have >= count) return;
  for (int i = have; i < count; ++i)
    db.exec(fmt::format("ALTER TABLE result ADD COLUMN m{0}_value REAL; ALTER TABLE result ADD COLUMN m{0}_score REAL",
                        i));
  create_views(db, count);
}

void create_views(Db& db, int measure_columns) {
  // Names instead of ids, one row per account and snapshot (account_scores), per measure
  // (measure_scores) and per active alert (alerts), for a BI tool or a spreadsheet.
  // SQLite allows 500 terms a compound SELECT: the measures go in groups of at most that many,
  // each group a sub-select, joined by a UNION ALL of the groups.
  // From version 3 the ids are the key's halves (ResultKey): the views' columns are the same.
  constexpr int kGroup = 500;
  const ResultKey key(db);
  const std::string ids = fmt::format("{} AS snapshot_id, {} AS account_id", key.snapshot_id("result"),
                                      key.account_id("result"));
  std::string measures;
  for (int g = 0; g < measure_columns; g += kGroup) {
    std::string group;
    for (int i = g; i < std::min(measure_columns, g + kGroup); ++i)
      group += fmt::format("{0}SELECT {1}, {2} AS idx, m{2}_value AS value, m{2}_score AS score, weight_set_id FROM "
                           "result",
                           i > g ? " UNION ALL " : "", ids, i);
    measures += fmt::format("{}SELECT * FROM ({})", g ? " UNION ALL " : "", group);
  }
  if (measures.empty())
    measures = fmt::format("SELECT {}, 0 AS idx, NULL AS value, NULL AS score, weight_set_id FROM result WHERE 0", ids);
  db.exec(fmt::format(R"sql(
DROP VIEW IF EXISTS account_scores;
DROP VIEW IF EXISTS measure_scores;
DROP VIEW IF EXISTS alerts;
DROP VIEW IF EXISTS snapshots;
CREATE VIEW snapshots AS
  SELECT s.id AS snapshot_id, c.title, s.as_of, s.rows_read, s.rows_scored, s.rows_rejected, s.params, v.hash AS card_hash,
         s.recorded_at
  FROM snapshot s JOIN scorecard c ON c.id = s.scorecard_id JOIN card_version v ON v.id = s.card_version_id;
CREATE VIEW account_scores AS
  SELECT c.title, s.as_of, a.key AS account, r.row, seg.name AS segment, r.weighted, r.score, b.name AS band,
         b.extra AS color, l.name AS label, o.name AS override, {2} AS snapshot_id
  FROM result r
  JOIN snapshot s ON s.id = {2}
  JOIN scorecard c ON c.id = s.scorecard_id
  JOIN account a ON a.id = {3}
  LEFT JOIN card_name seg ON seg.card_version_id = s.card_version_id AND seg.kind = 'segment' AND seg.idx = r.segment
  LEFT JOIN card_name b ON b.card_version_id = s.card_version_id AND b.kind = 'band' AND b.idx = r.band
  LEFT JOIN card_name l ON l.card_version_id = s.card_version_id AND l.kind = 'label' AND l.idx = r.label
  LEFT JOIN card_name o ON o.card_version_id = s.card_version_id AND o.kind = 'override' AND o.idx = r.override;
CREATE VIEW measure_scores AS
  SELECT c.title, s.as_of, a.key AS account, n.name AS measure, m.value, e.name AS value_name, m.score, w.weight,
         m.snapshot_id
  FROM ({0}) m
  JOIN snapshot s ON s.id = m.snapshot_id
  JOIN scorecard c ON c.id = s.scorecard_id
  JOIN account a ON a.id = m.account_id
  JOIN card_name n ON n.card_version_id = s.card_version_id AND n.kind = 'measure' AND n.idx = m.idx
  LEFT JOIN weight w ON w.weight_set_id = m.weight_set_id AND w.measure = m.idx
  LEFT JOIN card_name e ON n.extra = 'enum' AND e.card_version_id = s.card_version_id AND e.kind = 'member'
    AND e.idx = m.idx * {1} + CAST(m.value AS INTEGER);
CREATE VIEW alerts AS
  SELECT c.title, s.as_of, a.key AS account, n.name AS alert, n.title AS alert_title, n.extra AS severity,
         (r.alerts_fired >> n.idx) & 1 AS fired, r.score, {2} AS snapshot_id
  FROM result r
  JOIN snapshot s ON s.id = {2}
  JOIN scorecard c ON c.id = s.scorecard_id
  JOIN account a ON a.id = {3}
  JOIN card_name n ON n.card_version_id = s.card_version_id AND n.kind = 'alert' AND (r.alerts_active >> n.idx) & 1;
)sql",
                      measures, kMemberStride, key.snapshot_id("r"), key.account_id("r")));
  create_rollup_views(db, rollup_columns(db));
}

int64_t read_generation(Db& db) {
  return db.scalar_int("SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0)");
}

void bump_generation(Db& db) {
  db.exec("INSERT INTO meta(key, value) VALUES ('generation', '1') "
          "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1");
}

}  // namespace healthc::history
