// The snapshot writer (snapshot_writer.h): one transaction a snapshot. The run's thread hands
// accounts over in batches; a writer thread inserts them, so SQLite's work overlaps scoring.
#include "runtime/history/snapshot_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "runtime/history/rollup_store.h"
#include "runtime/history/schema.h"
#include "runtime/io/cell_parse.h"

namespace healthc::history {

namespace {

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::floor<std::chrono::seconds>(now);
  const auto days = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{secs - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using KeyMap = std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>>;

// A weight vector's bytes, every NaN the same, so equal vectors have equal keys. Written into
// a reused buffer: no allocation per account.
const std::string& weights_key(const std::vector<double>& w, std::string& k) {
  k.resize(w.size() * sizeof(double));
  for (size_t i = 0; i < w.size(); ++i) {
    const double v = std::isnan(w[i]) ? std::numeric_limits<double>::quiet_NaN() : w[i];
    std::memcpy(k.data() + i * sizeof(double), &v, sizeof v);
  }
  return k;
}
std::string weights_key(const std::vector<double>& w) {
  std::string k;
  return weights_key(w, k);
}

class SqliteWriter final : public SnapshotWriter {
 public:
  SqliteWriter(Db& db, const std::string& title, const std::string& as_of, const std::string& card_text,
               const CardNames& names, const std::string& params_json, std::shared_ptr<int> token);
  ~SqliteWriter() override;
  void add(const AccountRecord& account) override;
  void add_rollups(const std::vector<analysis::RollupTable>& tables) override;
  void commit(int64_t rows_read, int64_t rows_scored, int64_t rows_rejected) override;

 private:
  static constexpr size_t kBatch = 2048;
  // Enough to keep scoring while the writer thread removes a replaced snapshot or loads the
  // account ids (a few hundred ms for a million accounts).
  static constexpr size_t kBatchesInFlight = 64;
  using Batch = std::vector<AccountRecord>;

  // On the writer thread.
  void begin(const std::string& title, const std::string& as_of, const std::string& card_text, const CardNames& names,
             const std::string& params_json);
  void insert_loop();
  void prepare();
  void insert(const AccountRecord* rows, size_t n);
  int64_t account_id(const std::string& key);
  int64_t weight_set_id(const std::vector<double>& weights);
  // Hands the filling batch to the writer thread (blocks while kBatchesInFlight are queued).
  void hand_over();
  // Stops the writer thread after it has inserted what it was given; the first error, or empty.
  std::string finish_thread();

  Db& db_;
  std::string as_of_, params_json_;
  int32_t as_of_days_ = 0;
  int64_t card_version_ = 0;
  size_t measures_ = 0;
  int64_t scorecard_id_ = 0, snapshot_id_ = 0;
  bool open_ = false;
  // Version 3's result is keyed by one rowid (ResultKey); the writer of an older file (the
  // migration tests') binds the two ids.
  bool keyed_ = false;
  // Account ids: the store's accounts in id order, which is the order a run first met them, so
  // the next account is usually the one after the last (no hashing); the map for the others.
  std::vector<std::string> known_keys_;
  std::vector<int64_t> known_ids_;
  size_t next_known_ = 0;
  KeyMap accounts_;  // key -> id; filled on the first account met out of order
  bool map_built_ = false;
  // The distinct effective-weight vectors (one per model and set of scored measures: a few
  // dozen), searched linearly with the last one found tried first.
  std::vector<std::pair<std::string, int64_t>> weight_sets_;
  size_t last_weight_set_ = 0;
  std::string key_scratch_;
  static constexpr size_t kRowsPerInsert = 16;
  size_t rows_per_insert_ = kRowsPerInsert;  // fewer when a row's parameters are many
  void bind_row(Stmt& s, int offset, const AccountRecord& a);
  Stmt& insert_statement(size_t rows);
  int columns_ = 0;  // parameters a row binds
  // The optional columns this card fills (the others keep their defaults: NULL, 0).
  struct {
    bool label = true, override_ = true, alerts = true, stale = true;
  } bound_;
  std::string row_columns_, row_params_;
  std::map<size_t, Stmt> inserts_;  // by rows per statement
  Stmt insert_account_, insert_weight_set_, insert_weight_;

  // The hand-over: filled batches queued for the writer thread, emptied ones back for reuse.
  Batch filling_;
  size_t filled_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queued_, free_;
  std::vector<size_t> queued_sizes_;
  bool closing_ = false;
  std::string thread_error_;
  std::thread thread_;
  std::shared_ptr<int> token_;
  // Written at commit, on the calling thread, after the accounts: a killed run leaves none.
  std::vector<analysis::RollupTable> rollups_;
  bool rollups_given_ = false;
};

constexpr int kFixedResultColumns = 13;

// --- the writer ---

SqliteWriter::SqliteWriter(Db& db, const std::string& title, const std::string& as_of, const std::string& card_text,
                           const CardNames& names, const std::string& params_json, std::shared_ptr<int> token)
    : db_(db), measures_(names.measures.size()), token_(std::move(token)) {
  // The transaction is open: a constructor that throws never runs the destructor, so it is
  // rolled back here, or the Store would keep the write lock with no writer.
  open_ = true;
  try {
    begin(title, as_of, card_text, names, params_json);
  } catch (...) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  // The rest (removing the snapshot being replaced, loading the account ids) runs on the
  // writer thread, while the run scores its first blocks. Last: nothing after it may throw.
  thread_ = std::thread([this] { insert_loop(); });
}

void SqliteWriter::begin(const std::string& title, const std::string& as_of, const std::string& card_text,
                         const CardNames& names, const std::string& params_json) {
  const std::optional<int64_t> days = rt::parse_date(as_of);
  if (!days) throw StoreError(fmt::format("`{}` is not a date YYYY-MM-DD", as_of));
  if (const int limit = history::max_measures(db_); measures_ > static_cast<size_t>(limit))
    throw StoreError(fmt::format("the card has {} measures; a store records at most {} (SQLite's limit of {} columns "
                                 "a table, two a measure): nothing was scored or recorded (without --store the card "
                                 "scores)",
                                 measures_, limit, sqlite3_limit(db_.get(), SQLITE_LIMIT_COLUMN, -1)));
  Stmt(db_, "INSERT OR IGNORE INTO scorecard(title) VALUES (?)").bind(1, title).run();
  Stmt sc(db_, "SELECT id FROM scorecard WHERE title = ?");
  sc.bind(1, title).step();
  scorecard_id_ = sc.int64(0);

  const std::string hash = card_hash(card_text);
  Stmt cv(db_, "SELECT id FROM card_version WHERE scorecard_id = ? AND hash = ?");
  cv.bind(1, scorecard_id_).bind(2, hash);
  int64_t version = 0;
  if (cv.step()) {
    version = cv.int64(0);
  } else {
    Stmt(db_, "INSERT INTO card_version(scorecard_id, hash, text, key_field) VALUES (?, ?, ?, ?)")
        .bind(1, scorecard_id_)
        .bind(2, hash)
        .bind(3, card_text)
        .bind(4, names.key_field)
        .run();
    version = sqlite3_last_insert_rowid(db_.get());
    Stmt n(db_, "INSERT INTO card_name(card_version_id, kind, idx, name, title, extra) VALUES (?, ?, ?, ?, ?, ?)");
    auto put = [&](const char* kind, const std::vector<std::string>& list, const std::vector<std::string>* titles,
                   auto extra) {
      for (size_t i = 0; i < list.size(); ++i)
        n.bind(1, version)
            .bind(2, std::string_view(kind))
            .bind(3, static_cast<int64_t>(i))
            .bind(4, list[i])
            .bind(5, titles && i < titles->size() ? std::string_view((*titles)[i]) : std::string_view())
            .bind(6, std::string_view(extra(i)))
            .run();
    };
    auto none = [](size_t) { return std::string(); };
    put("segment", names.segments, nullptr,
        [&](size_t i) { return i < names.segment_models.size() ? names.segment_models[i] : std::string(); });
    put("band", names.bands, nullptr,
        [&](size_t i) { return i < names.band_colors.size() ? names.band_colors[i] : std::string(); });
    put("label", names.labels, &names.label_titles, none);
    put("override", names.overrides, &names.override_titles, none);
    put("measure", names.measures, &names.measure_titles,
        [&](size_t i) { return i < names.measure_kinds.size() ? names.measure_kinds[i] : std::string(); });
    // An enum measure's members: its past values are read by member name (past.cpp).
    for (size_t m = 0; m < names.measure_members.size() && m < names.measures.size(); ++m) {
      const auto& members = names.measure_members[m];
      if (static_cast<int64_t>(members.size()) >= kMemberStride)
        throw StoreError(fmt::format("measure `{}` has more than {} enum members", names.measures[m], kMemberStride - 1));
      for (size_t j = 0; j < members.size(); ++j)
        n.bind(1, version)
            .bind(2, std::string_view("member"))
            .bind(3, static_cast<int64_t>(m) * kMemberStride + static_cast<int64_t>(j))
            .bind(4, members[j])
            .bind(5, names.measures[m])
            .bind(6, std::string_view())
            .run();
    }
    put("alert", names.alerts, &names.alert_titles, [&](size_t i) {
      return std::string(i < names.alert_severities.size() ? severity_name(names.alert_severities[i]) : "medium");
    });
    put("stale", names.stale_measures, nullptr, none);
  }
  ensure_measure_columns(db_, static_cast<int>(measures_));

  // Only the most recently stored weight sets of this many measures (a run mostly repeats the
  // last one's): reading every set stored would make each snapshot slower than the one before.
  // (Finding the sets the title's latest snapshot used took a scan of that snapshot, a tenth
  // to a quarter of a second for a million accounts, before scoring could start.) A set met
  // again after that is stored again, which costs a few rows, not correctness.
  constexpr int64_t kRecentWeightSets = 4096;
  const ResultKey key(db_);
  keyed_ = key.keyed;
  Stmt ws(db_, "SELECT weight_set_id, measure, weight FROM weight WHERE weight_set_id IN "
               "(SELECT id FROM weight_set WHERE measures = ?1 ORDER BY id DESC LIMIT ?2) ORDER BY weight_set_id");
  ws.bind(1, static_cast<int64_t>(measures_)).bind(2, kRecentWeightSets);
  std::map<int64_t, std::vector<double>> sets;
  while (ws.step()) {
    auto& w = sets.try_emplace(ws.int64(0), measures_, std::numeric_limits<double>::quiet_NaN()).first->second;
    if (static_cast<size_t>(ws.int64(1)) < measures_) w[static_cast<size_t>(ws.int64(1))] = ws.real(2);
  }
  for (auto& [id, w] : sets) weight_sets_.emplace_back(weights_key(w), id);

  // Only the columns the card can fill are bound: a card without labels, overrides, alerts or
  // stale rules leaves those to the columns' defaults (NULL, 0), which read the same. SQLite's
  // work per row grows with the values bound (each one copied through the statement's
  // registers into the record), and the B2B example binds 21 of 25.
  bound_.label = !names.labels.empty();
  bound_.override_ = !names.overrides.empty();
  bound_.alerts = !names.alerts.empty();
  bound_.stale = !names.stale_measures.empty();
  std::string cols = keyed_ ? "id, row, segment, weighted, score, band"
                            : "snapshot_id, account_id, row, segment, weighted, score, band";
  int fixed = keyed_ ? 6 : 7;
  auto also = [&](bool bound, const char* col, int n) {
    if (!bound) return;
    cols += col;
    fixed += n;
  };
  also(bound_.label, ", label", 1);
  also(bound_.override_, ", override", 1);
  also(bound_.alerts, ", alerts_active, alerts_fired", 2);
  also(bound_.stale, ", stale", 1);
  cols += ", weight_set_id";
  ++fixed;
  std::string params = "?";
  for (int i = 1; i < fixed; ++i) params += ", ?";
  for (size_t m = 0; m < measures_; ++m) {
    cols += fmt::format(", m{0}_value, m{0}_score", m);
    params += ", ?, ?";
  }
  columns_ = static_cast<int>(fixed + 2 * static_cast<int>(measures_));
  const int variables = sqlite3_limit(db_.get(), SQLITE_LIMIT_VARIABLE_NUMBER, -1);
  rows_per_insert_ = std::clamp<size_t>(static_cast<size_t>(variables / columns_), 1, kRowsPerInsert);
  row_columns_ = cols;
  row_params_ = params;
  insert_account_ = Stmt(db_, "INSERT INTO account(scorecard_id, key) VALUES (?, ?)");
  insert_weight_set_ = Stmt(db_, "INSERT INTO weight_set(measures) VALUES (?)");
  insert_weight_ = Stmt(db_, "INSERT INTO weight(weight_set_id, measure, weight) VALUES (?, ?, ?)");
  as_of_ = as_of;
  as_of_days_ = *days;
  card_version_ = version;
  params_json_ = params_json.empty() ? std::string("{}") : params_json;
}

void SqliteWriter::prepare() {
  // Replacing (title, as_of): the old snapshot goes in the same transaction as the new one
  // arrives, so a reader sees one or the other, never neither. The new one takes an id past
  // every snapshot's (the old one's too, though its row goes first for the date's UNIQUE), so
  // its rows append at the end of result's key while the old rows are dropped by their range.
  const int64_t fresh = db_.scalar_int("SELECT coalesce(max(id), 0) + 1 FROM snapshot");
  if (keyed_ && fresh > std::numeric_limits<int64_t>::max() / kResultSnapshotStride - 1)
    throw StoreError(fmt::format("the store `{}` has run out of snapshot ids", db_.path()));
  Stmt old(db_, "SELECT id FROM snapshot WHERE scorecard_id = ? AND as_of_days = ?");
  old.bind(1, scorecard_id_).bind(2, as_of_days_);
  const int64_t replaced = old.step() ? old.int64(0) : 0;
  old = Stmt();
  if (replaced) {
    delete_rollups(db_, replaced);
    Stmt(db_, "DELETE FROM snapshot WHERE id = ?").bind(1, replaced).run();
  }
  Stmt(db_, "INSERT INTO snapshot(id, scorecard_id, card_version_id, as_of, as_of_days, params, rows_read, "
            "rows_scored, rows_rejected, recorded_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?)")
      .bind(1, fresh)
      .bind(2, scorecard_id_)
      .bind(3, card_version_)
      .bind(4, as_of_)
      .bind(5, as_of_days_)
      .bind(6, params_json_)
      .bind(7, utc_now())
      .run();
  snapshot_id_ = fresh;
  if (replaced)
    Stmt(db_, fmt::format("DELETE FROM result WHERE {}", ResultKey(db_).in_snapshot("result", "?1")))
        .bind(1, replaced)
        .run();

  Stmt count(db_, "SELECT count(*) FROM account WHERE scorecard_id = ?");
  count.bind(1, scorecard_id_).step();
  known_keys_.reserve(static_cast<size_t>(count.int64(0)));
  known_ids_.reserve(static_cast<size_t>(count.int64(0)));
  // `+scorecard_id`: a scan of the table, which is in id order already. Through the
  // (scorecard_id, key) index SQLite would sort every account by id in a temporary b-tree.
  Stmt keys(db_, "SELECT key, id FROM account WHERE +scorecard_id = ? ORDER BY id");
  keys.bind(1, scorecard_id_);
  while (keys.step()) {
    known_keys_.emplace_back(keys.text_view(0));
    known_ids_.push_back(keys.int64(1));
  }
}

SqliteWriter::~SqliteWriter() {
  {
    // Abandoned (the run failed): what is still queued would only be rolled back.
    std::lock_guard lock(mu_);
    queued_.clear();
    queued_sizes_.clear();
  }
  finish_thread();
  if (open_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

int64_t SqliteWriter::account_id(const std::string& key) {
  if (next_known_ < known_keys_.size() && known_keys_[next_known_] == key) return known_ids_[next_known_++];
  if (!map_built_) {
    accounts_.reserve(known_keys_.size() + 1024);
    for (size_t i = 0; i < known_keys_.size(); ++i) accounts_.emplace(known_keys_[i], static_cast<int64_t>(i));
    map_built_ = true;
  }
  // Values below known_keys_.size() are positions there (prediction resumes after them); new
  // accounts are stored as -(id + 1).
  auto it = accounts_.find(std::string_view(key));
  if (it != accounts_.end()) {
    if (it->second < 0) return -(it->second + 1);
    next_known_ = static_cast<size_t>(it->second) + 1;
    return known_ids_[static_cast<size_t>(it->second)];
  }
  insert_account_.bind(1, scorecard_id_).bind(2, key).run();
  const int64_t id = sqlite3_last_insert_rowid(db_.get());
  if (keyed_ && id > kResultAccountMask)
    throw StoreError(fmt::format("the store `{}` has run out of account ids (2^32)", db_.path()));
  accounts_.emplace(key, -(id + 1));
  return id;
}

int64_t SqliteWriter::weight_set_id(const std::vector<double>& weights) {
  weights_key(weights, key_scratch_);
  if (last_weight_set_ < weight_sets_.size() && weight_sets_[last_weight_set_].first == key_scratch_)
    return weight_sets_[last_weight_set_].second;
  for (size_t i = 0; i < weight_sets_.size(); ++i)
    if (weight_sets_[i].first == key_scratch_) {
      last_weight_set_ = i;
      return weight_sets_[i].second;
    }
  insert_weight_set_.bind(1, static_cast<int64_t>(measures_)).run();
  const int64_t id = sqlite3_last_insert_rowid(db_.get());
  for (size_t m = 0; m < weights.size(); ++m)
    if (!std::isnan(weights[m])) insert_weight_.bind(1, id).bind(2, static_cast<int64_t>(m)).bind(3, weights[m]).run();
  weight_sets_.emplace_back(key_scratch_, id);
  last_weight_set_ = weight_sets_.size() - 1;
  return id;
}

void SqliteWriter::add(const AccountRecord& a) {
  if (!open_) throw StoreError("the snapshot was already committed");
  if (a.m_value.size() != measures_ || a.m_score.size() != measures_ || a.m_weight.size() != measures_)
    throw StoreError(fmt::format("account `{}` has {} measures, the card {}", a.key, a.m_score.size(), measures_));
  if (filling_.size() < kBatch) filling_.resize(kBatch);
  filling_[filled_++] = a;  // copies into a reused record: no allocation once warm
  if (filled_ == kBatch) hand_over();
}

void SqliteWriter::add_rollups(const std::vector<analysis::RollupTable>& tables) {
  if (!open_) throw StoreError("the snapshot was already committed");
  if (rollups_given_) throw StoreError("the snapshot's roll-ups were already given");
  check_rollups(db_, tables);
  rollups_ = tables;
  rollups_given_ = true;
}

void SqliteWriter::hand_over() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queued_.size() < kBatchesInFlight || !thread_error_.empty(); });
  if (!thread_error_.empty()) throw StoreError(thread_error_);
  queued_.push_back(std::move(filling_));
  queued_sizes_.push_back(filled_);
  filled_ = 0;
  filling_ = Batch();
  if (!free_.empty()) {
    filling_ = std::move(free_.front());
    free_.pop_front();
  }
  lock.unlock();
  cv_.notify_all();
}

void SqliteWriter::insert_loop() {
  try {
    prepare();
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    thread_error_ = e.what();
    cv_.notify_all();
    return;
  }
  for (;;) {
    Batch batch;
    size_t n = 0;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return closing_ || !queued_.empty(); });
      if (queued_.empty()) return;
      batch = std::move(queued_.front());
      n = queued_sizes_.front();
      queued_.pop_front();
      queued_sizes_.erase(queued_sizes_.begin());
    }
    std::string error;
    try {
      insert(batch.data(), n);
    } catch (const std::exception& e) {
      error = e.what();
    }
    {
      std::lock_guard lock(mu_);
      free_.push_back(std::move(batch));
      if (!error.empty()) {
        thread_error_ = error;
        queued_.clear();
        queued_sizes_.clear();
      }
    }
    cv_.notify_all();
    if (!error.empty()) return;
  }
}

