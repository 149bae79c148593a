// The history store on SQLite (store.h): opening and migrating, reading snapshots, one
// account's history and a snapshot's roll-ups (the writer is snapshot_writer.cpp).
#include "runtime/history/store.h"

#include <fmt/format.h>
#include <nettle/sha2.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <unordered_map>

#include "compiler/ir/conventions.h"
#include "runtime/history/rollup_store.h"
#include "runtime/history/schema.h"
#include "runtime/history/snapshot_writer.h"
#include "runtime/history/sqlite_db.h"
#include "runtime/io/cell_parse.h"

namespace healthc::history {

namespace {

std::string sha256_hex(std::string_view text) {
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, text.size(), reinterpret_cast<const uint8_t*>(text.data()));
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, sizeof digest, digest);
  std::string hex;
  for (uint8_t b : digest) hex += fmt::format("{:02x}", b);
  return hex;
}

constexpr const char* kInfoColumns =
    "s.id, c.title, s.as_of, s.as_of_days, v.hash, s.params, s.rows_read, s.rows_scored, s.rows_rejected, "
    "s.recorded_at, s.card_version_id";
constexpr const char* kInfoFrom =
    " FROM snapshot s JOIN scorecard c ON c.id = s.scorecard_id JOIN card_version v ON v.id = s.card_version_id ";

SnapshotInfo info_from(const Stmt& s) {
  SnapshotInfo i;
  i.id = s.int64(0);
  i.title = s.text(1);
  i.as_of = s.text(2);
  i.as_of_days = s.int32(3);
  i.card_hash = s.text(4);
  i.params_json = s.text(5);
  i.rows_read = s.int64(6);
  i.rows_scored = s.int64(7);
  i.rows_rejected = s.int64(8);
  i.recorded_at = s.text(9);
  return i;
}

class SqliteStore;

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, Mode mode);
  std::vector<std::string> titles() const override;
  std::vector<SnapshotInfo> snapshots(const std::string& title) const override;
  std::optional<SnapshotInfo> latest(const std::string& title, int32_t at_most_days, int32_t before_days) const override;
  Snapshot read(int64_t snapshot_id, bool with_text) const override;
  AccountHistory account_history(const std::string& title, const std::string& key) const override;
  std::vector<analysis::RollupTable> rollups(int64_t snapshot_id) const override;
  std::unique_ptr<SnapshotWriter> begin_snapshot(const std::string& title, const std::string& as_of,
                                                 const std::string& card_text, const CardNames& names,
                                                 const std::string& params_json) override;
  std::unique_ptr<Reading> read_transaction() const override;
  int64_t generation() const override { return read_generation(db_); }
  void lock_for_writing(int wait_seconds, const std::function<void()>& on_wait) override;

 private:
  CardNames card_names(int64_t card_version_id) const;
  std::vector<double> weights(int64_t weight_set_id, size_t measures,
                              std::unordered_map<int64_t, std::vector<double>>& cache) const;
  // Reads one result row (columns from kResultColumns onward at `col`) into `rec`.
  void read_record(const Stmt& s, int col, size_t measures, std::unordered_map<int64_t, std::vector<double>>& cache,
                   AccountRecord& rec) const;

  mutable Db db_;
  Mode mode_;
  // Shared with the open writer: use_count() > 1 while one lives.
  std::shared_ptr<int> writer_token_ = std::make_shared<int>(0);
};

class SqliteReading final : public Store::Reading {
 public:
  explicit SqliteReading(Db& db) : db_(db) { db_.exec("BEGIN"); }
  ~SqliteReading() override { sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr); }

 private:
  Db& db_;
};

std::unique_ptr<Store::Reading> SqliteStore::read_transaction() const {
  if (!sqlite3_get_autocommit(db_.get())) return std::make_unique<Store::Reading>();
  return std::make_unique<SqliteReading>(db_);
}

