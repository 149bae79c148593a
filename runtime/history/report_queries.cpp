// The report's aggregate queries over a title's snapshots (report_queries.h).
#include "runtime/history/report_queries.h"

#include <fmt/format.h>

#include <unordered_map>

#include "runtime/history/schema.h"
#include "runtime/history/sqlite_db.h"

namespace healthc::history {

namespace {

// Begins the read transaction of a second connection and checks it sees the store the caller's
// listing saw.
void begin_at(Db& db, int64_t generation) {
  db.exec("BEGIN");
  if (read_generation(db) != generation)
    throw StoreChanged(fmt::format("the store `{}` changed while it was read", db.path()));
}

}  // namespace

std::vector<BandCounts> band_counts(const std::string& path, const std::vector<SnapshotInfo>& snapshots,
                                    int64_t generation) {
  Db db;
  db.open(path, /*read_only=*/true, /*create=*/false);
  begin_at(db, generation);
  // The band names of the snapshot's card version, then its counts: the key (ResultKey)
  // makes each a range scan of one snapshot's rows.
  Stmt names(db,
             "SELECT n.idx, n.name FROM snapshot s JOIN card_name n ON n.card_version_id = s.card_version_id "
             "AND n.kind = 'band' WHERE s.id = ? ORDER BY n.idx");
  Stmt counts(db, fmt::format("SELECT band, count(*), count(score), coalesce(sum(score), 0) FROM result r WHERE {} "
                              "GROUP BY band ORDER BY band",
                              ResultKey(db).in_snapshot("r", "?1")));
  std::vector<BandCounts> out;
  out.reserve(snapshots.size());
  for (const auto& info : snapshots) {
    BandCounts bc;
    bc.snapshot_id = info.id;
    bc.as_of = info.as_of;
    names.bind(1, info.id);
    while (names.step()) {
      const int64_t idx = names.int64(0);
      if (idx < 0 || idx > 1 << 20) continue;
      if (bc.bands.size() <= static_cast<size_t>(idx)) bc.bands.resize(static_cast<size_t>(idx) + 1);
      bc.bands[static_cast<size_t>(idx)] = names.text(1);
    }
    names.reset();
    bc.accounts.assign(bc.bands.size(), 0);
    counts.bind(1, info.id);
    while (counts.step()) {
      const int64_t band = counts.int64(0);
      if (band < 0 || static_cast<size_t>(band) >= bc.bands.size())
        throw StoreError(fmt::format("store `{}`: snapshot {} holds band {}, which its card version does not name",
                                     path, info.as_of, band));
      bc.accounts[static_cast<size_t>(band)] += counts.int64(1);
      bc.scored += counts.int64(2);
      bc.score_sum += counts.real(3);
    }
    counts.reset();
    out.push_back(std::move(bc));
  }
  db.exec("COMMIT");
  return out;
}

namespace {

// A group's identity: its cells, a missing one distinct from any text.
void append_cell(std::string& id, const std::optional<std::string>& cell) {
  if (cell) id += 'v' + *cell;
  else id += 'm';
  id += '\x1f';
}

}  // namespace

std::vector<std::vector<int32_t>> rollup_group_scores(const std::string& path, const std::vector<int64_t>& snapshot_ids,
                                                      const std::string& rollup,
                                                      const std::vector<std::vector<std::optional<std::string>>>& groups,
                                                      int64_t generation) {
  std::vector<std::vector<int32_t>> out(groups.size(), std::vector<int32_t>(snapshot_ids.size(), -1));
  if (groups.empty() || snapshot_ids.empty()) return out;
  const size_t cells = groups.front().size();
  std::unordered_map<std::string, size_t> wanted;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::string id;
    for (const auto& c : groups[g]) append_cell(id, c);
    wanted.emplace(std::move(id), g);
  }
  Db db;
  db.open(path, /*read_only=*/true, /*create=*/false);
  begin_at(db, generation);
  std::string columns;
  for (size_t i = 0; i < cells; ++i) columns += fmt::format("key{}, ", i + 1);
  Stmt s(db, fmt::format("SELECT {}score FROM rollup_groups WHERE snapshot_id = ? AND rollup = ?", columns));
  std::string id;
  for (size_t k = 0; k < snapshot_ids.size(); ++k) {
    s.bind(1, snapshot_ids[k]).bind(2, rollup);
    while (s.step()) {
      id.clear();
      for (size_t i = 0; i < cells; ++i)
        append_cell(id, s.is_null(static_cast<int>(i)) ? std::nullopt : std::optional<std::string>(s.text(static_cast<int>(i))));
      const auto it = wanted.find(id);
      if (it != wanted.end() && !s.is_null(static_cast<int>(cells))) out[it->second][k] = s.int32(static_cast<int>(cells));
    }
    s.reset();
  }
  db.exec("COMMIT");
  return out;
}

}  // namespace healthc::history