std::string SqliteWriter::finish_thread() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  std::lock_guard lock(mu_);
  closing_ = false;
  return thread_error_;
}

void SqliteWriter::bind_row(Stmt& s, int o, const AccountRecord& a) {
  const bool weighs = std::any_of(a.m_weight.begin(), a.m_weight.end(), [](double w) { return !std::isnan(w); });
  // A value for a column the card cannot fill would be lost: a broken caller, refused.
  if ((!bound_.label && a.label >= 0) || (!bound_.override_ && a.override_ >= 0) ||
      (!bound_.alerts && (a.alerts_active || a.alerts_fired)) || (!bound_.stale && a.stale))
    throw StoreError(fmt::format("account `{}` has a label, override, alert or stale measure its card does not declare",
                                 a.key));
  int at = o + 1;
  if (keyed_) {
    s.bind(at++, snapshot_id_ * kResultSnapshotStride + account_id(a.key));
  } else {
    s.bind(at++, snapshot_id_);
    s.bind(at++, account_id(a.key));
  }
  s.bind(at++, a.row);
  s.bind(at++, a.segment);
  // Every parameter is bound each time, so nothing is cleared between steps.
  if (a.weighted >= 0) s.bind(at++, a.weighted);
  else s.bind_null(at++);
  if (a.score >= 0) s.bind(at++, a.score);
  else s.bind_null(at++);
  s.bind(at++, a.band);
  if (bound_.label) {
    if (a.label >= 0) s.bind(at++, a.label);
    else s.bind_null(at++);
  }
  if (bound_.override_) {
    if (a.override_ >= 0) s.bind(at++, a.override_);
    else s.bind_null(at++);
  }
  if (bound_.alerts) {
    s.bind(at++, static_cast<int64_t>(a.alerts_active));
    s.bind(at++, static_cast<int64_t>(a.alerts_fired));
  }
  if (bound_.stale) s.bind(at++, static_cast<int64_t>(a.stale));
  if (weighs) s.bind(at++, weight_set_id(a.m_weight));
  else s.bind_null(at++);
  for (size_t m = 0; m < measures_; ++m) {
    s.bind(at++, a.m_value[m]);
    s.bind(at++, a.m_score[m]);
  }
}