void SqliteStore::lock_for_writing(int wait_seconds, const std::function<void()>& on_wait) {
  if (mode_ == Mode::ReadOnly) throw StoreError(fmt::format("the store `{}` was opened read-only", db_.path()));
  if (!sqlite3_get_autocommit(db_.get())) return;  // held already (Reading transactions are scoped to a call)
  const int ms = wait_seconds > std::numeric_limits<int>::max() / 1000 ? std::numeric_limits<int>::max()
                                                                        : std::max(0, wait_seconds) * 1000;
  if (!db_.begin_immediate(ms, on_wait))
    throw StoreError(fmt::format("the store `{}`: another process held its write lock for {} s; nothing was recorded "
                                 "(wait longer with HEALTHC_STORE_WAIT=SECONDS)",
                                 db_.path(), wait_seconds));
}

// The result columns read_record reads. A card version without labels, overrides, alerts or
// stale rules has only the columns' defaults in them (the writer binds only what the card can
// fill): they are not read, which saves SQLite's work per column and row.
std::string result_columns(const CardNames& names) {
  const size_t measures = names.measures.size();
  std::string cols = fmt::format("r.row, r.segment, r.weighted, r.score, r.band, {}, {}, {}, {}, {}, r.weight_set_id",
                                 names.labels.empty() ? "NULL" : "r.label",
                                 names.overrides.empty() ? "NULL" : "r.override",
                                 names.alerts.empty() ? "0" : "r.alerts_active",
                                 names.alerts.empty() ? "0" : "r.alerts_fired", names.stale_measures.empty() ? "0" : "r.stale");
  for (size_t m = 0; m < measures; ++m) cols += fmt::format(", r.m{0}_value, r.m{0}_score", m);
  return cols;
}

SqliteStore::SqliteStore(const std::string& path, Mode mode) : mode_(mode) {
  const bool ro = mode == Mode::ReadOnly;
  db_.open(path, ro, !ro);
  db_.exec("PRAGMA foreign_keys = OFF");
  // SQLite opens a file it may not write read-only without a word; a run must not find out
  // only at its first insert.
  if (!ro && sqlite3_db_readonly(db_.get(), "main") == 1) db_.fail("cannot write", SQLITE_READONLY);
  if (!ro) {
    // WAL: readers go on reading the last committed state while a run writes, and a killed
    // writer leaves only an uncommitted tail that the next open ignores. NORMAL sync is safe
    // against a killed process in WAL mode (only a power loss may lose the last commit).
    // A new store's pages are 16 KiB (SQLite's default is 4): fewer pages a snapshot to split,
    // write to the WAL and copy back at the checkpoint. Ignored by a store that has pages.
    db_.exec(fmt::format("PRAGMA page_size = {}", kNewStorePageSize));
    Stmt wal(db_, "PRAGMA journal_mode = WAL");
    if (!wal.step() || wal.text_view(0) != "wal") db_.fail("switching to WAL failed", SQLITE_ERROR);
    db_.exec("PRAGMA synchronous = NORMAL");
    // Test hook: a store that cannot grow past N pages behaves as a full disk.
    if (const char* pages = std::getenv("HEALTHC_TEST_STORE_MAX_PAGES"))
      db_.exec(fmt::format("PRAGMA max_page_count = {}", std::atoll(pages)));
  }
  db_.exec("PRAGMA cache_size = -262144");
  const int version = static_cast<int>(db_.scalar_int("PRAGMA user_version"));
  if (version > kSchemaVersion) migrate(db_, migrations());  // refuses the newer store
  if (ro) {
    if (version == 0) throw StoreError(fmt::format("`{}` is not a healthc store (no schema version)", path));
    // An older store is read as it is (a reader never writes, and a store main's build wrote
    // must stay readable): what later versions add reads as absent (rollups()).
    return;
  }
  migrate(db_, migrations());
}

std::vector<std::string> SqliteStore::titles() const {
  std::vector<std::string> out;
  Stmt s(db_, "SELECT title FROM scorecard WHERE id IN (SELECT scorecard_id FROM snapshot) ORDER BY title");
  while (s.step()) out.push_back(s.text(0));
  return out;
}