Stmt& SqliteWriter::insert_statement(size_t rows) {
  auto it = inserts_.find(rows);
  if (it != inserts_.end()) return it->second;
  std::string many;
  for (size_t r = 0; r < rows; ++r) many += fmt::format("{}({})", r ? ", " : "", row_params_);
  // OR FAIL: a constraint broken stops the statement without undoing its earlier rows, which
  // the snapshot's ROLLBACK undoes anyway. The default (ABORT) makes SQLite keep a statement
  // journal for every multi-row INSERT inside the transaction, a copy of each page the
  // statement changes first (the last leaf and its parents): for a million accounts 84,000
  // copies of 16 KiB, 1.4 GB written to a temporary file for a 90 MB snapshot.
  return inserts_.emplace(rows, Stmt(db_, fmt::format("INSERT OR FAIL INTO result({}) VALUES {}", row_columns_, many)))
      .first->second;
}

void SqliteWriter::insert(const AccountRecord* rows, size_t n) {
  // Several rows a statement step: SQLite's per-statement work is paid once for them.
  for (size_t at = 0; at < n;) {
    const size_t k = std::min(rows_per_insert_, n - at);
    Stmt& s = insert_statement(k);
    for (size_t r = 0; r < k; ++r) bind_row(s, static_cast<int>(r) * columns_, rows[at + r]);
    s.step();
    s.reset_only();
    at += k;
  }
}

void SqliteWriter::commit(int64_t rows_read, int64_t rows_scored, int64_t rows_rejected) {
  if (!open_) throw StoreError("the snapshot was already committed");
  // The last, partly filled batch goes in on this thread, after the writer thread's.
  if (std::string e = finish_thread(); !e.empty()) throw StoreError(e);
  insert(filling_.data(), filled_);
  filled_ = 0;
  // score_change is the store's, never stale: this snapshot's against the one before it, and
  // the next later one's (recorded before this date was) against this one, in this transaction.
  // (A writer on a version-1 file, without the roll-up tables, is the migration tests' alone.)
  if (has_rollup_tables(db_)) {
    const int64_t before = adjacent_snapshot(db_, scorecard_id_, as_of_days_, false);
    if (!rollups_.empty())
      set_score_changes(rollups_, before ? read_rollups(db_, before) : std::vector<analysis::RollupTable>());
    write_rollups(db_, snapshot_id_, rollups_);
    if (const int64_t after = adjacent_snapshot(db_, scorecard_id_, as_of_days_, true))
      restate_score_changes(db_, after, rollups_);
  } else {
    write_rollups(db_, snapshot_id_, rollups_);  // nothing, or the missing table's error
  }
  Stmt(db_, "UPDATE snapshot SET rows_read = ?, rows_scored = ?, rows_rejected = ? WHERE id = ?")
      .bind(1, rows_read)
      .bind(2, rows_scored)
      .bind(3, rows_rejected)
      .bind(4, snapshot_id_)
      .run();
  bump_generation(db_);
  inserts_.clear();
  insert_account_ = Stmt();
  insert_weight_set_ = Stmt();
  insert_weight_ = Stmt();
  db_.exec("COMMIT");
  open_ = false;
  token_.reset();  // the Store may begin its next snapshot
}

}  // namespace

int max_measures(const Db& db) {
  return (sqlite3_limit(db.get(), SQLITE_LIMIT_COLUMN, -1) - kFixedResultColumns) / 2;
}

std::unique_ptr<SnapshotWriter> make_writer(Db& db, const std::string& title, const std::string& as_of,
                                            const std::string& card_text, const CardNames& names,
                                            const std::string& params_json, std::shared_ptr<int> token) {
  return std::make_unique<SqliteWriter>(db, title, as_of, card_text, names, params_json, std::move(token));
}

}  // namespace healthc::history