std::vector<SnapshotInfo> SqliteStore::snapshots(const std::string& title) const {
  std::vector<SnapshotInfo> out;
  Stmt s(db_, fmt::format("SELECT {}{}WHERE c.title = ? ORDER BY s.as_of_days", kInfoColumns, kInfoFrom));
  s.bind(1, title);
  while (s.step()) out.push_back(info_from(s));
  return out;
}

std::optional<SnapshotInfo> SqliteStore::latest(const std::string& title, int32_t at_most_days,
                                                int32_t before_days) const {
  Stmt s(db_, fmt::format("SELECT {}{}WHERE c.title = ? AND s.as_of_days <= ? AND s.as_of_days < ? "
                          "ORDER BY s.as_of_days DESC LIMIT 1",
                          kInfoColumns, kInfoFrom));
  s.bind(1, title).bind(2, at_most_days).bind(3, before_days);
  if (!s.step()) return std::nullopt;
  return info_from(s);
}

CardNames SqliteStore::card_names(int64_t card_version_id) const {
  CardNames n;
  Stmt k(db_, "SELECT key_field FROM card_version WHERE id = ?");
  k.bind(1, card_version_id);
  if (k.step()) n.key_field = k.text(0);
  Stmt s(db_, "SELECT kind, name, title, extra, idx FROM card_name WHERE card_version_id = ? ORDER BY kind, idx");
  s.bind(1, card_version_id);
  while (s.step()) {
    const std::string_view kind = s.text_view(0);
    if (kind == "segment") n.segments.push_back(s.text(1)), n.segment_models.push_back(s.text(3));
    else if (kind == "band") n.bands.push_back(s.text(1)), n.band_colors.push_back(s.text(3));
    else if (kind == "label") n.labels.push_back(s.text(1)), n.label_titles.push_back(s.text(2));
    else if (kind == "override") n.overrides.push_back(s.text(1)), n.override_titles.push_back(s.text(2));
    else if (kind == "measure")
      n.measures.push_back(s.text(1)), n.measure_titles.push_back(s.text(2)), n.measure_kinds.push_back(s.text(3));
    else if (kind == "member") {
      // After every 'measure' row (ORDER BY kind): the measure is known.
      const int64_t idx = s.int64(4);
      const size_t m = static_cast<size_t>(idx / kMemberStride);
      if (idx < 0 || m >= n.measures.size()) continue;
      n.measure_members.resize(n.measures.size());
      auto& list = n.measure_members[m];
      const size_t at = static_cast<size_t>(idx % kMemberStride);
      if (list.size() <= at) list.resize(at + 1);
      list[at] = s.text(1);
    }
    else if (kind == "alert")
      n.alerts.push_back(s.text(1)), n.alert_titles.push_back(s.text(2)),
          n.alert_severities.push_back(ir::parse_severity(s.text_view(3)).value_or(ir::Severity::Medium));
    else if (kind == "stale") n.stale_measures.push_back(s.text(1));
  }
  return n;
}

std::vector<double> SqliteStore::weights(int64_t weight_set_id, size_t measures,
                                         std::unordered_map<int64_t, std::vector<double>>& cache) const {
  auto it = cache.find(weight_set_id);
  if (it != cache.end()) return it->second;
  std::vector<double> w(measures, std::numeric_limits<double>::quiet_NaN());
  Stmt s(db_, "SELECT measure, weight FROM weight WHERE weight_set_id = ?");
  s.bind(1, weight_set_id);
  while (s.step())
    if (static_cast<size_t>(s.int64(0)) < measures) w[static_cast<size_t>(s.int64(0))] = s.real(1);
  cache.emplace(weight_set_id, w);
  return w;
}

void SqliteStore::read_record(const Stmt& s, int col, size_t measures,
                              std::unordered_map<int64_t, std::vector<double>>& cache, AccountRecord& r) const {
  r.row = s.int64(col);
  r.segment = s.int32(col + 1);
  r.weighted = s.is_null(col + 2) ? -1 : s.int32(col + 2);
  r.score = s.is_null(col + 3) ? -1 : s.int32(col + 3);
  r.band = s.int32(col + 4);
  r.label = s.is_null(col + 5) ? -1 : s.int32(col + 5);
  r.override_ = s.is_null(col + 6) ? -1 : s.int32(col + 6);
  r.alerts_active = static_cast<uint64_t>(s.int64(col + 7));
  r.alerts_fired = static_cast<uint64_t>(s.int64(col + 8));
  r.stale = static_cast<uint64_t>(s.int64(col + 9));
  r.m_weight = s.is_null(col + 10) ? std::vector<double>(measures, std::numeric_limits<double>::quiet_NaN())
                                   : weights(s.int64(col + 10), measures, cache);
  r.m_value.resize(measures);
  r.m_score.resize(measures);
  for (size_t m = 0; m < measures; ++m) {
    r.m_value[m] = s.real(col + 11 + 2 * static_cast<int>(m));
    r.m_score[m] = s.real(col + 12 + 2 * static_cast<int>(m));
  }
}

Snapshot SqliteStore::read(int64_t snapshot_id, bool with_text) const {
  // One read transaction: the snapshot, its names and its accounts as of one commit.
  const std::unique_ptr<Reading> reading = read_transaction();
  Snapshot snap;
  Stmt i(db_, fmt::format("SELECT {}, v.text{}WHERE s.id = ?", kInfoColumns, kInfoFrom));
  i.bind(1, snapshot_id);
  if (!i.step()) throw StoreError(fmt::format("the store `{}` has no snapshot {}", db_.path(), snapshot_id));
  snap.info = info_from(i);
  if (with_text) snap.info.card_text = i.text(11);
  snap.names = card_names(i.int64(10));
  const size_t measures = snap.names.measures.size();
  const ResultKey key(db_);
  Stmt s(db_, fmt::format("SELECT a.key, {} FROM result r JOIN account a ON a.id = {} WHERE {}",
                          result_columns(snap.names), key.account_id("r"), key.in_snapshot("r", "?1")));
  s.bind(1, snapshot_id);
  std::unordered_map<int64_t, std::vector<double>> cache;
  while (s.step()) {
    AccountRecord& r = snap.accounts.emplace_back();
    r.key = s.text(0);
    read_record(s, 1, measures, cache, r);
  }
  std::sort(snap.accounts.begin(), snap.accounts.end(),
            [](const AccountRecord& a, const AccountRecord& b) { return a.row < b.row; });
  return snap;
}

std::vector<analysis::RollupTable> SqliteStore::rollups(int64_t snapshot_id) const {
  const std::unique_ptr<Reading> reading = read_transaction();
  // Asked each time, not at open: a reader of a version-1 store may see it migrated meanwhile.
  if (!has_rollup_tables(db_)) return {};
  return read_rollups(db_, snapshot_id);
}

AccountHistory SqliteStore::account_history(const std::string& title, const std::string& key) const {
  AccountHistory h;
  // One read transaction over every statement, so the history is of one committed state.
  const std::unique_ptr<Reading> reading = read_transaction();
  {
    Stmt a(db_, "SELECT a.id FROM account a JOIN scorecard c ON c.id = a.scorecard_id WHERE c.title = ? AND a.key = ?");
    a.bind(1, title).bind(2, key);
    if (!a.step()) return h;
    const int64_t account = a.int64(0);
    Stmt snaps(db_, fmt::format("SELECT {}{}WHERE c.title = ? ORDER BY s.as_of_days", kInfoColumns, kInfoFrom));
    snaps.bind(1, title);
    std::map<int64_t, const CardNames*> names;
    std::map<std::string, Stmt> lookups;  // one prepared point lookup per set of columns read
    std::unordered_map<int64_t, std::vector<double>> cache;
    const ResultKey result_key(db_);
    while (snaps.step()) {
      const int64_t version = snaps.int64(10);
      auto n = names.find(version);
      if (n == names.end()) {
        h.names.push_back(std::make_unique<CardNames>(card_names(version)));
        n = names.emplace(version, h.names.back().get()).first;
      }
      const size_t measures = n->second->measures.size();
      const std::string columns = result_columns(*n->second);
      auto l = lookups.find(columns);
      if (l == lookups.end())
        l = lookups
                .emplace(columns, Stmt(db_, fmt::format("SELECT {} FROM result r WHERE {}", columns,
                                                        result_key.at("r", "?1", "?2"))))
                .first;
      Stmt& q = l->second;
      q.bind(1, snaps.int64(0)).bind(2, account);
      if (q.step()) {
        AccountHistoryEntry& e = h.entries.emplace_back();
        e.info = info_from(snaps);
        e.names = n->second;
        e.record.key = key;
        read_record(q, 0, measures, cache, e.record);
      }
      q.reset();
    }
  }
  return h;
}

std::unique_ptr<SnapshotWriter> SqliteStore::begin_snapshot(const std::string& title, const std::string& as_of,
                                                            const std::string& card_text, const CardNames& names,
                                                            const std::string& params_json) {
  if (mode_ == Mode::ReadOnly) throw StoreError(fmt::format("the store `{}` was opened read-only", db_.path()));
  if (writer_token_.use_count() > 1)
    throw StoreError(fmt::format("the store `{}` is already writing a snapshot", db_.path()));
  lock_for_writing(kDefaultWaitSeconds, {});
  // The writer owns the transaction from here: it commits it, or rolls it back (also when its
  // constructor throws).
  return make_writer(db_, title, as_of, card_text, names, params_json, writer_token_);
}

}  // namespace

CardNames names_of(const ir::Program& p) {
  CardNames n;
  n.key_field = p.key_field >= 0 ? p.fields[static_cast<size_t>(p.key_field)].name : std::string();
  for (const auto& s : p.segments) n.segments.push_back(s.name);
  n.segments.emplace_back(ir::kDefaultSegmentName);
  for (int32_t s = 0; s <= ir::default_segment(p); ++s) {
    const int32_t m = ir::model_of_segment(p, s);
    n.segment_models.push_back(m >= 0 && static_cast<size_t>(m) < p.models.size() ? p.models[static_cast<size_t>(m)].name
                                                                                 : std::string());
  }
  for (const auto& b : p.bands) n.bands.push_back(b.name), n.band_colors.push_back(b.color);
  n.bands.emplace_back(ir::kUnscoredBandName);
  n.band_colors.emplace_back(ir::kUnscoredBandColor);
  for (const auto& l : p.labels) n.labels.push_back(l.name), n.label_titles.push_back(l.title);
  for (const auto& o : p.overrides) n.overrides.push_back(o.name), n.override_titles.push_back(o.title);
  for (const auto& m : p.measures) {
    n.measures.push_back(m.name), n.measure_titles.push_back(m.title);
    n.measure_kinds.push_back(value_kind_name(m.value_kind));
    // An enum measure's member names, what past values are matched by (past.cpp): a name is
    // the card's, so a later card that adds or changes a `= "..."` spelling reads them still.
    std::vector<std::string> members;
    if (m.value_kind == ir::ValueKind::Enum && m.enum_field >= 0) members = p.fields[static_cast<size_t>(m.enum_field)].members;
    n.measure_members.push_back(std::move(members));
  }
  for (const auto& a : p.alerts)
    n.alerts.push_back(a.name), n.alert_titles.push_back(a.title), n.alert_severities.push_back(a.severity);
  for (const auto& r : p.stale_rules) n.stale_measures.push_back(p.measures[static_cast<size_t>(r.measure)].name);
  return n;
}

const char* value_kind_name(ir::ValueKind kind) {
  switch (kind) {
    case ir::ValueKind::Number: return "number";
    case ir::ValueKind::Bool: return "bool";
    case ir::ValueKind::Enum: return "enum";
    case ir::ValueKind::None: break;
  }
  return "none";
}

std::string card_hash(std::string_view text) { return sha256_hex(text); }

std::string date_text(int32_t days) { return rt::date_text(days); }

std::unique_ptr<Store> Store::open(const std::string& path, Mode mode) {
  return std::make_unique<SqliteStore>(path, mode);
}

}  // namespace healthc::history
